"""``ganbench plugins``: what was discovered through the ``ganbench`` entry-point group."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ganbench.commands import add_parser


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "plugins", "list the models, datasets, metrics and sinks the plugins provide",
                   "List everything discovered through the `ganbench` entry-point group: every model "
                   "(name, version, distribution, capabilities), then every dataset provider, metric "
                   "family and tracker sink with its version and the module that provides it (a run "
                   "records these versions). Plugins that fail to import, whose hooks raise, or that "
                   "target another plugin API version are listed as broken with their error; the others "
                   "still work. Exit status: 0, or 1 when a plugin is broken.")
    p.add_argument("--models-only", action="store_true", help="only the models table")
    p.set_defaults(func=cmd_plugins)


def _provider(fn: object) -> str:
    return str(getattr(fn, "__module__", "") or "")


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
    if not getattr(args, "models_only", False):
        _print_components(console, reg)
    broken = [p for p in reg.plugins if p.broken]
    for p in broken:
        detail = escape(f"plugin {p.name!r} ({p.distribution or '?'} {p.version or ''}): {p.error}")
        console.print(f"[red]broken[/] {detail}", highlight=False)
    for problem in reg.problems:
        if not any(p.name in problem for p in broken):
            console.print(f"[yellow]warning:[/] {problem}", highlight=False)
    console.print(f"{len(reg.models)} model(s), {len(reg.datasets)} dataset(s), {len(reg.metrics)} metric(s)")
    return 1 if broken else 0


def _print_components(console: Console, reg: object) -> None:
    """Datasets, metrics and sinks, each with its version: what `ganbench run` records per run."""
    from ganbench.record.sinks import discover_sinks

    datasets = Table(title="datasets")
    for col in ("dataset", "version", "kind", "provider", "description"):
        datasets.add_column(col, overflow="fold")
    for name, spec in sorted(reg.datasets.items()):  # type: ignore[attr-defined]
        datasets.add_row(escape(name), escape(str(spec.version)), escape(str(spec.kind)), escape(_provider(spec.load)),
                         escape(spec.description))
    console.print(datasets)
    metrics = Table(title="metrics")
    for col in ("metric", "version", "provider", "description"):
        metrics.add_column(col, overflow="fold")
    for name, spec in sorted(reg.metrics.items()):  # type: ignore[attr-defined]
        metrics.add_row(escape(name), escape(str(spec.version)), escape(_provider(spec.compute)),
                        escape(spec.description))
    console.print(metrics)
    specs, problems = discover_sinks(reg.extra_modules)  # type: ignore[attr-defined]
    sinks = Table(title="tracker sinks (ganbench run --sink NAME)")
    for col in ("sink", "version", "provider", "description"):
        sinks.add_column(col, overflow="fold")
    for name, s in sorted(specs.items()):
        sinks.add_row(escape(name), escape(str(getattr(s, "version", "0"))), escape(_provider(s.open)), escape(s.description))
    console.print(sinks)
    for problem in problems:
        console.print(f"[yellow]warning:[/] {escape(problem)}", highlight=False)
