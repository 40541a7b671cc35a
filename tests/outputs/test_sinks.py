"""Tracker sinks: every record reaches them, in their own process; one that raises (SystemExit
too), hangs, hangs opening, opens to a non-sink or burns CPU neither stops nor slows a run, and each
failure is one log line; a broken sinks hook or an unknown --sink is one line; the TensorBoard sink
writes what the store holds."""

from __future__ import annotations

import logging
import os

import pytest

from ganbench.plugins import load_registry
from ganbench.record import sinks
from ganbench.record.results import load
from ganbench.run.runner import RunRefused, run_suite
from tests.outputs import sink_hook_42, sink_hook_raises, sink_plugins


@pytest.fixture
def sink_registry():
    return load_registry([sink_plugins])


def test_every_record_reaches_a_sink(tmp_path, tiny_suite, sink_registry):
    out = tmp_path / "o"
    run_suite(tiny_suite, out, registry=sink_registry, render=False, seeds=[0], sinks=["test-record"])
    events = sink_plugins.read_record(out)
    assert events[0]["kind"] == "opened" and events[-1]["kind"] == "closed"  # closed once, after everything
    assert events[0]["pid"] != os.getpid()  # in the sink process, never on the training process's GIL
    m = load(out).metrics
    got = {(e["run_id"], e["step"], e["name"], e["value"]) for e in events if e["kind"] in ("metric", "loss")}
    assert got == set(zip(m["run_id"], m["step"], m["name"], m["value"]))
    assert {e["kind"] for e in events if (e.get("name") or "").startswith("loss/")} == {"loss"}
    samples = [e for e in events if e["kind"] == "samples"]
    assert len(samples) == len(m["run_id"].unique()) and samples[0]["shape"][1] == 2
    assert [e["text"] for e in events if e["kind"] == "status" and e["run_id"] == samples[0]["run_id"]][-1] == "done"


def test_a_raising_or_hanging_sink_does_not_stop_or_slow_the_run(tmp_path, tiny_suite, sink_registry, monkeypatch, caplog):
    monkeypatch.setattr(sinks, "CLOSE_TIMEOUT_S", 1.0)
    monkeypatch.setattr(sinks, "OPEN_TIMEOUT_S", 1.0)
    monkeypatch.setattr(sinks, "QUEUE_SIZE", 5)  # the hanging sink's queue fills: events dropped, never waited for
    names = ["test-raise", "test-hang", "test-exit", "test-open-hang", "test-open-42", "test-busy", "test-record"]
    with caplog.at_level(logging.WARNING, logger="ganbench.record.sinks"):
        res = run_suite(tiny_suite, tmp_path / "o", registry=sink_registry, render=False, seeds=[0], sinks=names)
    assert not res.failed and len(res.outcomes) == 2
    lines = [r.getMessage() for r in caplog.records if r.name == "ganbench.record.sinks"]
    assert all("\n" not in line for line in lines)  # every failure is one line
    text = "\n".join(lines)
    assert "sink test-raise: write raised RuntimeError: tracker unreachable" in text
    assert "switched off" in text
    assert "sink test-exit: write raised SystemExit(3)" in text
    assert "sink test-open-hang: open() did not return within 1 s; the suite goes on without it" in text
    assert "sink test-open-42: open() returned int, not an object with write() and close()" in text
    assert "sink test-hang: falling behind" in text and "abandoned" in text
    assert sink_plugins.read_record(tmp_path / "o")[-1]["kind"] == "closed"  # the healthy sink ran to the end
    assert len(load(tmp_path / "o").final) == 2


def test_a_broken_sinks_hook_is_one_line_and_other_sinks_work(tmp_path, tiny_suite, caplog):
    registry = load_registry([sink_plugins, sink_hook_42, sink_hook_raises])
    specs, problems = sinks.discover_sinks(registry.extra_modules)
    assert {"tensorboard", "test-record"} <= set(specs)
    assert any("returned int 42, not a list of SinkSpec" in p for p in problems)
    assert any("ganbench_sinks raised RuntimeError: sink hook exploded" in p for p in problems)
    with caplog.at_level(logging.WARNING, logger="ganbench.record.sinks"):
        res = run_suite(tiny_suite, tmp_path / "o", registry=registry, render=False, seeds=[0], sinks=["test-record"])
    assert not res.failed
    assert sink_plugins.read_record(tmp_path / "o")[-1]["kind"] == "closed"
    assert "sink hook exploded" in caplog.text


def test_unknown_sink_is_refused_before_anything_is_written(tmp_path, tiny_suite, sink_registry):
    with pytest.raises(RunRefused, match="--sink: unknown sink.*nope.*available: .*tensorboard"):
        run_suite(tiny_suite, tmp_path / "o", registry=sink_registry, render=False, seeds=[0], sinks=["nope"])
    assert not (tmp_path / "o" / "results.sqlite").exists()  # no run left pending


def test_an_unknown_sink_on_the_command_line_is_one_line(tmp_path, tiny_suite, capsys):
    from ganbench.cli import main

    assert main(["run", str(tiny_suite), "--out", str(tmp_path / "o"), "--sink", "nope", "--no-report"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --sink: unknown sink(s) nope") and err.count("\n") == 1
    assert not (tmp_path / "o" / "results.sqlite").exists()


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


def test_tensorboard_missing_says_how_to_get_it(tmp_path, monkeypatch, caplog):
    import sys

    from ganbench.record.tensorboard_sink import ganbench_sinks

    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    spec = ganbench_sinks()[0]
    with caplog.at_level(logging.WARNING, logger="ganbench.record.sinks"):
        assert sinks.open_with_deadline("tensorboard", spec, sinks.SinkContext(tmp_path, "s"), 5.0) is None
    assert "pip install 'ganbench[tensorboard]'" in caplog.text and "goes on without it" in caplog.text
    assert not (tmp_path / "tensorboard").exists()
