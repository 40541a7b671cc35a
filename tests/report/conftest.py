"""Report fixtures: small stores written directly with ganbench.record.store.Store (no training), with
every kind of data the report renders — MoG samples, image grids, a conditional model, a
truncation sweep, throughput, a failed run and a hostile plugin description."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ganbench.record.store import MetricRow, Store

HOSTILE = 'Evil <script>window.__pwned = 1; document.title = "pwned"</script> <img src=x onerror="window.__pwned=2">'
RING = np.array([[np.cos(2 * np.pi * i / 8), np.sin(2 * np.pi * i / 8)] for i in range(8)], dtype=np.float32)


def _config(seed: int, pack: int, label: str, dataset: str) -> dict:
    return {"model": label, "label": label, "dataset": dataset, "seed": seed, "pack": pack,
            "budget": {"steps": 300}, "eval": {"n_samples": 2500, "points": 3, "every": None, "options": {}},
            "batch_size": 64, "hparams": {"lr": 1e-3, "note": "<b>not bold</b>"}}


def write_store(path: Path, *, seeds=(0, 1, 2), images: bool = True, fail: bool = True,
                suite: str = "demo", model_prefix: str = "") -> Path:
    """A store with two MoG models at packs 1 and 2, and (images) an unconditional and a
    conditional image model with a truncation sweep. Metric values are a deterministic function
    of (model, pack, seed), so tests know what the aggregates must be."""
    rng = np.random.default_rng(0)
    now = time.time()
    with Store.open(path) as s:
        s.set_meta("suite", suite)
        s.set_meta("suite_yaml", f"name: {suite}\ndescription: A demo <i>suite</i>\n")
        s.set_meta("suite_protocol", "PacGAN MoG, reduced budget")
        s.set_meta("ganbench_version", "0.test")
        s.set_meta("hardware", {"cpu": "Test CPU", "cpu_count": 2, "torch": "2.x", "cuda": None})
        models = [(f"{model_prefix}gan", 1, 6.0), (f"{model_prefix}gan", 2, 7.5)]
        for label, pack, modes in models:
            for seed in seeds:
                rid = f"{suite}/{label}/mog-ring8/p{pack}/s{seed}"
                s.upsert_run(rid, suite=suite, model=label, label=label, model_version="1.0", plugin="gan",
                             plugin_dist="ganbench-gan", plugin_description=HOSTILE, dataset="mog-ring8",
                             dataset_label="mog-ring8", seed=seed, pack=pack, config=_config(seed, pack, label, "mog-ring8"),
                             status="done", hardware={"cpu": "Test CPU", "device": "cpu", "torch": "2.x"},
                             started_at=now - 60, finished_at=now, duration_s=12.5 + seed, steps=300, kimg=19.2)
                rows = []
                for k, step in enumerate((100, 200, 300)):
                    final = step == 300
                    frac = (k + 1) / 3
                    rows += [
                        MetricRow(rid, step, step * 0.064, step * 0.01, "modes", modes * frac + seed * 0.5, "higher",
                                  None, 2500, None, "out of 8", final),
                        MetricRow(rid, step, step * 0.064, step * 0.01, "hq_share", 0.9 - 0.1 * pack + 0.01 * seed,
                                  "higher", None, 2500, None, "within 3 std", final),
                        MetricRow(rid, step, step * 0.064, step * 0.01, "reverse_kl", 1.0 / (pack + seed + frac),
                                  "lower", None, 2500, None, None, final),
                    ]
                rows += [
                    MetricRow(rid, 300, 19.2, 3.0, "train_samples_per_s", 6000.0 / pack + seed, "higher", final=True),
                    MetricRow(rid, 300, 19.2, 3.0, "gen_samples_per_s", 90000.0 + seed, "higher", final=True),
                ]
                s.add_metrics(rows)
                centers = RING
                idx = rng.integers(0, 8 if pack == 2 else 5, 2500)
                samples = centers[idx] + rng.normal(0, 0.02, (2500, 2)).astype(np.float32)
                s.put_array(rid, "samples", samples.astype(np.float32))
                s.put_array(rid, "mode_centers", centers)
                s.put_array(rid, "mode_std", np.array([0.01], dtype=np.float32))
        if images:
            for label, conditional in ((f"{model_prefix}dcgan", False), (f"{model_prefix}cgan", True)):
                for seed in seeds:
                    rid = f"{suite}/{label}/mnist/p1/s{seed}"
                    s.upsert_run(rid, suite=suite, model=label, label=label, model_version="0.1", plugin=label,
                                 plugin_dist=f"ganbench-{label}", plugin_description=f"{label} model", dataset="mnist",
                                 dataset_label="mnist", seed=seed, pack=1, config=_config(seed, 1, label, "mnist"),
                                 status="done", started_at=now - 50, finished_at=now, duration_s=30.0, steps=300, kimg=19.2)
                    base = 20.0 if conditional else 30.0
                    rows = [MetricRow(rid, 300, 19.2, 3.0, "fid", base + seed, "lower", "ganbench-mnist-cnn", 1000, 1000,
                                      None, True),
                            MetricRow(rid, 300, 19.2, 3.0, "train_samples_per_s", 2000.0 + seed, "higher", final=True),
                            MetricRow(rid, 300, 19.2, 3.0, "peak_mem_mb", 100.0 + seed, "lower", final=True)]
                    for t in (0.5, 1.0, 2.0):
                        rows.append(MetricRow(rid, 300, 19.2, 3.0, f"fid@trunc={t}", base + 5 * abs(t - 1) + seed,
                                              "lower", "ganbench-mnist-cnn", 1000, 1000, None, True))
                    s.add_metrics(rows)
                    imgs = rng.uniform(-1, 1, (64, 1, 28, 28)).astype(np.float16)
                    s.put_array(rid, "samples", imgs)
                    if conditional:
                        s.put_array(rid, "sample_labels", np.arange(64) % 10)
        if fail:
            rid = f"{suite}/broken/mog-ring8/p1/s0"
            s.upsert_run(rid, suite=suite, model="broken", label="broken", model_version="0", plugin="broken",
                         plugin_dist="broken-dist", plugin_description="<b>broken</b>", dataset="mog-ring8",
                         dataset_label="mog-ring8", seed=0, pack=1, config=json.dumps({"budget": {"steps": 300}}),
                         status="failed", error="model 'broken': train_step raised ValueError: <boom> & bust",
                         duration_s=0.5)
    return Path(path)


@pytest.fixture
def make_store(tmp_path) -> Callable[..., Path]:
    """``make_store(name="results.sqlite", **options)`` → path of a freshly written store."""

    def _make(name: str = "results.sqlite", **kw) -> Path:
        return write_store(tmp_path / name, **kw)

    return _make
