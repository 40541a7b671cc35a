"""The SeqGAN oracle: its file is read safely, and it generates and scores as the authors' target_lstm.py.

Every oracle here is one the test writes in the authors' format (a pickle of 15 float32 arrays);
the released file cannot be downloaded offline. The reference math is an independent numpy
transcription of the gate equations of target_lstm.py (sigmoid gates i, f, o; tanh candidate;
c = f*c + i*c~; h = o*tanh(c); logits = h Wo + bo; start token 0, zero state).
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from ganbench.data import oracle as of
from ganbench.data.images import DatasetFileCorrupt, DatasetFilesMissing


def numpy_nll(arrays: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """Per-sequence mean token NLL, written from the authors' equations (float64)."""
    emb, wi, ui, bi, wf, uf, bf, wo_, uo_, bo_, wc, uc, bc, wo, bo = (a.astype(np.float64) for a in arrays)
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    b, length = x.shape
    h = np.zeros((b, wi.shape[1]))
    c = np.zeros_like(h)
    inp = emb[np.zeros(b, dtype=int)]
    total = np.zeros(b)
    for t in range(length):
        i, f, o = sig(inp @ wi + h @ ui + bi), sig(inp @ wf + h @ uf + bf), sig(inp @ wo_ + h @ uo_ + bo_)
        c = f * c + i * np.tanh(inp @ wc + h @ uc + bc)
        h = o * np.tanh(c)
        logits = h @ wo + bo
        logp = logits - logits.max(1, keepdims=True)
        logp = logp - np.log(np.exp(logp).sum(1, keepdims=True))
        total -= logp[np.arange(b), x[:, t]]
        inp = emb[x[:, t]]
    return total / length


@pytest.fixture
def oracle_file(tmp_path: Path) -> Path:
    return of.write_params(tmp_path / of.FILE, vocab=30, emb=6, hidden=5, seed=3)


def test_written_file_reads_back_with_the_papers_recipe(oracle_file: Path):
    arrays = of.read_params(oracle_file)
    assert [a.shape for a in arrays] == of.oracle_shapes(30, 6, 5)
    assert all(a.dtype == np.float32 for a in arrays)
    flat = np.concatenate([a.ravel() for a in arrays])
    se = 1 / np.sqrt(flat.size)  # N(0, 1), the paper's recipe: mean and std within 5 standard errors
    assert abs(flat.mean()) < 5 * se and abs(flat.std() - 1.0) < 5 * se * np.sqrt(0.5)


def test_nll_matches_the_authors_equations(oracle_file: Path):
    arrays = of.read_params(oracle_file)
    oracle = of.OracleLSTM(arrays)
    x = torch.randint(0, 30, (64, 9), generator=torch.Generator().manual_seed(0))
    np.testing.assert_allclose(oracle.nll(x).numpy(), numpy_nll(arrays, x.numpy()), rtol=1e-5, atol=1e-5)


def test_samples_follow_the_oracles_own_distribution(oracle_file: Path):
    """The first token's frequencies are softmax(h1 Wo + bo) with h1 from the start token, and the
    oracle's samples score lower NLL than uniform tokens (its entropy rate against log 30 + KL)."""
    arrays = of.read_params(oracle_file)
    oracle = of.OracleLSTM(arrays)
    n = 40_000
    x = oracle.sample(n, 4, torch.Generator().manual_seed(1))
    assert x.shape == (n, 4) and x.dtype == torch.long and int(x.min()) >= 0 and int(x.max()) < 30
    # exact p(first token): one NLL evaluation per candidate token
    cand = torch.arange(30).unsqueeze(1)
    p_first = torch.exp(-oracle.nll(cand)).numpy()  # length-1 sequences: NLL = -log p(token)
    assert abs(p_first.sum() - 1.0) < 1e-6
    freq = np.bincount(x[:, 0].numpy(), minlength=30) / n
    assert np.abs(freq - p_first).max() < 4 * np.sqrt(p_first.max() / n) + 1e-3
    uniform = torch.randint(0, 30, (n, 4), generator=torch.Generator().manual_seed(2))
    assert float(oracle.nll(x).mean()) < float(oracle.nll(uniform).mean())


def test_a_pickle_that_would_run_code_is_refused(tmp_path: Path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned > " + str(tmp_path / "pwned"),))

    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps([Evil()]))
    with pytest.raises(DatasetFileCorrupt, match=r"evil\.pkl.*not allowed"):
        of.read_params(path)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("content,match", [
    (b"not a pickle", "not a readable oracle parameter file"),
    (pickle.dumps([np.zeros((3, 2), np.float32)] * 14), "list of 15 numpy arrays"),
    (pickle.dumps({"a": 1}), "list of 15 numpy arrays"),
    (pickle.dumps([np.zeros((3, 2), np.float32)] * 15), r"array 1 has shape \(3, 2\)"),
])
def test_malformed_files_name_the_file_and_the_fix(tmp_path: Path, content: bytes, match: str):
    path = tmp_path / "bad.pkl"
    path.write_bytes(content)
    with pytest.raises(DatasetFileCorrupt, match=match) as exc:
        of.read_params(path)
    assert "bad.pkl" in str(exc.value) and "target_params_py3.pkl" in str(exc.value)


def test_non_finite_parameters_are_refused(tmp_path: Path):
    path = of.write_params(tmp_path / "o.pkl", vocab=5, emb=2, hidden=2)
    arrays = of.read_params(path)
    arrays[3][0] = np.nan
    path.write_bytes(pickle.dumps(arrays))
    with pytest.raises(DatasetFileCorrupt, match="non-finite"):
        of.read_params(path)


def test_missing_file_names_it_and_where_to_get_it(tmp_path: Path):
    with pytest.raises(DatasetFilesMissing) as exc:
        of.load_oracle(tmp_path)
    msg = str(exc.value)
    assert str(tmp_path / of.FILE) in msg and of.URL in msg and "ganbench data prepare oracle-lstm" in msg


def test_inverse_cdf_sampling_is_exact():
    """sample_tokens draws from softmax(logits): frequencies of 200k draws within 4 sigma."""
    logits = torch.tensor([[0.0, 1.0, 2.0, -1.0, 0.5]]).repeat(200_000, 1)
    x = of.sample_tokens(logits, torch.Generator().manual_seed(0))
    p = torch.softmax(logits[0].double(), 0).numpy()
    freq = np.bincount(x.numpy(), minlength=5) / len(x)
    assert np.abs(freq - p).max() < 4 * np.sqrt(p.max() / len(x))


RELEASED = Path(os.environ.get("GANBENCH_DATA", "~/.cache/ganbench/data")).expanduser() / of.FILE


@pytest.mark.skipif(not RELEASED.is_file(), reason=f"the authors' released oracle is not at {RELEASED}")
def test_released_oracle_reproduces_the_known_entropy_rate():
    """With the released file in the data root: its md5 is the published file's, and the NLL of
    its own samples is 5.75 (the 'real data' NLL-oracle LeakGAN and Texygen report)."""
    assert of.md5_of(RELEASED) == of.MD5
    oracle = of.OracleLSTM(of.read_params(RELEASED))
    x = oracle.sample(2000, 20, torch.Generator().manual_seed(0))
    assert abs(float(oracle.nll(x).mean()) - 5.75) < 0.05
