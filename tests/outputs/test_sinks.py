"""Tracker sinks: every record reaches them; one that raises or hangs neither stops nor slows a
run beyond the bounded close wait; the TensorBoard sink writes what the store holds."""

from __future__ import annotations

import logging
import time

import pytest

from ganbench import sinks
from ganbench.plugins import load_registry
from ganbench.results import load
from ganbench.runner import RunRefused, run_suite
from tests.outputs import sink_plugins


@pytest.fixture
def sink_registry():
    sink_plugins.RECORDED.clear()
    sink_plugins.RELEASE.clear()
    yield load_registry([sink_plugins])
    sink_plugins.RELEASE.set()  # let the hanging thread end


def test_every_record_reaches_a_sink(tmp_path, tiny_suite, sink_registry):
    out = tmp_path / "o"
    run_suite(tiny_suite, out, registry=sink_registry, render=False, seeds=[0], sinks=["test-record"])
    events = sink_plugins.RECORDED
    assert events[-1].kind == "closed"  # closed once, after everything
    m = load(out).metrics
    got = {(e.run_id, e.step, e.name, e.value) for e in events if e.kind in ("metric", "loss")}
    assert got == set(zip(m["run_id"], m["step"], m["name"], m["value"]))
    assert {e.kind for e in events if e.name and e.name.startswith("loss/")} == {"loss"}
    samples = [e for e in events if e.kind == "samples"]
    assert len(samples) == len(m["run_id"].unique()) and samples[0].array.shape[1] == 2
    assert [e.text for e in events if e.kind == "status" and e.run_id == samples[0].run_id][-1] == "done"


def test_a_raising_or_hanging_sink_does_not_stop_or_slow_the_run(tmp_path, tiny_suite, sink_registry, monkeypatch, caplog):
    t0 = time.perf_counter()
    run_suite(tiny_suite, tmp_path / "plain", registry=sink_registry, render=False, seeds=[0])
    plain = time.perf_counter() - t0
    monkeypatch.setattr(sinks, "CLOSE_TIMEOUT_S", 1.0)
    monkeypatch.setattr(sinks, "QUEUE_SIZE", 5)  # the hanging sink's queue fills: events dropped, never waited for
    with caplog.at_level(logging.WARNING, logger="ganbench.sinks"):
        t0 = time.perf_counter()
        res = run_suite(tiny_suite, tmp_path / "o", registry=sink_registry, render=False, seeds=[0],
                        sinks=["test-raise", "test-hang", "test-record"])
        took = time.perf_counter() - t0
    assert not res.failed and len(res.outcomes) == 2
    assert took < plain + 1.0 + 3.0  # the close wait (1 s) plus scheduling slack, not the hang
    assert "sink test-raise: write raised RuntimeError: tracker unreachable" in caplog.text
    assert "switched off" in caplog.text
    assert "sink test-hang: falling behind" in caplog.text and "abandoned" in caplog.text
    assert any(e.kind == "samples" for e in sink_plugins.RECORDED)  # the healthy sink still got everything
    assert len(load(tmp_path / "o").final) == 2


def test_unknown_sink_is_refused_before_training(tmp_path, tiny_suite, sink_registry):
    with pytest.raises(RunRefused, match="--sink: unknown sink.*nope.*available: .*tensorboard"):
        run_suite(tiny_suite, tmp_path / "o", registry=sink_registry, render=False, seeds=[0], sinks=["nope"])


def test_tensorboard_sink_writes_the_stored_numbers(tmp_path, tiny_suite, registry):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out = tmp_path / "o"
    run_suite(tiny_suite, out, registry=registry, render=False, seeds=[0], sinks=["tensorboard"])
    rid = "gan__mog-ring8__pack1__seed0"
    acc = EventAccumulator(str(out / "tensorboard" / rid))
    acc.Reload()
    m = load(out).metrics
    modes = m[(m["run_id"] == rid) & (m["name"] == "modes")]
    got = [(e.step, e.value) for e in acc.Scalars("modes")]
    assert got == [(int(s), pytest.approx(v)) for s, v in zip(modes["step"], modes["value"])]
    assert "loss/d_loss" in acc.Tags()["scalars"] or any(t.startswith("loss/") for t in acc.Tags()["scalars"])
    assert "samples" in acc.Tags()["images"] + acc.Tags().get("tensors", []) or acc.Tags()["images"] == []


def test_tensorboard_missing_says_how_to_get_it(tmp_path, tiny_suite, registry, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    with pytest.raises(RunRefused, match=r"pip install 'ganbench\[tensorboard\]'"):
        run_suite(tiny_suite, tmp_path / "o", registry=registry, render=False, seeds=[0], sinks=["tensorboard"])
    assert not (tmp_path / "o" / "tensorboard").exists()
