"""``ganbench plugins``: what was discovered through the ``ganbench`` entry-point group."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ganbench.commands import add_parser


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "plugins", "list model plugins found through entry points",
                   "List every model discovered through the `ganbench` entry-point group: its name, "
                   "version, distribution and capabilities. Plugins that fail to import, whose hooks "
                   "raise, or that target another plugin API version are listed as broken with "
                   "their error; the others still work.")
    p.set_defaults(func=cmd_plugins)


def cmd_plugins(args: argparse.Namespace) -> int:
    from ganbench.plugins import load_registry

    reg = load_registry()
    console = Console()
    table = Table(title="ganbench model plugins")
    for col in ("model", "version", "distribution", "capabilities", "paper"):
        table.add_column(col)
    for name in sorted(reg.models):
        spec, owner = reg.models[name], reg.model_owner[name]
        dist = f"{owner.distribution} {owner.version}" if owner.distribution else owner.name
        table.add_row(name, spec.version, dist, spec.capabilities.describe(), spec.paper)
    console.print(table)
    broken = [p for p in reg.plugins if p.broken]
    for p in broken:
        detail = escape(f"plugin {p.name!r} ({p.distribution or '?'} {p.version or ''}): {p.error}")
        console.print(f"[red]broken[/] {detail}", highlight=False)
    for problem in reg.problems:
        if not any(p.name in problem for p in broken):
            console.print(f"[yellow]warning:[/] {problem}", highlight=False)
    console.print(f"{len(reg.models)} model(s), {len(reg.datasets)} dataset(s), {len(reg.metrics)} metric(s)")
    return 1 if broken else 0
