"""A translation run interrupted mid-way resumes from its checkpoint and ends exactly as an
uninterrupted one: the translation batcher's streams, CycleGAN's image pools and its random stream
are all in the checkpoint."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from ganbench.executors.local import LocalExecutor
from ganbench.run.runner import run_suite
from ganbench.train.checkpoint import CheckpointOptions, load_checkpoint
from tests.helpers.crash import Crash, crashing_at
from tests.helpers.suites import suite_text

INVERTED = {"domains": ["inverted", "digits"], "paired": False, "n_train": 64, "n_eval": 9800}
SUITE = suite_text(name="i2i-resume", seeds=1, deterministic=True, batch_size=8, budget={"steps": 8},
                   eval={"n_samples": 50, "every": 4}, datasets=[{"name": "mnist-translate", "label": "inv", "params": INVERTED}],
                   models=[{"model": "cyclegan", "hparams": {"ngf": 4, "ndf": 4, "n_blocks": 1, "pool_size": 6}}])
RUN = "cyclegan__inv__pack1__seed0"


def final_values(store_path) -> pd.DataFrame:
    from ganbench.record.store import Store

    with Store.open(store_path, create=False) as s:
        m = s.metrics()
    m = m[~m["name"].str.endswith("_per_s")]
    return m[["step", "name", "value", "final"]].sort_values(["step", "name"]).reset_index(drop=True)


def test_interrupted_translation_run_resumes_exactly(write_suite, tmp_path, mnist_root, evaluator):
    torch.set_num_threads(1)
    suite = write_suite(SUITE)
    ref = run_suite(suite, tmp_path / "ref", executor=LocalExecutor(CheckpointOptions(every=0)), render=False)
    assert [o.status for o in ref.outcomes] == ["done"], ref.outcomes[0].error

    out = tmp_path / "crashy"
    with crashing_at(6), pytest.raises(Crash):
        run_suite(suite, out, executor=LocalExecutor(CheckpointOptions(every=2)), render=False)
    ck = load_checkpoint(out / "checkpoints" / f"{RUN}.pt")
    assert ck["meter"]["steps"] == 4 and len(ck["batcher"]["streams"]) == 2
    resumed = run_suite(suite, out, executor=LocalExecutor(CheckpointOptions(every=2)), render=False)
    assert [o.status for o in resumed.outcomes] == ["done"], resumed.outcomes[0].error
    want, got = final_values(ref.store_path), final_values(resumed.store_path)
    assert {"translate_fid", "cycle_l1", "l1", "label_preserved"} <= set(want["name"])
    pd.testing.assert_frame_equal(want, got)
