"""The command line, end to end: once in a subprocess as a user would run it (and where a fresh
interpreter is the point: plugins found on a new PYTHONPATH), otherwise through ``ganbench.cli.main``
in this interpreter (the ``cli`` fixture: same parser, output and exit status, no 3-s start-up)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ganbench.cli import COMMANDS
from ganbench.record.store import Store
from tests.helpers.suites import ring, suite_text


def ganbench(*args: str, env_extra: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "ganbench.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=600)


def test_run_tiny_suite_end_to_end(tiny_suite, tmp_path, cli):
    out = tmp_path / "out"
    res = ganbench("run", str(tiny_suite), "--out", str(out))
    assert res.returncode == 0, res.stderr + res.stdout
    assert "4 runs" in res.stdout and "report:" in res.stdout
    assert "modes" in res.stdout  # the summary table
    with Store.open(out, create=False) as store:
        runs = store.runs()
        assert len(runs) == 4 and (runs.status == "done").all()
        assert (runs.steps == 20).all()
        m = store.metrics()
        assert {"modes", "hq_share", "reverse_kl", "train_samples_per_s", "gen_samples_per_s"} <= set(m.name)
        assert sorted(set(m[m.name == "modes"].step)) == [10, 20]
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "http://" not in html.replace("http://www.w3.org", "")

    # same --out again: everything done is skipped
    again = cli("run", str(tiny_suite), "--out", str(out))
    assert again.returncode == 0 and "4 already done, 0 to run" in again.stdout


def test_overrides_on_the_command_line(tiny_suite, tmp_path, cli):
    out = tmp_path / "o"
    res = cli("run", str(tiny_suite), "--out", str(out), "--seeds", "5", "--budget", "steps=4", "--device", "cpu")
    assert res.returncode == 0, res.stderr
    with Store.open(out, create=False) as store:
        runs = store.runs()
    assert len(runs) == 2 * 5 and (runs.steps == 4).all()


def test_misbehaving_plugins_fail_their_runs_only(plugin_site, write_suite, tmp_path):
    bad = ["tiny-ok", "tiny-build-raises", "tiny-step-raises", "tiny-nan", "tiny-wrong-shape"]
    suite = write_suite(suite_text(name="bad", seeds=1, batch_size=8, budget={"steps": 6}, eval={"n_samples": 50},
                                   datasets=[ring(500)], models=[{"model": m} for m in bad]))
    out = tmp_path / "out"
    res = ganbench("run", str(suite), "--out", str(out), env_extra={"PYTHONPATH": str(plugin_site)})
    assert res.returncode == 1, res.stdout + res.stderr
    assert "4 run(s) failed" in res.stderr
    with Store.open(out, create=False) as store:
        runs = store.runs().set_index("label")
    assert runs.loc["tiny-ok", "status"] == "done"
    errors = runs["error"].to_dict()
    assert "model 'tiny-build-raises'" in errors["tiny-build-raises"] and "build raised ValueError" in errors["tiny-build-raises"]
    assert "train_step raised RuntimeError at step 3" in errors["tiny-step-raises"]
    assert runs.loc["tiny-step-raises", "steps"] == 2  # progress before the failure is kept
    assert "non-finite loss loss=nan at step 2" in errors["tiny-nan"]
    assert "sample(50) returned shape (50, 1), expected (50, 2)" in errors["tiny-wrong-shape"]
    assert (runs.loc[["tiny-build-raises", "tiny-nan"], "status"] == "failed").all()
    assert (out / "report.html").exists()


def test_plugins_command_lists_models_and_broken(plugin_site):
    res = ganbench("plugins", env_extra={"PYTHONPATH": str(plugin_site)})
    assert "gan" in res.stdout and "ganbench-zoo-gan" in res.stdout and "vector, packing" in res.stdout
    assert "tiny-ok" in res.stdout and "ganbench-test-tiny 9.9" in res.stdout
    assert "broken" in res.stdout and "a_module_that_does_not_exist" in res.stdout
    assert res.returncode == 1  # a broken plugin is worth a non-zero status


def test_bad_suite_exits_2_with_one_line(write_suite, tmp_path, cli):
    suite = write_suite("name: s\nbudget: {steps: 5}\ndatasets: [mog-ring8]\nmodels: [{model: nope}]\n")
    res = cli("run", str(suite), "--out", str(tmp_path / "o"))
    assert res.returncode == 2
    assert "models[0].model: unknown model 'nope'" in res.stderr
    assert "Traceback" not in res.stderr
    res = cli("run", str(tmp_path / "missing.yaml"))
    assert res.returncode == 2 and "suite file not found" in res.stderr
    res = cli("run", str(suite), "--budget", "steps=-3")
    assert res.returncode == 2 and "--budget" in res.stderr


def test_help_explains_every_subcommand(cli):
    res = cli("--help")
    assert res.returncode == 0
    for name in COMMANDS:
        assert name in res.stdout
        sub = cli(name, "--help")
        assert sub.returncode == 0 and len(sub.stdout) > 200, name
    run_help = cli("run", "--help").stdout
    for opt in ("--out", "--seeds", "--device", "--budget"):
        assert opt in run_help


def test_report_command_rerenders(tiny_suite, tmp_path, cli):
    out = tmp_path / "o"
    assert cli("run", str(tiny_suite), "--out", str(out), "--seeds", "1", "--no-report").returncode == 0
    assert not (out / "report.html").exists()
    res = cli("report", str(out), "--out", str(tmp_path / "r.html"))
    assert res.returncode == 0 and (tmp_path / "r.html").stat().st_size > 1000
    assert cli("report", str(tmp_path / "nowhere")).returncode == 2
