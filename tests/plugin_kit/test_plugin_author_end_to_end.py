"""What docs/plugin-guide.md tells a new plugin author to do, done for real in subprocesses:
``ganbench new-plugin`` → ``pip install -e`` → ``pytest`` (the conformance kit) → ``ganbench run``
beside the first-party ``gan``. The same for plugins/example-thirdparty, which is not in
plugins/requirements.txt and must be found with no configuration once installed.

The packages are installed into this venv (offline: no deps, no build isolation) and uninstalled
when the module ends, so the venv stays clean.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ganbench.cli import main
from ganbench.plugins import load_registry
from ganbench.record.store import Store
from tests.helpers.suites import gan, ring, suite_text

from .conftest import REPO, cli_env

pytestmark = pytest.mark.slow

def _suite(datasets: list, models: list, **fields) -> str:
    """The author's ``models`` beside the first-party ``gan`` (packs 1 and 2): one seed, 30 steps."""
    return suite_text(name="plugin-author-e2e", seeds=1, budget={"steps": 30}, eval={"n_samples": 300},
                      datasets=datasets, models=[gan(packs=[1, 2]), *models], **fields)


def ganbench(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ganbench.cli", *args], capture_output=True, text=True,
                          env=cli_env(), cwd=cwd, timeout=600)


def counts(listing: str) -> tuple[int, int, int]:
    """(models, datasets, metrics) from the last line of ``ganbench plugins``."""
    m = re.search(r"(\d+) model\(s\), (\d+) dataset\(s\), (\d+) metric\(s\)", listing)
    assert m, listing
    return tuple(int(g) for g in m.groups())


def run_pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          capture_output=True, text=True, env=cli_env(), cwd=cwd, timeout=600)


def run_suite(tmp_path: Path, text: str) -> tuple[subprocess.CompletedProcess, Path]:
    suite = tmp_path / "suite.yaml"
    suite.write_text(text)
    out = tmp_path / "out"
    return ganbench("run", str(suite), "--out", str(out), "--no-report"), out


def test_new_plugin_written_tested_installed_and_benchmarked(tmp_path, installed):
    assert main(["new-plugin", "ganbench-kitdemo", "--dir", str(tmp_path)]) == 0
    pkg = tmp_path / "ganbench-kitdemo"
    assert {"pyproject.toml", "README.md", ".gitignore"} <= {p.name for p in pkg.iterdir()}
    assert (pkg / "ganbench_kitdemo" / "plugin.py").is_file()
    assert '[project.entry-points.ganbench]\nganbench_kitdemo = "ganbench_kitdemo.plugin"' in (pkg / "pyproject.toml").read_text()

    installed(pkg, "ganbench-kitdemo")

    tests = run_pytest(cwd=pkg)  # the package's own tests: its unit tests (BuildContext.for_tests) and the kit
    assert tests.returncode == 0, tests.stdout + tests.stderr
    # 2 unit tests + 13 kit checks, of which `conditional`, `encoding` and `codes` do not apply to the
    # template's model
    assert "12 passed, 3 skipped" in tests.stdout, tests.stdout

    listing = ganbench("plugins")
    assert "kitdemo" in listing.stdout and "ganbench-kitdemo" in listing.stdout, listing.stdout

    run, out = run_suite(tmp_path, _suite([ring(2000)], [{"model": "kitdemo", "packs": [1, 2]}]))
    assert run.returncode == 0, run.stdout + run.stderr
    with Store.open(out, create=False) as store:
        runs, final = store.runs(), store.metrics(final_only=True)
    assert sorted(runs.model.unique()) == ["gan", "kitdemo"]
    assert (runs.status == "done").all() and len(runs) == 4
    assert {"modes", "hq_share", "reverse_kl"} <= set(final.name)


def test_example_thirdparty_found_without_configuration(tmp_path, installed):
    example = REPO / "plugins" / "example-thirdparty"
    before = load_registry()
    assert "rsgan" not in before.models  # not installed by plugins/requirements.txt
    installed(example, "ganbench-example-relativistic")

    listing = ganbench("plugins")
    assert listing.returncode == 0, listing.stdout + listing.stderr
    assert "rsgan" in listing.stdout and "ragan" in listing.stdout
    assert "ganbench-example-relativistic" in listing.stdout
    # two models, a dataset and a metric more than before, all through the hooks
    assert counts(listing.stdout) == (len(before.models) + 2, len(before.datasets) + 1, len(before.metrics) + 1)

    # The package's own tests (the kit through ModelConformance, its dataset and metric) and the
    # kit from the command-line option alone, in one pytest; the costly `improves` check only once.
    kit = run_pytest(str(example), "--ganbench-plugin=relativistic", "-k", "not improves or (rsgan and not Conformance)",
                     cwd=tmp_path)
    assert kit.returncode == 0, kit.stdout + kit.stderr
    # 2 classes x 10 checks + 3 own tests, and 2 models x 10 checks + rsgan's `improves` from the
    # option; `conditional` (unconditional models), `encoding` and `codes` (no encoder, no latent
    # codes) are skipped in each of the 4 sets
    assert "40 passed, 12 skipped" in kit.stdout, kit.stdout

    run, out = run_suite(tmp_path, _suite([ring(2000), ring(2000, name="two-moons")],
                                      [{"model": m, "hparams": {"g_hidden": 32, "d_hidden": 32}} for m in ("rsgan", "ragan")],
                                      metrics=["mog-modes", "sliced-wasserstein"]))
    assert run.returncode == 0, run.stdout + run.stderr
    with Store.open(out, create=False) as store:
        runs, metrics = store.runs(), store.metrics()
    assert set(runs.model) == {"gan", "rsgan", "ragan"} and (runs.status == "done").all()
    assert set(runs.dataset) == {"mog-ring8", "two-moons"}
    swd = metrics[metrics.name == "swd"]
    assert len(swd) and swd.value.notna().all() and (swd.value > 0).all()
    moons_runs = set(runs[runs.dataset == "two-moons"].run_id)
    assert moons_runs <= set(swd.run_id)
