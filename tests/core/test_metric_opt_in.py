"""Metrics nobody asked for: an installed third-party metric family no longer joins every suite
that does not list its metrics (opt in by listing it); ``skip_metrics`` opts out of a default one;
the report says which families ran and why (docs/metrics.md, "Which metrics run")."""

from __future__ import annotations

import sqlite3

import pytest

from tests.helpers.plugins import blob_dataset_source, installed_plugin

# no default_metrics on the dataset: every family that applies used to run on it, third-party ones included
THIRD_PARTY_METRIC = blob_dataset_source(200, "a Gaussian blob") + '''
@hookimpl
def ganbench_metrics():
    return [MetricSpec(name="always-one", compute=lambda ctx: {"always_one": MetricValue(1.0, "higher")},
                       description="a third-party metric that applies to everything")]
'''

BASE = ("name: s\nseeds: 1\ndevice: cpu\nbudget: {steps: 2}\neval: {n_samples: 50}\n"
        "datasets: [blob]\n"
        "models: [{model: gan, hparams: {g_hidden: 8, d_hidden: 8}}]\n")


@pytest.fixture
def third_party_metric(tmp_path, monkeypatch):
    yield from installed_plugin(tmp_path, monkeypatch, "ganbench-contrib-always-one", "always-one", "always_one_metric",
                                THIRD_PARTY_METRIC)


def _metric_names(out) -> set[str]:
    con = sqlite3.connect(out / "results.sqlite")
    return {r[0] for r in con.execute("SELECT DISTINCT name FROM metrics WHERE name NOT LIKE 'loss/%'")}


def _run(cli, tmp_path, extra: str, name: str, report: bool = False):
    suite = tmp_path / f"{name}.yaml"
    suite.write_text(BASE.replace("datasets:", extra + "datasets:") if extra else BASE)
    out = tmp_path / name
    res = cli("run", str(suite), "--out", str(out), *([] if report else ["--no-report"]))
    assert res.returncode == 0, res.stderr
    return out


def test_an_installed_third_party_metric_runs_only_when_listed(third_party_metric, cli, tmp_path):
    out = _run(cli, tmp_path, "", "default", report=True)
    names = _metric_names(out)
    assert "always_one" not in names
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Which metric families ran, and why" in page
    assert "not run: third-party, runs only when a suite lists it in metrics" in page
    listed = _run(cli, tmp_path, "metrics: [always-one]\n", "listed")
    assert "always_one" in _metric_names(listed)


def test_skip_metrics_opts_out_of_a_default_family(cli, tmp_path):
    suite = tmp_path / "ring.yaml"
    suite.write_text(BASE.replace("[blob]", "[{name: mog-ring8, params: {n_samples: 200}}]"))
    assert cli("run", str(suite), "--out", str(tmp_path / "ring"), "--no-report").returncode == 0
    assert "modes" in _metric_names(tmp_path / "ring")
    suite.write_text(suite.read_text() + "skip_metrics: [mog-modes]\n")
    assert cli("run", str(suite), "--out", str(tmp_path / "skip"), "--no-report").returncode == 0
    assert "modes" not in _metric_names(tmp_path / "skip")


def test_skip_metrics_names_are_checked(third_party_metric, cli, tmp_path):
    suite = tmp_path / "bad.yaml"
    suite.write_text(BASE + "skip_metrics: [mog-mode]\n")
    res = cli("run", str(suite), "--out", str(tmp_path / "bad"), "--no-report")
    assert res.returncode == 2 and "unknown metric 'mog-mode'" in res.stderr
