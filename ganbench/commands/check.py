"""``ganbench check STORE --baseline FILE``: fail CI when a change makes the numbers worse."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from ganbench.commands import add_parser, print_error

DESCRIPTION = """\
Compare a results store with a baseline written by `ganbench baseline`. A metric regresses when
its mean over seeds moves in its bad direction (FID up, IS down, modes down, KL up) by more than

    tolerance = max(k * std of the baseline's seeds, floor)

k defaults to 3; floors default to modes 1, hq_share 0.05, reverse_kl 0.1 and 5 %% of the baseline
mean for other metrics. The suite's `check:` section (k, floors, metrics) overrides the defaults
and these options override the suite. Throughput metrics (*_per_s, peak_mem_mb) are not checked
unless --metrics names them: shared CI machines make them too noisy to gate on.

Exit status: 0 no regression, 1 regression, 2 not comparable (different suite or run config,
missing or failed runs, missing metrics) or bad input.

Example:
  ganbench run suites/ci-smoke.yaml --out /tmp/smoke
  ganbench check /tmp/smoke --baseline baselines/ci-smoke.json --junit check.xml --markdown check.md
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "check", "compare a results store with a baseline; exit 1 on a regression", DESCRIPTION)
    p.add_argument("store", help="output directory of `ganbench run`, or its results.sqlite")
    p.add_argument("--baseline", required=True, metavar="FILE", help="baseline JSON (from `ganbench baseline`)")
    p.add_argument("--k", type=float, metavar="K", help="tolerance multiplier of the baseline seed std (default 3)")
    p.add_argument("--floor", action="append", default=[], metavar="NAME=VALUE",
                   help="floor of a metric (or a pattern like '*_per_s'): absolute (modes=2) or relative (fid=10%%); repeatable")
    p.add_argument("--metrics", metavar="PATTERNS",
                   help="comma list of metric name patterns to check (default: all but throughput; '*' for all)")
    p.add_argument("--format", choices=["table", "json"], default="table", help="stdout format (default: table)")
    p.add_argument("--junit", metavar="FILE", help="also write JUnit XML (one test case per metric)")
    p.add_argument("--markdown", metavar="FILE", help="also write a markdown summary (for a PR comment)")
    p.add_argument("--show-skipped", action="store_true", help="list unchecked metrics in the table too")
    p.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from ganbench.baseline import BaselineError, load_baseline
    from ganbench.check import CheckError, compare, parse_floor_arg
    from ganbench.atomic import write_text_atomic
    from ganbench.check_output import print_table, to_json_text, to_junit, to_markdown
    from ganbench.store import StoreError

    try:
        floors = dict(parse_floor_arg(f) for f in args.floor)
        metrics = [m.strip() for m in args.metrics.split(",") if m.strip()] if args.metrics else None
        baseline = load_baseline(args.baseline)
        result = compare(args.store, baseline, args.baseline, k=args.k, floors=floors, metrics=metrics)
    except (BaselineError, CheckError, StoreError) as exc:
        print_error(str(exc))
        return 2
    if args.format == "json":
        sys.stdout.write(to_json_text(result))
    else:
        print_table(result, Console(width=None if sys.stdout.isatty() else 160), show_skipped=args.show_skipped)
    if args.junit:
        write_text_atomic(args.junit, to_junit(result))
    if args.markdown:
        write_text_atomic(args.markdown, to_markdown(result))
    return result.exit_code
