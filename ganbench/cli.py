"""The ``ganbench`` command line. Each subcommand lives in ``ganbench/commands/<name>.py`` with a
``register(subparsers)`` function; this module only wires them together."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path

from rich.console import Console
from rich.logging import RichHandler

from ganbench import __version__

COMMANDS = (
    "run",
    "report",
    "plugins",
    "datasets",
    "data",
    "baseline",
    "check",
    "export",
    "sample",
    "evaluate",
    "bench",
    "new-plugin",
)

DESCRIPTION = """\
ganbench trains GAN model plugins under a fixed budget on standard datasets, measures them
(mode coverage, IS/FID/KID, throughput) over several seeds, and renders a comparative HTML report.

Typical use:
  ganbench plugins                      list the model plugins found through entry points
  ganbench run suites/mog.yaml          run a suite; prints where the report is
  ganbench report OUT_DIR               re-render the report of a results store
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ganbench", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"ganbench {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"ganbench.commands.{name.replace('-', '_')}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)],
        format="%(message)s",
        handlers=[RichHandler(console=Console(stderr=True), show_path=False)],
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from ganbench.commands import print_error

    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        # Ctrl-C: one line, not a traceback; what was committed to a store stays (a run resumes)
        resume = " (finished runs are kept; the same command resumes the rest)" if args.command == "run" else ""
        print_error(f"interrupted{resume}")
        return 130
    except Exception as exc:
        # A bug or a case no command foresaw: still one line and exit 2 (never 1, which `check` means
        # as "regression"); -vv shows the traceback for a bug report.
        if args.verbose >= 2:
            raise
        where = ""
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None:
            where = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"
        print_error(f"ganbench {args.command}: unexpected {type(exc).__name__}{where}: {exc} "
                    "(run again with -vv for the traceback, and please report it)")
        return 2


if __name__ == "__main__":
    sys.exit(main())
