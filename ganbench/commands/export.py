"""``ganbench export OUT --format csv|parquet|json``: the results as a file for pandas, R or a spreadsheet."""

from __future__ import annotations

import argparse
import time

from rich.console import Console

from ganbench.commands import add_parser, print_error

DESCRIPTION = """\
Export the results of one or several stores (output directories of `ganbench run`, or their
results.sqlite files; several are merged as `ganbench report` merges them) to one file.

Without --final-only: the long metrics table, one row per run x evaluation x metric (training-loss
points included, name loss/*), every row carrying its run's keys. With --final-only: one row per
finished run, one column per final metric (what the report's tables average over seeds).
Column names and units: docs/results.md. In Python, ganbench.record.results.load(OUT) gives the same
tables as pandas DataFrames without a file.

examples:
  ganbench export results/mog --format csv                  writes results/mog/metrics.csv
  ganbench export results/mog --format parquet --final-only writes results/mog/final.parquet
  ganbench export results/a results/b --format json --out ab.json
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "export", "write the results of one or several stores to CSV, Parquet or JSON", DESCRIPTION)
    p.add_argument("store", nargs="+", help="output directory or results.sqlite file (one or more)")
    p.add_argument("--format", choices=["csv", "parquet", "json"], default="csv",
                   help="file format (default csv); parquet needs pyarrow: pip install 'ganbench[parquet]'")
    p.add_argument("--final-only", action="store_true", help="one row per finished run with its final metrics")
    p.add_argument("--no-losses", action="store_true", help="leave the training-loss points (loss/*) out")
    p.add_argument("--out", metavar="FILE", help="file to write (default: OUT/metrics.<format> or OUT/final.<format>)")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from ganbench.record.export import ExportError, export
    from ganbench.record.store import StoreError, resolve_store_path

    missing = [p for p in (resolve_store_path(s) for s in args.store) if not p.exists()]
    if missing:
        print_error(f"{missing[0]}: no results store here (run `ganbench run SUITE --out DIR` first)")
        return 2
    from ganbench.plan.outpath import OutputPathError, check_output_path
    from ganbench.record.export import default_path

    try:
        check_output_path(args.out or default_path(args.store[0], args.format, args.final_only), inputs=args.store)
    except OutputPathError as exc:
        print_error(str(exc))
        return 2
    t0 = time.perf_counter()
    try:
        path, rows = export(args.store, args.format, final_only=args.final_only, out=args.out,
                            losses=not args.no_losses)
    except (ExportError, StoreError, OSError) as exc:
        print_error(str(exc))
        return 2
    size = path.stat().st_size
    Console().print(f"{args.format}: [bold]{path}[/] ({rows:,} rows, {size / 1024:,.0f} KiB, "
                    f"{time.perf_counter() - t0:.2f} s)", highlight=False)
    return 0
