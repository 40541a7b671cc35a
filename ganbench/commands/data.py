"""``ganbench data prepare NAME``: fetch or build the files a dataset provider needs.

For MNIST (and stacked MNIST, which is built from it) this also trains the MNIST evaluator the
mode metrics use, once, into the data root.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from ganbench.commands import add_parser, print_error
from ganbench.data import default_root


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "data", "prepare dataset files (download, build the MNIST evaluator)",
                   "Dataset file management. `ganbench data prepare NAME` downloads a dataset with "
                   "torchvision when online and, for mnist/stacked-mnist, trains the MNIST evaluator "
                   "(a few minutes on CPU). Offline, put the files where `ganbench datasets` says.")
    dsub = p.add_subparsers(dest="data_command", metavar="SUBCOMMAND")
    prep = dsub.add_parser("prepare", help="fetch or build the files of a dataset",
                           description="Fetch or build the files of dataset NAME under the data root.")
    prep.add_argument("name", help="dataset name (see `ganbench datasets`)")
    prep.add_argument("--root", type=Path, help="data root (default: $GANBENCH_DATA or ~/.cache/ganbench/data)")
    prep.set_defaults(func=cmd_prepare)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def cmd_prepare(args: argparse.Namespace) -> int:
    from ganbench.plugins import UnknownDatasetError, load_registry

    root = (args.root or default_root()).expanduser()
    reg = load_registry()
    try:
        spec = reg.dataset(args.name)
    except UnknownDatasetError as exc:
        print_error(str(exc))
        return 2
    if spec.prepare is None:
        Console().print(f"{args.name}: nothing to prepare (generated on the fly)")
        return 0
    try:
        spec.prepare(root)
        from ganbench.metrics.evaluator_training import prepare_evaluator

        prepare_evaluator(args.name, root)  # the classifier the dataset is scored with, trained once
    except Exception as exc:
        print_error(f"{args.name}: {exc}")
        return 1
    console = Console()
    console.print(f"{args.name}: ready under {root}", highlight=False)
    for line in evaluator_lines(args.name, root):
        console.print(line, highlight=False)
    return 0


def evaluator_lines(dataset: str, root: Path) -> list[str]:
    """The evaluator a prepared dataset's mode metrics use: where it is and its test accuracy (the
    number that says whether mode counts can be trusted)."""
    from ganbench.metrics.evaluator import evaluator_path, load_evaluator, spec_for
    from ganbench.metrics.evaluator_training import EVALUATOR_OF  # the one table of which dataset uses which

    which = EVALUATOR_OF.get(dataset)
    if which is None:
        return []

    try:
        ev = load_evaluator(root, "cpu", which)
    except Exception as exc:  # prepared without it: say so, never a traceback
        return [f"evaluator {which}: not available ({type(exc).__name__}: {exc})"]
    return [f"evaluator {ev.name}: test accuracy {100 * float(ev.test_accuracy):.2f} % on the {which} test set "
            f"(needs >= {100 * spec_for(which).min_accuracy:.0f} %), {evaluator_path(root, which)}"]
