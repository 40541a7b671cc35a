"""The Ray executor on a real local Ray instance: same store as the local executor, runs in
parallel, worker crashes and hangs recorded as failed runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ganbench.executors.local import LocalExecutor
from ganbench.executors.ray import RayExecutor
from ganbench.record.store import Store
from ganbench.run.runner import run_suite
from ganbench.train.checkpoint import CheckpointOptions
from tests.helpers.store import comparable
from tests.helpers.suites import gan, ring, suite_text


def _comparable(path):
    return comparable(path, ["run_id", "status", "error", "steps", "kimg", "seed", "pack"])


def test_ray_store_equals_local_store(ray_session, tiny_suite, tmp_path, one_thread):
    local = run_suite(tiny_suite, tmp_path / "local", executor=LocalExecutor(CheckpointOptions(every=0)), render=False)
    seen: list[float] = []
    ray_res = run_suite(
        tiny_suite, tmp_path / "ray", render=False,
        executor=RayExecutor(max_concurrent=2, checkpoints=CheckpointOptions(every=5)),
        progress=lambda run, f, s: seen.append(f),
    )
    assert [o.status for o in ray_res.outcomes] == ["done"] * 4
    lm, lr = _comparable(local.store_path)
    rm, rr = _comparable(ray_res.store_path)
    assert len(lm) > 0
    pd.testing.assert_frame_equal(lm, rm)
    pd.testing.assert_frame_equal(lr, rr)
    with Store.open(ray_res.store_path) as s:
        runs = s.runs()
        assert s.integrity_ok()
    workers = {hw["ray_worker"] for hw in runs["hardware"]}
    assert len(workers) >= 2, "runs were spread over parallel workers"
    spans = sorted(zip(runs["started_at"], runs["finished_at"]))
    assert any(b0 < a1 for (a0, a1), (b0, b1) in zip(spans, spans[1:])), "at least two runs overlapped in time"
    assert seen, "progress from the workers reached the driver"
    assert not list((tmp_path / "ray" / "checkpoints").glob("*.pt")), "finished runs leave no checkpoint"


RAY_BROKEN = suite_text(name="ray-broken", seeds=1, budget={"steps": 6}, eval={"n_samples": 200}, datasets=[ring(1000)],
                        models=[gan(hparams={"g_hidden": 16, "d_hidden": 8}), {"model": "raises-in-step"}, {"model": "exits"},
                                {"model": "hangs", "timeout_s": 8}])


def test_ray_records_crashes_and_hangs(ray_session, write_suite, tmp_path, broken_registry):
    res = run_suite(
        write_suite(RAY_BROKEN), tmp_path / "o", registry=broken_registry, render=False,
        executor=RayExecutor(max_retries=1, checkpoints=CheckpointOptions(every=0)),
    )
    by_model = {o.run_id.split("__")[0]: o for o in res.outcomes}
    assert by_model["gan"].status == "done", by_model["gan"].error
    assert "train_step raised RuntimeError at step 3" in by_model["raises-in-step"].error
    assert by_model["exits"].status == "failed" and "Ray task failed after 1 retries" in by_model["exits"].error
    assert "timed out after 8 s" in by_model["hangs"].error
    with Store.open(tmp_path / "o") as s:
        assert s.integrity_ok()
        assert dict(zip(s.runs()["model"], s.runs()["status"])) == {
            "gan": "done", "raises-in-step": "failed", "exits": "failed", "hangs": "failed",
        }


def _dies_once(marker: Path) -> str:
    """One deterministic run of a model whose first worker dies (``marker`` records it)."""
    return suite_text(name="dies-once", seeds=1, deterministic=True, budget={"steps": 24}, eval={"n_samples": 200, "every": 8},
                      datasets=[ring(1000)], models=[{"model": "dies-once", "hparams": {"marker": str(marker)}}])


def test_ray_retry_of_a_lost_worker_resumes_from_the_checkpoint(ray_session, write_suite, tmp_path, broken_registry, one_thread):
    marker = tmp_path / "died.marker"
    suite = write_suite(_dies_once(marker))
    res = run_suite(
        suite, tmp_path / "ray", registry=broken_registry, render=False,
        executor=RayExecutor(max_retries=1, checkpoints=CheckpointOptions(every=5)),
    )
    assert [o.status for o in res.outcomes] == ["done"], res.outcomes[0].error
    assert marker.read_text() == "died", "the first attempt's worker was lost"
    assert (tmp_path / "died.marker.resumed").exists(), "Ray's retry continued from the checkpoint"

    ref = run_suite(suite, tmp_path / "ref", registry=broken_registry, render=False,
                    executor=LocalExecutor(CheckpointOptions(every=0)))  # marker exists: no death
    rm, rr = _comparable(res.store_path)
    lm, lr = _comparable(ref.store_path)
    assert set(lm[~lm["name"].str.startswith("loss/")]["step"]) == {8, 16, 24}
    pd.testing.assert_frame_equal(lm, rm)  # the loss curve included
    pd.testing.assert_frame_equal(lr, rr)
