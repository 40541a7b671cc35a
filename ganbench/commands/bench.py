"""``ganbench bench``: run the harness benchmarks (pytest-benchmark) and save them as JSON.

The benchmarks live in the repository's ``benchmarks/`` folder (not in the installed package): they
measure this checkout. Results go to ``.benchmarks/`` (pytest-benchmark's autosave, numbered per run)
so two commits can be compared with ``--compare``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from ganbench.commands import add_parser, print_error

DESCRIPTION = """\
Run the benchmarks of the harness itself with pytest-benchmark: training overhead of the harness
loop against a bare PyTorch loop, store writes per second, report rendering for 100 runs, and (where
present) the data path and metric computation. Equivalent to:

  python -m pytest benchmarks --benchmark-only --benchmark-autosave [--benchmark-json FILE]

Results are saved under .benchmarks/ (one numbered JSON per run); --compare compares this run
with the previous saved one (or --compare 0001 with a given one) and fails on nothing: read it.
Needs the [dev] extra (pytest-benchmark).
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "bench", "run the harness benchmarks (pytest-benchmark) and save JSON", DESCRIPTION)
    p.add_argument("--dir", default="benchmarks", type=Path, help="benchmark folder (default: ./benchmarks)")
    p.add_argument("--json", metavar="FILE", help="also write the results to FILE (--benchmark-json)")
    p.add_argument("--compare", nargs="?", const="", metavar="RUN",
                   help="compare with the last saved run (or a given run number, e.g. 0001)")
    p.add_argument("-k", metavar="EXPR", help="only benchmarks matching this pytest -k expression")
    p.add_argument("--quick", action="store_true", help="fewer rounds (a smoke test of the benchmarks)")
    p.set_defaults(func=cmd_bench)


def bench_argv(args: argparse.Namespace) -> list[str]:
    """The pytest command line ``ganbench bench`` runs (kept separate so tests can check it)."""
    argv = [sys.executable, "-m", "pytest", str(args.dir), "-p", "no:cacheprovider",
            "--benchmark-only", "--benchmark-autosave", "--benchmark-columns=min,median,mean,stddev,rounds"]
    if args.json:
        argv.append(f"--benchmark-json={args.json}")
    if args.compare is not None:
        argv.append(f"--benchmark-compare={args.compare}" if args.compare else "--benchmark-compare")
    if args.k:
        argv += ["-k", args.k]
    if args.quick:
        argv.append("--bench-quick")
    return argv


def cmd_bench(args: argparse.Namespace) -> int:
    if not Path(args.dir).is_dir():
        print_error(f"{args.dir}: no benchmark folder here (run from the repository root or pass --dir)")
        return 2
    try:
        import pytest_benchmark  # noqa: F401
    except ImportError:
        print_error("pytest-benchmark is not installed (pip install -e '.[dev]')")
        return 2
    return subprocess.call(bench_argv(args))
