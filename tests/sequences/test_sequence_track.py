"""The sequence track end to end, offline: a test-written oracle in the authors' format, the three
SeqGAN-table models as plugins through the same suite, loop, store, report and check as images,
and the shipped suite's references resolve against its matrix."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
import torch

from ganbench.api import Dataset, DatasetRequest
from ganbench.data import oracle as of
from ganbench.data.sequences import check_oracle_params, load_oracle_dataset
from ganbench.plan.matrix import build_matrix
from ganbench.plan.suite import load_suite
from ganbench.run.runner import run_suite
from ganbench.train.loop import RunFailure, check_samples

SUITE = """
name: seq-track
seeds: 2
device: cpu
batch_size: 16
budget: {{steps: 40}}
data_root: {root}
eval: {{n_samples: 256, points: 2}}
datasets:
  - name: oracle-lstm
    params: {{n: 400, length: 8}}
models:
  - model: seq-random
    hparams: {{tokens: uniform}}
  - model: seq-mle
  - model: seqgan
    budget: {{steps: 32}}
    hparams: {{pretrain_steps: 30, d_pretrain_rounds: 1, d_rounds: 1, d_epochs: 1, n_negatives: 64, rollouts: 2,
              d_filter_sizes: [2, 3], d_num_filters: [8, 8], d_batch_size: 32, real_bank: 400}}
references:
  - paper: toy
    table: T
    spread_kind: none
    n: 1
    budget: {{steps: 40}}
    protocol: {{extractor: none, n_fake: 256, checkpoint: last}}
    assumed_spread: {{nll_oracle: 0.02}}
    margins: {{nll_oracle: 0.05}}
    rows:
      - {{row: Random, dataset: oracle-lstm, model: seq-random, metrics: {{nll_oracle: 0.5}}}}
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("seqdata")
    of.write_params(root / of.FILE, vocab=40, emb=8, hidden=8, seed=5)
    return root


@pytest.fixture(scope="module")
def finished(root: Path, tmp_path_factory, registry) -> Path:
    out = tmp_path_factory.mktemp("seqout")
    suite = out / "suite.yaml"
    suite.write_text(SUITE.format(root=root))
    result = run_suite(suite, out / "o", registry=registry)
    assert not result.failed and len(result.outcomes) == 6, [o.error for o in result.outcomes]
    return out / "o"


def final_metric(out: Path, metric: str) -> dict[str, float]:
    with sqlite3.connect(out / "results.sqlite") as db:
        rows = db.execute("SELECT run_id, value FROM metrics WHERE name = ? AND final = 1", (metric,)).fetchall()
    return dict(rows)


def test_models_train_as_plugins_through_the_harness(finished: Path):
    nll = final_metric(finished, "nll_oracle")
    assert len(nll) == 6 and all(np.isfinite(v) for v in nll.values())
    mle = np.mean([v for k, v in nll.items() if k.startswith("seq-mle")])
    rnd = np.mean([v for k, v in nll.items() if k.startswith("seq-random")])
    assert mle < rnd - 0.1  # 40 MLE steps already beat uniform tokens under the oracle


def test_samples_are_stored_as_token_ids(finished: Path):
    from ganbench.record.store import Store

    with Store.open(finished, create=False) as store:
        arr = store.array("seq-mle__oracle-lstm__pack1__seed0", "samples")
        text = store.array("seq-mle__oracle-lstm__pack1__seed0", "sample_text")
    assert arr is not None
    assert arr.dtype == np.int32 and arr.shape == (256, 8) and arr.min() >= 0 and arr.max() < 40
    assert text is not None and list(text) == [" ".join(map(str, row)) for row in arr[: len(text)].tolist()]


def test_report_and_check_see_the_sequence_runs(finished: Path, cli):
    html = (finished / "report.html").read_text()
    assert "nll_oracle" in html and "seqgan" in html and "toy" in html
    assert html.count("generated sequences (the first 12") == 6  # every run shows its samples as text
    res = cli("check", str(finished), "--references")
    assert res.returncode in (0, 1), res.stdout + res.stderr
    assert "nll_oracle" in res.stdout


def test_sequence_samples_are_checked(root: Path):
    ds = load_oracle_dataset(DatasetRequest(params={"n": 10, "length": 5}, root=root, device=torch.device("cpu")))
    assert isinstance(ds, Dataset) and ds.kind == "sequence" and ds.info.vocab_size == 40
    assert ds.data.dtype == torch.long and ds.data.shape == (10, 5)
    ok = torch.zeros(3, 5, dtype=torch.long)
    assert check_samples(ok, 3, ds, "m") is ok
    with pytest.raises(RunFailure, match="integer token ids"):
        check_samples(ok.float(), 3, ds, "m")
    with pytest.raises(RunFailure, match=r"token ids in \[40, 40\], the vocabulary is \[0, 40\)"):
        check_samples(ok + 40, 3, ds, "m")
    with pytest.raises(RunFailure, match="token ids"):
        check_samples(ok - 1, 3, ds, "m")


def test_dataset_is_the_same_for_every_model_and_follows_its_seed(root: Path):
    req = {"n": 50, "length": 6}
    a = load_oracle_dataset(DatasetRequest(params=req, root=root, device=torch.device("cpu")))
    b = load_oracle_dataset(DatasetRequest(params=req, root=root, device=torch.device("cpu")))
    c = load_oracle_dataset(DatasetRequest(params={**req, "data_seed": 1}, root=root, device=torch.device("cpu")))
    assert torch.equal(a.data, b.data) and not torch.equal(a.data, c.data)


@pytest.mark.parametrize("params,match", [
    ({"n": 0}, "n must be a positive integer"),
    ({"length": True}, "length must be a positive integer"),
    ({"lenght": 20}, "unknown parameter"),
    ({"data_seed": "x"}, "data_seed must be an integer"),
])
def test_bad_params_are_named(params, match):
    with pytest.raises(ValueError, match=match):
        check_oracle_params(params)


def test_offline_without_the_file_names_it(tmp_path: Path):
    with pytest.raises(Exception, match=r"target_params_py3\.pkl") as exc:
        load_oracle_dataset(DatasetRequest(params={}, root=tmp_path, device=torch.device("cpu"), download=False))
    assert of.URL in str(exc.value)


def test_shipped_suite_references_match_its_matrix(repo: Path, registry):
    """Every reference row of the SeqGAN suite names a model and dataset of its matrix, at the
    budget that model trains for (the paper's: 18,750 MLE steps; SeqGAN 18,750 + 200)."""
    suite = load_suite(repo / "suites" / "seqgan-oracle-paper.yaml")
    runs = build_matrix(suite, registry, "seqgan-oracle-paper.yaml")
    budgets = {r.label: r.budget.steps for r in runs}
    assert budgets == {"seq-random": 18750, "seq-mle": 18750, "seqgan": 18950}
    for table in suite.references:
        for row in table.rows:
            assert row.model in budgets and row.dataset == "oracle-lstm"
    seqgan = next(r for r in runs if r.model == "seqgan")
    assert seqgan.hparams["pretrain_steps"] == 18750 and seqgan.budget.steps - 18750 == 200
