"""Third-party plugins as a user installs them: a module and a dist-info with ``ganbench`` entry
points in a site directory on sys.path, so discovery goes through real entry points."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def write_dist(site: Path, dist: str, version: str, entry_points: dict[str, str], modules: list[Path]) -> None:
    """Make ``site`` look like a site-packages holding distribution ``dist`` with ``ganbench`` entry points."""
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    eps = "\n".join(f"{k} = {v}" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(f"[ganbench]\n{eps}\n")
    for m in modules:
        shutil.copy(m, site / m.name)


def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dist: str, entry: str, module: str,
                     source: str) -> Iterator[None]:
    """For a fixture to ``yield from``: ``source`` installed as module ``module`` of distribution
    ``dist`` (entry point ``entry``) while the test runs, and forgotten by the import system after."""
    site = tmp_path / "site"
    src = tmp_path / f"{module}.py"
    src.write_text(source)
    write_dist(site, dist, "1.0", {entry: module}, [src])
    monkeypatch.syspath_prepend(str(site))
    yield
    sys.modules.pop(module, None)


def blob_dataset_source(n_samples: int, description: str) -> str:
    """A plugin module's source with one third-party dataset, ``blob``: ``n_samples`` points of a
    2-D Gaussian, no default metrics (so the metric families that apply decide what runs)."""
    return f'''
import torch
from ganbench.api import Dataset, DatasetSpec, MetricSpec, MetricValue, hookimpl

def _load(req):
    g = torch.Generator().manual_seed(0)
    return Dataset(name="blob", kind="vector", data=torch.randn({n_samples}, 2, generator=g).to(req.device))

@hookimpl
def ganbench_datasets():
    return [DatasetSpec(name="blob", kind="vector", load=_load, description={description!r})]
'''
