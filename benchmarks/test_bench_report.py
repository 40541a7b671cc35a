"""Report rendering time for a store of 100 runs (2 datasets x 2 models x 5 packs x 5 seeds),
each with three evaluations, throughput, and a 2,500-point sample array for the MoG scatters.

    python -m pytest benchmarks/test_bench_report.py --benchmark-only
"""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.record.store import MetricRow, Store

DATASETS = {"mog-ring8": 8, "mog-grid25": 25}
LABELS = ("gan", "gan-minimax")
PACKS = (1, 2, 3, 4, 5)
SEEDS = (0, 1, 2, 3, 4)


def build_store(path, n_seeds: int = len(SEEDS)) -> int:
    """A realistic finished store; returns its run count."""
    rng = np.random.default_rng(0)
    runs = 0
    with Store.open(path) as store:
        store.set_meta("suite", "bench-100")
        store.set_meta("suite_hash", "0" * 16)
        for dataset, modes in DATASETS.items():
            centers = (rng.normal(size=(modes, 2)) * 2).astype(np.float32)
            for label in LABELS:
                for pack in PACKS:
                    for seed in SEEDS[:n_seeds]:
                        run_id = f"{label}__{dataset}__pack{pack}__seed{seed}"
                        store.upsert_run(
                            run_id, suite="bench-100", model="gan", label=label, model_version="0.1.0",
                            plugin="ganbench_gan.plugin", plugin_dist="ganbench-gan", dataset=dataset,
                            dataset_label=dataset, seed=seed, pack=pack,
                            config={"budget": {"steps": 1500}, "pack": pack, "seed": seed},
                            status="done", train_seconds=20.0, steps=1500, kimg=150.0, duration_s=25.0,
                        )
                        rows = []
                        for step in (500, 1000, 1500):
                            final = step == 1500
                            for name, value, direction in (
                                ("modes", float(rng.integers(1, modes + 1)), "higher"),
                                ("hq_share", float(rng.uniform(0.5, 1)), "higher"),
                                ("reverse_kl", float(rng.uniform(0, 1)), "lower"),
                                ("gen_samples_per_s", float(rng.uniform(1e5, 1e6)), "higher"),
                            ):
                                rows.append(MetricRow(run_id, step, step / 10, step / 75, name, value, direction,
                                                      None, 2500, None, None, final))
                            if final:
                                rows.append(MetricRow(run_id, step, step / 10, 20.0, "train_samples_per_s",
                                                      float(rng.uniform(5e3, 1e4)), "higher", final=True))
                        store.add_metrics(rows)
                        samples = centers[rng.integers(0, modes, 2500)] + rng.normal(size=(2500, 2)).astype(np.float32) * 0.05
                        store.put_array(run_id, "samples", samples.astype(np.float32))
                        store.put_array(run_id, "mode_centers", centers)
                        store.put_array(run_id, "mode_std", np.array([0.05], dtype=np.float32))
                        runs += 1
    return runs


@pytest.fixture(scope="module")
def store_100(tmp_path_factory, quick):
    path = tmp_path_factory.mktemp("report") / "results.sqlite"
    n = build_store(path, n_seeds=1 if quick else len(SEEDS))
    return path, n


def test_bench_report_100_runs(benchmark, store_100, tmp_path, quick, machine):
    from ganbench.report.build import render_report

    path, n_runs = store_100
    out = tmp_path / "report.html"
    benchmark.group = "report"
    benchmark.extra_info.update(machine=machine, runs=n_runs)
    benchmark.pedantic(render_report, args=(path, out), rounds=1 if quick else 3, iterations=1, warmup_rounds=0)
    html = out.read_text(encoding="utf-8")
    benchmark.extra_info["html_bytes"] = len(html)
    assert "gan-minimax" in html and n_runs == (20 if quick else 100)
