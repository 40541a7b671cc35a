"""Shared fixtures. Area-specific fixtures live in each tests/<area>/ folder's own conftest.py."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from tests.helpers.suites import suite_text as render_suite

os.environ.setdefault("MPLBACKEND", "Agg")
torch.set_num_threads(min(2, os.cpu_count() or 1))

REPO = Path(__file__).resolve().parent.parent


SLOW_FIXTURES = {
    "evaluator": "trains the MNIST evaluator on a fresh data root (minutes on 2 cores)",
    "fashion_evaluator": "trains the Fashion-MNIST evaluator on a fresh data root (minutes on 2 cores)",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that needs a trained evaluator is ``slow``: on a clean data root its first use trains
    the CNN (3-4 epochs of 60,000 images). The README's ``python -m pytest`` deselects ``slow``
    (pyproject addopts); ``.ci/run-slow`` runs them (``python -m pytest -m slow``)."""
    for item in items:
        if SLOW_FIXTURES.keys() & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def registry():
    from ganbench.plugins import load_registry

    return load_registry()


def provisioned_root(dataset: str, label: str) -> Path:
    """The data root holding ``dataset``'s files, from $GANBENCH_DATA (CI provisions it there) or
    ~/.cache/ganbench/data. Locally a test that needs it skips with the reason; in CI (CI=true) a
    missing dataset is a failure."""
    from ganbench.data import default_root
    from ganbench.data.mnist import mnist_files

    root = default_root()
    if any(not p.is_file() for p in mnist_files(root, dataset)):
        msg = f"{label} not found under {root} (run ../shared/data/provision-datasets {root} {dataset})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return root


@pytest.fixture(scope="session")
def mnist_root() -> Path:
    """MNIST's data root (see :func:`provisioned_root`)."""
    return provisioned_root("mnist", "MNIST")


@pytest.fixture(scope="session")
def fashion_root() -> Path:
    """Fashion-MNIST's data root (see :func:`provisioned_root`)."""
    return provisioned_root("fashion-mnist", "Fashion-MNIST")


@pytest.fixture(scope="session")
def fashion_evaluator(fashion_root):
    """The Fashion-MNIST evaluator: trained once per data root (a few minutes on 2 CPU cores), then cached."""
    from ganbench.metrics.evaluator_training import ensure_evaluator

    return ensure_evaluator(fashion_root, "cpu", progress=False, dataset="fashion-mnist")


@pytest.fixture(scope="session")
def evaluator(mnist_root):
    """The MNIST evaluator: trained once per data root (a few minutes on 2 CPU cores), then cached."""
    from ganbench.metrics.evaluator_training import ensure_evaluator

    return ensure_evaluator(mnist_root, "cpu", progress=False)


@dataclass
class CliResult:
    """What a finished ``ganbench`` command left: as :class:`subprocess.CompletedProcess` has it."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path, env: dict[str, str | None] | None = None, cwd: Path | None = None) -> CliResult:
    """``ganbench ARGS`` run in this interpreter: the same ``ganbench.cli.main`` a shell runs, its
    stdout, stderr (logging included) and exit status captured, without paying an interpreter and
    a torch import per call (about 3 s each on a 2-core CI box). Tests whose point is a separate
    process (a kill, a signal, entry points of a freshly installed plugin) still use subprocess."""
    import contextlib
    import io
    import logging
    import traceback

    from ganbench.cli import main

    out, err = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    for key, value in {"COLUMNS": "200", **(env or {})}.items():  # None unsets
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    root.handlers = []  # so main()'s logging.basicConfig installs its own handler, onto our stderr
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse errors, --help, --version
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except Exception:  # what the interpreter would print before exiting 1
                traceback.print_exc()
                code = 1
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers = saved_handlers
        root.setLevel(saved_level)
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
    return CliResult(int(code), out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    """:func:`run_cli`: ``cli("run", suite, "--out", out)`` -> returncode / stdout / stderr."""
    return run_cli


@pytest.fixture
def write_suite(tmp_path):
    """Write a suite YAML text to a file and return its path."""

    def _write(text: str, name: str = "suite.yaml") -> Path:
        p = tmp_path / name
        p.write_text(text)
        return p

    return _write


@pytest.fixture
def suite_text():
    """:func:`tests.helpers.suites.suite_text`: the tiny suite's YAML with the fields a test varies."""
    return render_suite


@pytest.fixture
def tiny_suite(write_suite) -> Path:
    """A MoG suite that trains in about a second per run."""
    return write_suite(render_suite())


@pytest.fixture
def one_thread():
    """One torch thread for the test: tiny models gain nothing from a second one, on a busy machine
    OpenMP threads waiting on each other make runs 20x slower, and a local reference run must use
    the thread count a Ray task gets (one) to match it bit for bit."""
    from ganbench.testing import one_thread as single_thread

    with single_thread():
        yield
