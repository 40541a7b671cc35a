"""A CPU-bound tracker sink must not slow training: ``train_steps_per_s`` of one run with a busy
sink (pure-Python work holding a GIL on every event) against the same run without sinks.

With the sinks on a thread of the training process this ratio was 58/154 = 0.38 (issue 29); with
the sinks in their own process it should be about 1 (on a machine with a core to spare)."""

from __future__ import annotations

import sys
from pathlib import Path

SUITE = """
name: sink-overhead
seeds: 1
device: cpu
batch_size: 64
budget: {steps: %d}
eval: {n_samples: 500, points: 20}
datasets:
  - {name: mog-ring8, params: {n_samples: 4000}}
models:
  - model: gan
    hparams: {g_hidden: 64, d_hidden: 64}
"""


def _steps_per_s(tmp_path: Path, registry, name: str, steps: int, sinks: list[str]) -> float:
    from ganbench.results import load
    from ganbench.runner import run_suite

    suite = tmp_path / f"{name}.yaml"
    suite.write_text(SUITE % steps)
    run_suite(suite, tmp_path / name, registry=registry, render=False, sinks=sinks)
    final = load(tmp_path / name).final
    return float(final["train_steps_per_s"].iloc[0])


def test_busy_sink_leaves_training_throughput(benchmark, tmp_path, quick, machine):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from ganbench.plugins import load_registry
    from tests.outputs import sink_plugins

    registry = load_registry([sink_plugins])
    steps = 300 if quick else 3000
    rounds = {"i": 0}

    def pair() -> float:
        rounds["i"] += 1
        plain = _steps_per_s(tmp_path, registry, f"plain{rounds['i']}", steps, [])
        busy = _steps_per_s(tmp_path, registry, f"busy{rounds['i']}", steps, ["test-busy"])
        return busy / plain

    ratio = benchmark.pedantic(pair, rounds=1 if quick else 3, iterations=1)
    benchmark.extra_info.update({"busy_over_plain_train_steps_per_s": ratio, **machine})
    assert ratio > 0.75, f"a busy sink cut training throughput to {ratio:.2f}x"
