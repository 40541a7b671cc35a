"""Where vectorised replicas start to pay on a CPU core: N = 1..8 replicas of the GAN plugin as one
batched model vs the same N models stepped one after another, at a tiny width and at PacGAN's.

    GANBENCH_BENCH_THREADS=1 python -m pytest benchmarks/test_bench_replica_crossover.py --benchmark-only -s

One thread (the harness's thread rule). For every width and N, one round times ``steps`` batched
steps of the N replicas and ``steps`` solo steps of each of the N models, back to back; rounds
repeat, and each ratio is the median over rounds of solo seconds / batched seconds (CPU time of
this process beside wall time: on a shared machine wall time also counts waiting for a core).
``speedup`` > 1 means vectorising N runs trains them faster than running them in turn.
The table is in docs/vectorized.md ("On a CPU").
"""

from __future__ import annotations

import os
import statistics
import time

import torch

from ganbench.api import BuildContext

BATCH = 100
WIDTHS = {
    "tiny": {"g_hidden": 32, "d_hidden": 16},  # the device check's --tiny size
    "pacgan": {"g_hidden": 400, "d_hidden": 200},  # PacGAN's MoG widths (the plugin's defaults)
}


def _models(registry, n: int, widths: dict) -> list:
    spec = registry.model("gan")
    out = []
    for seed in range(n):
        torch.manual_seed(seed)
        out.append(spec.build(BuildContext((2,), "vector", None, 1, torch.device("cpu"), seed, BATCH,
                                           {**spec.defaults, **widths})))
    return out


def _timed(fn) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def crossover(registry, ns: list[int], widths: dict, steps: int, rounds: int) -> dict[int, dict]:
    spec = registry.model("gan")
    groups = {n: (spec.build_replicas(_models(registry, n, widths)), _models(registry, n, widths)) for n in ns}
    reals = {n: torch.randn(n, BATCH, 2) for n in ns}
    one = torch.randn(BATCH, 2)
    for n, (trainer, solos) in groups.items():  # warm-up
        trainer.train_step(reals[n], None)
        for m in solos:
            m.train_step(one, None)
    samples: dict[int, dict[str, list[float]]] = {n: {"vec": [], "vec_cpu": [], "solo": [], "solo_cpu": []} for n in ns}
    for r in range(rounds):
        for n in ns:
            trainer, solos = groups[n]

            def vec(trainer=trainer, n=n) -> None:
                for _ in range(steps):
                    trainer.train_step(reals[n], None)

            def solo(solos=solos) -> None:
                for m in solos:
                    for _ in range(steps):
                        m.train_step(one, None)

            for side, fn in ((("vec", vec), ("solo", solo)) if r % 2 == 0 else (("solo", solo), ("vec", vec))):
                wall, cpu = _timed(fn)
                samples[n][side].append(wall)
                samples[n][f"{side}_cpu"].append(cpu)
    out = {}
    for n, s in samples.items():
        out[n] = {
            "aggregate_steps_per_s": n * steps / statistics.median(s["vec"]),
            "solo_in_turn_steps_per_s": n * steps / statistics.median(s["solo"]),
            "speedup": statistics.median(a / b for a, b in zip(s["solo"], s["vec"])),
            "speedup_cpu": statistics.median(a / b for a, b in zip(s["solo_cpu"], s["vec_cpu"])),
            "aggregate_steps_per_cpu_s": n * steps / statistics.median(s["vec_cpu"]),
        }
    return out


def table(results: dict[str, dict[int, dict]]) -> str:
    lines = ["| width | N | aggregate steps/s, vectorised | steps/s, N solo models in turn | speedup (wall) | speedup (CPU time) |",
             "|---|---:|---:|---:|---:|---:|"]
    for width, rows in results.items():
        for n, r in rows.items():
            lines.append(f"| {width} | {n} | {r['aggregate_steps_per_s']:.0f} | {r['solo_in_turn_steps_per_s']:.0f} | "
                         f"{r['speedup']:.2f} | {r['speedup_cpu']:.2f} |")
    return "\n".join(lines)


def test_bench_replica_crossover(benchmark, registry, quick, machine):
    ns = [1, 2, 4, 8] if quick else list(range(1, 9))
    steps = int(os.environ.get("GANBENCH_BENCH_STEPS") or (3 if quick else 20))
    rounds = int(os.environ.get("GANBENCH_BENCH_ROUNDS") or (1 if quick else 3))
    results: dict[str, dict[int, dict]] = {}

    def run() -> None:
        for name, widths in WIDTHS.items():
            results[name] = crossover(registry, ns, widths, steps, rounds)

    benchmark.group = "replica-crossover-cpu"
    benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(machine=machine, steps=steps, rounds=rounds,
                                results={w: {str(n): r for n, r in rows.items()} for w, rows in results.items()})
    print("\n" + table(results))
    for rows in results.values():
        assert set(rows) == set(ns) and all(r["aggregate_steps_per_s"] > 0 for r in rows.values())
