"""The SeqGAN plugin's models against known answers: the random baseline's three samplers, the
MLE step's loss, the policy-gradient rewards' shape and range, and the real-sequence bank."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from ganbench_seqgan.models import MLE, RandomGenerator, SeqGAN

from ganbench.api import BuildContext


def ctx(hp=None, vocab=10, length=6, batch=32):
    return BuildContext.for_tests((length,), data_kind="sequence", vocab_size=vocab, batch_size=batch, hparams=hp or {})


def test_unigram_baseline_samples_the_data_frequencies():
    m = RandomGenerator(ctx())
    real = torch.tensor([[0, 0, 0, 1, 1, 2]] * 32)
    losses = m.train_step(real)
    assert losses["nll_data"] == pytest.approx(math.log(10))  # before any counts: uniform
    x = m.sample(20_000, generator=torch.Generator().manual_seed(0))
    freq = np.bincount(x.flatten().numpy(), minlength=10) / x.numel()
    np.testing.assert_allclose(freq[:3], [0.5, 1 / 3, 1 / 6], atol=0.01)
    assert freq[3:].sum() == 0
    p = torch.tensor([0.5, 1 / 3, 1 / 6], dtype=torch.float64)
    entropy = float(-(p * p.log()).sum())  # NLL of the same batch under the fitted unigram = its entropy
    assert m.train_step(real)["nll_data"] == pytest.approx(entropy)


def test_uniform_and_lstm_baselines_and_bad_mode():
    u = RandomGenerator(ctx({"tokens": "uniform"}))
    u.train_step(torch.zeros(32, 6, dtype=torch.long))
    x = u.sample(20_000, generator=torch.Generator().manual_seed(1))
    assert np.abs(np.bincount(x.flatten().numpy(), minlength=10) / x.numel() - 0.1).max() < 0.01
    lstm = RandomGenerator(ctx({"tokens": "lstm"}))
    before = {k: v.clone() for k, v in lstm.G.state_dict().items()}
    lstm.train_step(torch.zeros(32, 6, dtype=torch.long))
    assert all(torch.equal(before[k], v) for k, v in lstm.G.state_dict().items())  # never trained
    with pytest.raises(ValueError, match="tokens must be one of unigram, uniform, lstm"):
        RandomGenerator(ctx({"tokens": "zipf"}))


def test_mle_step_minimises_token_cross_entropy():
    m = MLE(ctx())
    real = torch.tensor([[1, 2, 3, 4, 5, 6]] * 32)
    first = m.train_step(real)["g_mle"]
    assert first == pytest.approx(math.log(10), abs=0.3)  # N(0, 0.1) init: near uniform
    for _ in range(60):
        last = m.train_step(real)["g_mle"]
    assert last < 0.2 * first


def test_rewards_and_bank():
    hp = {"pretrain_steps": 0, "rollouts": 3, "d_filter_sizes": [2, 3], "d_num_filters": [4, 4], "real_bank": 40,
          "n_negatives": 32, "d_pretrain_rounds": 1, "d_rounds": 1, "d_epochs": 1, "d_batch_size": 16}
    m = SeqGAN(ctx(hp))
    x = m.G.sample(32, 6, torch.Generator().manual_seed(0))
    r = m.rewards(x)
    assert r.shape == (32, 6) and float(r.min()) >= 0 and float(r.max()) <= 1
    torch.testing.assert_close(r[:, -1], m.D.prob_real(x))  # the finished sequence rewards its last token
    for i in range(3):
        m.remember(torch.full((32, 6), i))
    assert m.bank_n == 40 and int((m.bank == 2).all(1).sum()) == 32 and int((m.bank == 1).all(1).sum()) == 8
    losses = m.train_step(torch.randint(0, 10, (32, 6)))  # adversarial from step 1: D pre-training, PG, D round
    assert set(losses) == {"d_pretrain", "g_pg", "reward", "d_loss"} and m.d_pretrained


def test_wrong_data_kind_is_named():
    with pytest.raises(ValueError, match="seqgan models token sequences"):
        SeqGAN(BuildContext.for_tests((2,)))
