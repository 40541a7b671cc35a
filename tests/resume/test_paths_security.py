"""Nothing a suite says can make ganbench write outside the output directory."""

from __future__ import annotations

import os

from ganbench.executors.local import LocalExecutor
from ganbench.run.runner import run_suite
from ganbench.train.checkpoint import CheckpointOptions

EVIL = """
name: ../../evil-suite
seeds: [0]
device: cpu
batch_size: 32
budget: {steps: 4}
eval: {n_samples: 100}
datasets:
  - {name: mog-ring8, params: {n_samples: 500}, label: "../../../tmp/evil-dataset"}
models:
  - {model: gan, label: "../../evil/model", hparams: {g_hidden: 8, d_hidden: 8, g_layers: 2, d_layers: 2}}
"""


def _files(root):
    return {os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs}


def test_suite_names_cannot_escape_the_output_dir(write_suite, tmp_path):
    suite = write_suite(EVIL)
    out = tmp_path / "deep" / "out"
    before = _files(tmp_path)
    res = run_suite(suite, out, executor=LocalExecutor(CheckpointOptions(every=2, keep=True)), render=True)
    assert [o.status for o in res.outcomes] == ["done"]
    run_id = res.outcomes[0].run_id
    assert "/" not in run_id and "\\" not in run_id
    new = _files(tmp_path) - before
    assert new, "the run wrote its store, checkpoint and report"
    outside = [p for p in new if not os.path.realpath(p).startswith(str(out.resolve()) + os.sep)]
    assert outside == [] and not os.path.exists("/tmp/evil-dataset")
    assert (out / "checkpoints" / f"{run_id}.pt").exists()
