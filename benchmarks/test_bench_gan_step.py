"""Like-with-like: the GAN plugin's step under the harness vs a hand-written loop of the same
networks, init, update rule, batch and data path, at PacGAN's widths, interleaved in one run.
What is compared and how: benchmarks/gan_step_pair.py (the device check runs the same comparison).

    GANBENCH_BENCH_THREADS=1 python -m pytest benchmarks/test_bench_gan_step.py --benchmark-only -s

Goal: the harness at >= 0.95x the hand loop's steps/s for both update rules. The ratio is the
median over rounds of each interleaved pair's hand seconds / harness seconds (wall clock); the
CPU-time ratio is recorded beside it (on a loaded machine wall time also counts waiting for a core).
"""

from __future__ import annotations

import os

import torch

from benchmarks import gan_step_pair as pair


def test_bench_gan_step_like_for_like(benchmark, registry, quick, machine):
    steps = int(os.environ.get("GANBENCH_BENCH_STEPS") or (10 if quick else 300))
    rounds = int(os.environ.get("GANBENCH_BENCH_ROUNDS") or (2 if quick else 9))
    result: dict = {}

    def run() -> None:
        result.update(pair.compare(registry, torch.device("cpu"), steps=steps, rounds=rounds))

    benchmark.group = "gan-step-like-for-like"
    benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(machine=machine, **result)
    print("\n" + pair.table(result))
    for update, r in result["rules"].items():
        assert r["rounds"] == rounds and len(r["pair_ratios"]) == rounds
        if not quick:
            assert r["harness_over_hand"] >= pair.GOAL, (
                f"{update}: the harness runs at {r['harness_over_hand']:.3f}x the hand-written loop (goal >= {pair.GOAL})")
