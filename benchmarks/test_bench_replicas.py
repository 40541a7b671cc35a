"""Paper-scale protocols: steps/s of the PacGAN MoG model, one run vs N vectorised replicas.

Aggregate generator steps/s (N replicas × steps / second) for N = 1, 10, 40, 80, beside a bare
hand-written loop of one model and the eager / compiled single-run step. The projected time of
the full PacGAN MoG protocol (80 runs × 400,000 steps) is ``32e6 / aggregate steps/s``.

    python -m pytest benchmarks/test_bench_replicas.py --benchmark-only
    GANBENCH_BENCH_DEVICE=cuda python -m pytest benchmarks/test_bench_replicas.py --benchmark-only
"""

from __future__ import annotations

import os
import time

import pytest
import torch

from ganbench.api import BuildContext

BATCH = 100
PROTOCOL_STEPS = 80 * 400_000  # PacGAN MoG: 2 datasets x 4 packs x 10 seeds, 400k steps each
DEVICE = torch.device(os.environ.get("GANBENCH_BENCH_DEVICE", "cuda" if torch.cuda.is_available() else "cpu"))


def _models(registry, n: int, pack: int = 1):
    spec = registry.model("gan")
    out = []
    for seed in range(n):
        torch.manual_seed(seed)
        ctx = BuildContext((2,), "vector", None, pack, DEVICE, seed, BATCH, dict(spec.defaults))
        out.append(spec.build(ctx))
    return spec, out


def _sync():
    if DEVICE.type == "cuda":
        torch.cuda.synchronize()


def _record(benchmark, machine, n: int, steps: int):
    rate = n * steps / benchmark.stats.stats.min
    benchmark.extra_info.update(
        machine, device=str(DEVICE), replicas=n, steps_per_round=steps,
        aggregate_steps_per_s=round(rate, 1),
        projected_mog_protocol_hours=round(PROTOCOL_STEPS / rate / 3600, 2),
    )


@pytest.mark.parametrize("n", [1, 10, 40, 80])
def test_vectorized_replicas(benchmark, registry, machine, quick, n):
    spec, models = _models(registry, n)
    trainer = spec.build_replicas(models)
    real = torch.randn(n, BATCH, 2, device=DEVICE)
    steps = 2 if quick else max(3, 200 // n)
    trainer.train_step(real, None)  # warm-up (allocations)

    def run():
        for _ in range(steps):
            trainer.train_step(real, None)
        _sync()

    benchmark.pedantic(run, rounds=2 if quick else 3, iterations=1)
    _record(benchmark, machine, n, steps)
    if n > 1:
        # the goal: N replicas in one batched step train faster, in aggregate, than the same N
        # models stepped one after another (measured here, side by side, on the same machine)
        solo = _sequential_seconds(registry, n, steps)
        speedup = solo / benchmark.stats.stats.min
        benchmark.extra_info["speedup_over_sequential"] = round(speedup, 2)
        if not quick:
            assert speedup > 1.0, f"{n} vectorised replicas are slower than {n} solo models in turn ({speedup:.2f}x)"


def _sequential_seconds(registry, n: int, steps: int) -> float:
    """``steps`` train_steps of each of ``n`` solo models, one model after another (best of 2)."""
    _, models = _models(registry, n)
    real = torch.randn(BATCH, 2, device=DEVICE)
    for m in models:
        m.train_step(real, None)  # warm-up, as the replicas had
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        for m in models:
            for _ in range(steps):
                m.train_step(real, None)
        _sync()
        best = min(best, time.perf_counter() - t0)
    return best


@pytest.mark.parametrize("mode", ["bare", "compiled"])
def test_single_model_step(benchmark, registry, machine, quick, mode):
    """``bare``: the plugin's train_step in a plain loop; ``compiled``: the same step captured with
    torch.compile as the harness does for compile_safe plugins (CUDA graphs on a GPU)."""
    from ganbench.train.compiled import TrainStep

    spec, (model,) = _models(registry, 1)
    step = model.train_step if mode == "bare" else TrainStep(model, True, True, DEVICE)
    real = torch.randn(BATCH, 2, device=DEVICE)
    t0 = time.perf_counter()
    step(real, None)  # compilation happens here
    compile_s = time.perf_counter() - t0
    steps = 5 if quick else 200

    def run():
        for _ in range(steps):
            step(real, None)
        _sync()

    benchmark.pedantic(run, rounds=2 if quick else 3, iterations=1)
    _record(benchmark, machine, 1, steps)
    benchmark.extra_info["first_step_s"] = round(compile_s, 2)
    benchmark.extra_info["mode"] = getattr(step, "mode", "eager")
    if mode == "compiled":
        # the goal: the harness's compiled step is never slower than the plugin's own step (where
        # torch.compile cannot help it falls back to eager and says so in its mode)
        plain = _plain_seconds(model, real, steps)
        ratio = benchmark.stats.stats.min / plain
        benchmark.extra_info["over_bare"] = round(ratio, 3)
        if not quick:
            assert ratio <= 1.05, f"the compiled step ({step.mode}) is {ratio:.2f}x the plain step"


def _plain_seconds(model, real, steps: int) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(steps):
            model.train_step(real, None)
        _sync()
        best = min(best, time.perf_counter() - t0)
    return best
