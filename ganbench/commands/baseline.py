"""``ganbench baseline STORE --out FILE``: freeze a finished store's numbers as a baseline."""

from __future__ import annotations

import argparse

from rich.console import Console

from ganbench.commands import add_parser, print_error

DESCRIPTION = """\
Write a baseline for `ganbench check`: per (model, dataset, pack) group and final metric the mean,
std and seed count over the store's runs, plus the suite hash, each group's run config, the plugin
versions and the hardware. Every run of the store must have finished.

Example:
  ganbench run suites/ci-smoke.yaml --out /tmp/smoke
  ganbench baseline /tmp/smoke --out baselines/ci-smoke.json

Exit status: 0 written, 2 the store cannot be used (missing, unfinished runs).
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "baseline", "write a baseline file from a results store (for `ganbench check`)", DESCRIPTION)
    p.add_argument("store", help="output directory of `ganbench run`, or its results.sqlite")
    p.add_argument("--out", required=True, metavar="FILE", help="baseline JSON to write, e.g. baselines/NAME.json")
    p.set_defaults(func=cmd_baseline)


def cmd_baseline(args: argparse.Namespace) -> int:
    from ganbench.gate.baseline import BaselineError, build_baseline, save_baseline
    from ganbench.plan.outpath import OutputPathError, check_output_path, describe_os_error
    from ganbench.record.store import StoreError

    try:
        check_output_path(args.out, inputs=[args.store])
        baseline = build_baseline(args.store)
    except (BaselineError, StoreError, OutputPathError) as exc:
        print_error(str(exc))
        return 2
    try:
        out = save_baseline(baseline, args.out)
    except OSError as exc:
        print_error(describe_os_error(exc, args.out))
        return 2
    n_metrics = sum(len(g.metrics) for g in baseline.groups.values())
    Console().print(
        f"baseline: [bold]{out}[/] (suite {baseline.suite!r} hash {baseline.suite_hash}, "
        f"{len(baseline.groups)} group(s), {n_metrics} metric series)", highlight=False,
    )
    return 0
