"""Fixtures for the plugin-author tests: installing a package into this venv for one test module."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomllib

REPO = Path(__file__).resolve().parents[2]


def first_party_distributions(repo: Path = REPO) -> set[str]:
    """Distribution names of the plugins listed in plugins/requirements.txt (what CI installs)."""
    names = set()
    for line in (repo / "plugins" / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line.startswith("-e "):
            continue
        pyproject = repo / line[3:].strip() / "pyproject.toml"
        if pyproject.is_file():
            names.add(tomllib.loads(pyproject.read_text())["project"]["name"])
    return names


def norm(name: str) -> str:
    return name.replace("_", "-").replace(".", "-").lower()


def pip(*args: str) -> subprocess.CompletedProcess:
    """This venv's pip, offline and quiet: plugin installs in tests need no index."""
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INDEX": "1"}
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, env=env, timeout=300)


def cli_env() -> dict[str, str]:
    """Environment for subprocesses: one thread (tiny models; no OpenMP spinning on a busy box),
    a non-interactive matplotlib, wide rich tables."""
    return {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def installed() -> Iterator:
    """``installed(path, dist)``: editable-install a plugin package into this venv (no deps, no build
    isolation: offline and quick); everything installed is uninstalled when the test ends."""
    done: list[str] = []

    def _install(path: Path, dist: str) -> None:
        r = pip("install", "--no-deps", "--no-build-isolation", "-q", "-e", str(path))
        assert r.returncode == 0, f"pip install -e {path} failed:\n{r.stdout}\n{r.stderr}"
        done.append(dist)

    yield _install
    for dist in reversed(done):
        pip("uninstall", "-y", "-q", dist)
