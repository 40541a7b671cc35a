"""``ganbench report STORE``: (re)render the HTML report of a results store."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from ganbench.commands import add_parser
from ganbench.store import StoreError, resolve_store_path


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "report", "render the HTML report of a results store",
                   "Render the self-contained HTML report of a results store (an output directory of "
                   "`ganbench run`, or its results.sqlite).")
    p.add_argument("store", help="output directory or results.sqlite file")
    p.add_argument("--out", metavar="FILE", help="where to write the report (default: report.html beside the store)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from ganbench.report.build import render_report

    path = resolve_store_path(args.store)
    out = Path(args.out) if args.out else path.parent / "report.html"
    try:
        render_report(path, out)
    except StoreError as exc:
        Console(stderr=True).print(f"[red]error:[/] {exc}", highlight=False, markup=False)
        return 2
    Console().print(f"report: [bold]{out}[/]")
    return 0
