"""Resume: an interrupted run continues from its checkpoint and ends exactly as an uninterrupted one."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from ganbench.executors.local import LocalExecutor
from ganbench.record.store import Store
from ganbench.run.runner import run_suite
from ganbench.train.checkpoint import (
    CheckpointError,
    CheckpointOptions,
    check_plain,
    checkpoint_path,
    load_checkpoint,
    rng_state,
    set_rng_state,
)
from tests.helpers.crash import Crash, crashing_at

from .conftest import comparable


def test_resumed_run_matches_uninterrupted(resume_suite, tmp_path):
    ref = run_suite(resume_suite, tmp_path / "ref", executor=LocalExecutor(CheckpointOptions(every=0)), render=False)
    assert [o.status for o in ref.outcomes] == ["done"]

    out = tmp_path / "crashy"
    with crashing_at(14), pytest.raises(Crash):
        run_suite(resume_suite, out, executor=LocalExecutor(CheckpointOptions(every=4)), render=False)
    ckpt = out / "checkpoints" / "gan__mog-ring8__pack1__seed0.pt"
    assert ckpt.exists()
    assert load_checkpoint(ckpt)["meter"]["steps"] == 12
    with Store.open(out) as s:
        assert s.run_status("gan__mog-ring8__pack1__seed0") == "running"

    resumed = run_suite(resume_suite, out, executor=LocalExecutor(CheckpointOptions(every=4)), render=False)
    assert [o.status for o in resumed.outcomes] == ["done"]
    assert not ckpt.exists(), "a finished run's checkpoint is removed by default"

    ref_m, ref_r = comparable(ref.store_path)
    got_m, got_r = comparable(resumed.store_path)
    assert set(ref_m[~ref_m["name"].str.startswith("loss/")]["step"]) == {8, 16, 24}
    assert set(ref_m[ref_m["name"].str.startswith("loss/")]["step"]) == set(range(1, 25))  # < 500 steps: each
    pd.testing.assert_frame_equal(ref_m, got_m)  # the loss curve too: points before the crash kept, none twice
    pd.testing.assert_frame_equal(ref_r, got_r)
    with Store.open(out) as s:
        assert s.integrity_ok()


def test_checkpoint_kept_when_asked_and_ignored_after_config_change(resume_suite, tmp_path):
    out = tmp_path / "o"
    res = run_suite(resume_suite, out, executor=LocalExecutor(CheckpointOptions(every=10, keep=True)), render=False)
    assert res.outcomes[0].status == "done"
    ck = load_checkpoint(out / "checkpoints" / "gan__mog-ring8__pack1__seed0.pt")
    assert ck["meter"]["steps"] == 20  # the last one before the budget ran out
    assert {r[1] for r in ck["history"] if not r[4].startswith("loss/")} == {8, 16}
    assert {r[1] for r in ck["history"] if r[4].startswith("loss/")} == set(range(1, 21))  # the loss curve so far

    # the suite changes: the old checkpoint must not be resumed into the new config
    resume_suite.write_text(resume_suite.read_text().replace("g_hidden: 32", "g_hidden: 24"))
    with Store.open(out) as s:  # force a rerun of the (changed) run
        s.upsert_run("gan__mog-ring8__pack1__seed0", status="failed")
    res = run_suite(resume_suite, out, executor=LocalExecutor(CheckpointOptions(every=0)), render=False)
    assert res.outcomes[0].status == "done", res.outcomes[0].error
    assert res.outcomes[0].steps == 24
    assert not (out / "checkpoints" / "gan__mog-ring8__pack1__seed0.pt").exists(), "the stale one was discarded"
    with Store.open(out) as s:
        m = s.metrics()
    steps = sorted(set(m[~m["name"].str.startswith("loss/")]["step"]))
    assert steps == [8, 16, 24], "no history of the stale run survives"


def test_rng_state_roundtrip_through_weights_only(tmp_path):
    import random

    import numpy as np

    state = rng_state()
    torch.save(state, tmp_path / "r.pt")
    a = (torch.rand(3), np.random.rand(3), random.random())
    set_rng_state(torch.load(tmp_path / "r.pt", weights_only=True))
    b = (torch.rand(3), np.random.rand(3), random.random())
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2] == b[2]


def test_non_plain_state_is_refused_with_the_key():
    check_plain({"w": torch.zeros(2), "cfg": {"lr": 1e-3, "betas": (0.5, 0.9), "x": None}})
    with pytest.raises(CheckpointError, match=r"\['opt'\]"):
        check_plain({"opt": object()}, "state_dict()")


def test_checkpoint_loading_never_unpickles_code(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    p = tmp_path / "evil.pt"
    torch.save({"format": 1, "x": Evil()}, p)
    with pytest.raises(CheckpointError, match="unreadable checkpoint"):
        load_checkpoint(p)


@pytest.mark.parametrize("bad", ["../escape", "a/b", "..", ""])
def test_checkpoint_paths_stay_in_their_directory(tmp_path, bad):
    with pytest.raises(CheckpointError):
        checkpoint_path(tmp_path, bad)
    assert checkpoint_path(tmp_path, "ok__id").parent == tmp_path.resolve()
