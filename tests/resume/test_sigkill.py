"""SIGKILL a real `ganbench run` mid-run and mid-store-write: the rerun completes, nothing lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import torch

from ganbench.executors.local import LocalExecutor
from ganbench.record.store import Store
from ganbench.run.runner import run_suite
from ganbench.train.checkpoint import CheckpointOptions

from .conftest import RESUME_SUITE, comparable, resume_suite_text

RUN_ID = "gan__mog-ring8__pack1__seed0"


def _cmd(suite, out, *extra):
    return [sys.executable, "-m", "ganbench.cli", "run", str(suite), "--out", str(out), "--no-report", *extra]


def _env(**extra):
    # one torch thread in the child and in the in-process reference: bitwise-equal numbers
    return {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg", **extra}


def _rerun(suite, out, every):
    """The rerun, in-process (it needs no process of its own; the killed one did)."""
    res = run_suite(suite, out, executor=LocalExecutor(CheckpointOptions(every=every)), render=False)
    assert [o.status for o in res.outcomes] == ["done"], [o.error for o in res.outcomes]
    return res


def _killed_by_fault(suite, out, every: int, fault: str) -> None:
    """A real ``ganbench run`` that ``GANBENCH_FAULT`` SIGKILLs at ``fault``."""
    killed = subprocess.run(_cmd(suite, out, "--checkpoint-every", str(every)), env=_env(GANBENCH_FAULT=fault),
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]


def _reference(suite, out):
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return run_suite(suite, out, executor=LocalExecutor(CheckpointOptions(every=0)), render=False)
    finally:
        torch.set_num_threads(n)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run of RESUME_SUITE, shared by the tests that kill it."""
    d = tmp_path_factory.mktemp("ref")
    suite = d / "resume.yaml"
    suite.write_text(RESUME_SUITE)
    return _reference(suite, d / "out")


def _assert_complete_and_equal(out, ref):
    with Store.open(out, create=False) as s:
        assert s.integrity_ok()
        assert set(s.runs()["status"]) == {"done"}
    got_m, got_r = comparable(out / "results.sqlite")
    ref_m, ref_r = comparable(ref.store_path)
    pd.testing.assert_frame_equal(ref_m, got_m)
    pd.testing.assert_frame_equal(ref_r, got_r)


def test_sigkill_mid_run_then_rerun_resumes(write_suite, tmp_path):
    suite = write_suite(resume_suite_text(steps=300, every=50))
    out = tmp_path / "o"
    proc = subprocess.Popen(_cmd(suite, out, "--checkpoint-every", "10"), env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ckpt = out / "checkpoints" / f"{RUN_ID}.pt"
    deadline = time.time() + 240
    while not ckpt.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed: " + proc.stderr.read().decode()[-2000:]
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(60) == -signal.SIGKILL
    with Store.open(out, create=False) as s:
        assert s.run_status(RUN_ID) == "running"
    assert ckpt.exists()

    _rerun(suite, out, 10)
    assert not ckpt.exists()
    _assert_complete_and_equal(out, _reference(suite, tmp_path / "ref"))


def test_sigkill_inside_a_store_write_then_rerun(write_suite, tmp_path, reference):
    suite = write_suite(RESUME_SUITE)
    out = tmp_path / "o"
    # the 15th store transaction is a metrics write of the run (after ~10 meta/schema writes,
    # the run row, its reset, its 'running' mark and the step-8 metrics): killed before COMMIT
    _killed_by_fault(suite, out, 5, "store-commit:15")
    with Store.open(out, create=False) as s:
        assert s.integrity_ok()
        assert s.run_status(RUN_ID) in ("pending", "running")
    _rerun(suite, out, 5)
    _assert_complete_and_equal(out, reference)


def test_sigkill_while_writing_a_checkpoint_keeps_the_previous_one(write_suite, tmp_path, reference):
    suite = write_suite(RESUME_SUITE)
    out = tmp_path / "o"
    _killed_by_fault(suite, out, 4, "checkpoint-rename:3")
    from ganbench.train.checkpoint import load_checkpoint

    assert load_checkpoint(out / "checkpoints" / f"{RUN_ID}.pt")["meter"]["steps"] == 8
    _rerun(suite, out, 4)
    assert not list((out / "checkpoints").iterdir()), "no checkpoint or temp file is left behind"
    _assert_complete_and_equal(out, reference)
