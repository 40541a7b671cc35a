"""``ganbench datasets``: dataset providers, where their files are, and whether they are present."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ganbench.commands import add_parser
from ganbench.data import default_root


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "datasets", "list dataset providers and whether their files are present",
                   "List every dataset provider (built in or from plugins), the files it needs under "
                   "the data root, and whether they are present. Root: --root, else $GANBENCH_DATA, "
                   "else ~/.cache/ganbench/data.")
    p.add_argument("--root", type=Path, help="data root (default: $GANBENCH_DATA or ~/.cache/ganbench/data)")
    p.set_defaults(func=cmd_datasets)


def cmd_datasets(args: argparse.Namespace) -> int:
    from ganbench.plugins import load_registry

    root = args.root or default_root()
    reg = load_registry()
    table = Table(title=f"datasets (root: {root})")
    for col in ("dataset", "version", "kind", "status", "description"):
        table.add_column(col)
    for name in sorted(reg.datasets):
        spec = reg.datasets[name]
        if spec.files is None:
            status = "generated (no files)"
        else:
            files = spec.files(root)
            missing = [f for f in files if not f.exists()]
            status = "present" if not missing else f"missing {len(missing)}/{len(files)} (ganbench data prepare {name})"
        table.add_row(name, spec.version, spec.kind, status, spec.description)
    Console().print(table)
    return 0
