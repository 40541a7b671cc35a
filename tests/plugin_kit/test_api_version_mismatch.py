"""Contract versioning: a plugin written for another major plugin API is listed as broken with a
message saying what to do, by ``ganbench plugins``, the kit and ``ganbench run``; never a crash
mid-run. The plugin is a real distribution (dist-info with an entry point) on PYTHONPATH."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ganbench.api import API_VERSION

from .conftest import cli_env

FUTURE = str(int(API_VERSION.split(".")[0]) + 1) + ".0"

PLUGIN = f'''
from ganbench.api import ModelSpec
from ganbench.contract.hookspecs import hookimpl

def _build(ctx):
    raise AssertionError("a model for another API major must never be built")

@hookimpl
def ganbench_models():
    return [ModelSpec(name="future-gan", build=_build, version="3.0", api_version="{FUTURE}")]
'''


@pytest.fixture
def future_site(tmp_path) -> Path:
    site = tmp_path / "site"
    info = site / "ganbench_future-3.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ganbench-future\nVersion: 3.0\n")
    (info / "entry_points.txt").write_text("[ganbench]\nfuture = future_api_plugin\n")
    (site / "future_api_plugin.py").write_text(PLUGIN)
    return site


def run(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**cli_env(), "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_plugins_command_explains_api_mismatch(future_site, tmp_path):
    res = run(["ganbench.cli", "plugins"], future_site, tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr  # a broken plugin is a non-zero exit
    out = " ".join(res.stdout.split())  # undo rich's line wrapping
    assert "broken plugin 'future'" in out and "ganbench-future 3.0" in out
    assert f"targets plugin API {FUTURE}" in out and f"provides {API_VERSION}" in out
    assert f"written for API {API_VERSION.split('.')[0]}.x" in out
    assert "gan " in res.stdout  # the other plugins still work
    assert "future-gan" not in res.stdout.split("broken")[0]  # not in the model table


def test_run_refuses_before_training(future_site, tmp_path):
    suite = tmp_path / "s.yaml"
    suite.write_text("name: f\nseeds: 1\ndevice: cpu\nbudget: {steps: 2}\ndatasets: [mog-ring8]\n"
                     "models: [{model: future-gan}]\n")
    res = run(["ganbench.cli", "run", str(suite), "--out", str(tmp_path / "o")], future_site, tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    err = " ".join(res.stderr.split())
    assert "unknown model 'future-gan'" in err and "broken plugins: future" in err and "ganbench plugins" in err


def test_kit_reports_api_mismatch(future_site, tmp_path):
    res = run(["pytest", "-q", "-p", "no:cacheprovider", "--ganbench-plugin=future"], future_site, tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "plugin 'future' is broken" in res.stdout and f"targets plugin API {FUTURE}" in res.stdout
