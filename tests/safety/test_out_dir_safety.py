"""One run per output folder, resume only what did not change, and a run's status always agrees
with its metrics."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ganbench.record.store import Store
from ganbench.run.outlock import OutDirLock
from ganbench.run.runner import RunRefused, run_suite


def ganbench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ganbench.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"}, timeout=300)


def test_second_run_on_a_locked_out_is_refused_naming_the_holder(tiny_suite, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with OutDirLock(out):
        res = ganbench("run", str(tiny_suite), "--out", str(out), "--no-report")
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1
    assert f"pid {os.getpid()}" in res.stderr and "in use" in res.stderr
    assert not (out / "results.sqlite").exists()  # nothing trained, nothing written
    # released: the same command now runs
    res = ganbench("run", str(tiny_suite), "--out", str(out), "--no-report", "--seeds", "1", "--budget", "steps=2")
    assert res.returncode == 0, res.stderr


def test_changed_config_is_not_silently_skipped(tiny_suite, tmp_path):
    out = tmp_path / "out"
    run_suite(tiny_suite, out, seeds=[0], render=False)
    changed = tiny_suite.parent / "changed.yaml"
    changed.write_text(tiny_suite.read_text().replace("steps: 20", "steps: 30"))
    assert changed.read_text() != tiny_suite.read_text()
    with pytest.raises(RunRefused) as err:
        run_suite(changed, out, seeds=[0], render=False)
    assert "budget.steps: 20 -> 30" in str(err.value) and "--rerun-changed" in str(err.value)
    with Store.open(out, create=False) as store:  # refused before anything was written
        assert set(store.runs().steps) == {20}
    # the same suite again: resumed, nothing to do
    assert len(run_suite(tiny_suite, out, seeds=[0], render=False).skipped) == 2
    # explicitly: the changed runs run again, with the new budget
    result = run_suite(changed, out, seeds=[0], render=False, rerun_changed=True)
    assert not result.failed and len(result.outcomes) == 2
    with Store.open(out, create=False) as store:
        runs = store.runs()
    assert set(runs.steps) == {30} and all(c["budget"] == {"steps": 30} for c in runs.config)


def test_cli_changed_config_exit_2_lists_fields(tiny_suite, tmp_path, cli):
    out = tmp_path / "out"
    assert cli("run", str(tiny_suite), "--out", str(out), "--no-report", "--seeds", "1").returncode == 0
    res = cli("run", str(tiny_suite), "--out", str(out), "--no-report", "--seeds", "1", "--budget", "steps=7")
    assert res.returncode == 2 and "budget.steps: 20 -> 7" in res.stderr and res.stderr.count("\n") == 1


def test_cleanup_keeps_a_live_writers_temp_file(tmp_path):
    from ganbench.train.checkpoint import Checkpointer

    ck = Checkpointer(tmp_path / "r.pt", "d")
    live = tmp_path / f".r.pt.{os.getppid()}.tmp"  # our parent: alive
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    dead = tmp_path / f".r.pt.{proc.pid}.tmp"
    live.write_bytes(b"x")
    dead.write_bytes(b"x")
    ck.finish()
    assert live.exists() and not dead.exists()


def test_failed_cleanup_does_not_fail_a_finished_run(tiny_suite, tmp_path, monkeypatch):
    original = Path.unlink

    def unlink(self, missing_ok=False):
        if self.suffix == ".pt":
            raise PermissionError(13, "Permission denied", str(self))
        return original(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    result = run_suite(tiny_suite, tmp_path / "out", seeds=[0], render=False)
    with Store.open(tmp_path / "out", create=False) as store:
        runs, metrics = store.runs(), store.metrics(final_only=True)
    for r in runs.itertuples():  # status and final metrics agree, run by run
        assert (r.status == "done") == (r.run_id in set(metrics.run_id)), (r.run_id, r.status, r.error)
    assert not result.failed
