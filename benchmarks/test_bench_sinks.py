"""A CPU-bound tracker sink must not slow training: ``train_steps_per_s`` of one run with a busy
sink (pure-Python work holding a GIL on every event) against the same run without sinks, with the
sinks where ganbench runs them (their own process) and, for comparison, on a thread of the training
process (where they ran before issue 29: 58 instead of 154 steps/s in the probe)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SUITE = """
name: sink-overhead
seeds: 1
device: cpu
batch_size: 64
budget: {steps: %d}
eval: {n_samples: 500, points: 30}
datasets:
  - {name: mog-ring8, params: {n_samples: 4000}}
models:
  - model: gan
    hparams: {g_hidden: 64, d_hidden: 64}
"""


def _steps_per_s(tmp_path: Path, registry, name: str, steps: int, sinks: list[str]) -> float:
    from ganbench.record.results import load
    from ganbench.run.runner import run_suite

    suite = tmp_path / f"{name}.yaml"
    suite.write_text(SUITE % steps)
    run_suite(suite, tmp_path / name, registry=registry, render=False, sinks=sinks)
    final = load(tmp_path / name).final
    return float(final["train_steps_per_s"].iloc[0])


def _thread_hub(names, ctx, extra_plugins=(), **options):
    """The pre-issue-29 design: every sink on a thread of the training process."""
    from ganbench.record import sinks

    specs = sinks.available_sinks(extra_plugins)
    return sinks.SinkHub([(n, specs[n].open(ctx)) for n in names], **options)


@pytest.mark.parametrize("where", ["process", "thread"])
def test_busy_sink_leaves_training_throughput(benchmark, tmp_path, quick, machine, monkeypatch, where):
    import importlib.util

    from ganbench.plugins import load_registry
    from ganbench.record import sinks

    # the test sinks, by file (another distribution may own the name ``tests``); the sink process
    # imports them again from that file
    path = Path(__file__).resolve().parents[1] / "tests" / "outputs" / "sink_plugins.py"
    spec = importlib.util.spec_from_file_location("ganbench_bench_sink_plugins", path)
    assert spec is not None and spec.loader is not None
    sink_plugins = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = sink_plugins
    spec.loader.exec_module(sink_plugins)

    if where == "thread":
        monkeypatch.setattr(sinks, "open_sinks", _thread_hub)
    registry = load_registry([sink_plugins])
    steps = 300 if quick else 3000
    rounds = {"i": 0}

    def pair() -> float:
        rounds["i"] += 1
        plain = _steps_per_s(tmp_path, registry, f"plain{rounds['i']}", steps, [])
        busy = _steps_per_s(tmp_path, registry, f"busy{rounds['i']}", steps, ["test-busy"])
        return busy / plain

    ratio = benchmark.pedantic(pair, rounds=1 if quick else 2, iterations=1)
    benchmark.extra_info.update({"sinks_in": where, "busy_over_plain_train_steps_per_s": ratio, **machine})
    if where == "process":
        assert ratio > 0.75, f"a busy sink cut training throughput to {ratio:.2f}x"
