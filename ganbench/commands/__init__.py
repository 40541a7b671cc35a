"""One module per ``ganbench`` subcommand, each with ``register(subparsers)``."""

import argparse


def add_parser(sub: "argparse._SubParsersAction", name: str, help: str, description: str) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help, description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
