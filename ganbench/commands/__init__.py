"""One module per ``ganbench`` subcommand, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO


def add_parser(sub: argparse._SubParsersAction, name: str, help: str, description: str) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help, description=description, formatter_class=argparse.RawDescriptionHelpFormatter)


def error_line(message: str) -> str:
    """The one line a script greps for: ``error: `` then the message, its line breaks joined by ``; ``."""
    parts = [p.strip() for p in str(message).splitlines() if p.strip()]
    return "error: " + "; ".join(parts or ["(no message)"])


def print_error(message: str, stream: TextIO | None = None) -> None:
    """Print a bad-input error (the commands then exit 2).

    Not a terminal: exactly one plain line, ``error: ...``, no markup. A terminal: the same text
    with ``error:`` in red, which may wrap there. The message is never parsed as rich markup, so
    a ``[`` in a file name or a plugin's text prints as itself.
    """
    stream = stream or sys.stderr
    line = error_line(message)
    if not stream.isatty():
        stream.write(line + "\n")
        stream.flush()
        return
    from rich.console import Console
    from rich.text import Text

    text = Text("error:", style="bold red")
    text.append(line[len("error:"):])
    Console(file=stream, highlight=False).print(text)
