"""The kit's pytest entry (``pytest11``): ``pytest --ganbench-plugin=NAME`` checks a plugin's models.

pytest loads every ``pytest11`` entry in every session of an environment that has ganbench, so this
module imports neither torch nor the kit: it only declares the options, and imports
:mod:`ganbench.testing.collect` when ``--ganbench-plugin`` is given.
"""

from __future__ import annotations

from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ganbench", "ganbench plugin conformance kit")
    group.addoption("--ganbench-plugin", action="append", default=[], metavar="NAME",
                    help="run the ganbench conformance checks on model NAME, or on every model of plugin "
                         "(entry point or distribution) NAME; repeatable")
    group.addoption("--ganbench-hparams", default=None, metavar="JSON",
                    help="hyperparameters (a JSON object) overriding the models' defaults in the checks")
    group.addoption("--ganbench-data-shape", default=None, metavar="SHAPE",
                    help="sample shape for the checks, e.g. 2 or 1,16,16 (default: 2-D ring, or 1x16x16 images)")


def pytest_ignore_collect(collection_path: Any, config: pytest.Config) -> bool | None:
    """``pytest --ganbench-plugin=NAME`` without test paths runs the kit alone: started in a folder
    that holds other tests (a ganbench clone's, with their own conftest), collecting them too made
    the kit fail with their import errors. Name paths explicitly to run them with the kit."""
    if config.getoption("ganbench_plugin", default=None) and config.args_source != pytest.Config.ArgsSource.ARGS:
        return True
    return None


@pytest.hookimpl(tryfirst=True)  # before -k/-m deselection, so those filter the kit's items too
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    names: list[str] = config.getoption("ganbench_plugin", default=[]) or []
    if not names:
        return
    from ganbench.testing.collect import add_items  # torch and the plugin registry: only when asked for

    add_items(session, config, items, names)
