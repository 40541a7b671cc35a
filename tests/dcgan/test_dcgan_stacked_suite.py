"""End to end: a tiny DCGAN packing suite on stacked MNIST writes modes and KL to the store."""

from __future__ import annotations

import sqlite3

SUITE = """
name: dcgan-stacked-tiny
seeds: 1
device: cpu
batch_size: 16
budget: {{steps: 15}}
eval: {{n_samples: 600}}
metrics: [mnist-modes]
data_root: {root}
datasets:
  - {{name: stacked-mnist, params: {{n_samples: 2000}}}}
models:
  - model: dcgan
    packs: [1, 2]
    hparams: {{g_base_channels: 8, d_base_channels: 8, z_dim: 16}}
"""


def test_stacked_mnist_suite_records_modes(write_suite, tmp_path, mnist_root, evaluator):
    from ganbench.run.runner import run_suite

    result = run_suite(write_suite(SUITE.format(root=mnist_root)), tmp_path / "out", render=False)
    assert not result.failed, [o.error for o in result.failed]
    con = sqlite3.connect(result.store_path)
    rows = con.execute("SELECT * FROM metrics").fetchall()
    cols = [c[1] for c in con.execute("PRAGMA table_info(metrics)")]
    recs = [dict(zip(cols, r)) for r in rows]
    modes = [r for r in recs if r.get("name") == "modes"]
    assert len(modes) == 2  # one final evaluation per run (pack 1, pack 2)
    for r in modes:
        assert 1 <= r["value"] <= 1000 and r["extractor"] == "ganbench-mnist-cnn"
        assert "out of 1000" in r["note"] and "evaluator acc" in r["note"]
    kls = [r["value"] for r in recs if r.get("name") == "kl"]
    assert len(kls) == 2 and all(0 <= v <= 6.91 for v in kls)
