"""``ganbench report STORE [STORE ...]``: (re)render the HTML report of one or several stores."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console

from ganbench.commands import add_parser, print_error
from ganbench.record.store import StoreError, resolve_store_path

EPILOG = """
examples:
  ganbench report results/mog                      writes results/mog/report.html
  ganbench report results/a results/b --out ab.html   one report of two stores merged
                                                      (a run in both: the finished one wins,
                                                      then the store named last)
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "report", "render the HTML report of one or several results stores",
                   "Render the self-contained HTML report of a results store (an output directory of "
                   "`ganbench run`, or its results.sqlite). Several stores are merged into one report.\n"
                   + EPILOG)
    p.add_argument("store", nargs="+", help="output directory or results.sqlite file (one or more)")
    p.add_argument("--out", metavar="FILE",
                   help="where to write the report (default: report.html beside the first store)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from ganbench.report.build import render_report

    err = Console(stderr=True)
    paths = [resolve_store_path(s) for s in args.store]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print_error(f"{missing[0]}: no results store here (run `ganbench run SUITE --out DIR` first)")
        return 2
    from ganbench.plan.outpath import OutputPathError, check_output_path, describe_os_error

    try:
        out = check_output_path(Path(args.out) if args.out else paths[0].parent / "report.html", inputs=paths)
    except OutputPathError as exc:
        print_error(str(exc))
        return 2
    t0 = time.perf_counter()
    try:
        with err.status(f"rendering the report of {len(paths)} store{'s' if len(paths) > 1 else ''}"):
            render_report(paths if len(paths) > 1 else paths[0], out)
    except StoreError as exc:
        print_error(str(exc))
        return 2
    except OSError as exc:
        print_error(describe_os_error(exc, out))
        return 2
    size_kb = out.stat().st_size / 1024
    Console().print(f"report: [bold]{out}[/] ({size_kb:,.0f} KiB, {time.perf_counter() - t0:.1f} s)", highlight=False)
    return 0
