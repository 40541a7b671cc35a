"""The three models of SeqGAN's synthetic table: the MLE baseline, SeqGAN, and a random generator.

One ``train_step`` is one generator update, as the harness's contract has it:

* ``seq-mle``: one maximum-likelihood (teacher-forced) step on the harness's real batch.
* ``seqgan``: the first ``pretrain_steps`` steps are exactly ``seq-mle``'s (the paper pre-trains
  G by MLE); every later step is one adversarial epoch of the authors' ``sequence_gan.py``: one
  policy-gradient update of G on ``batch_size`` samples with rewards from ``rollouts`` Monte
  Carlo roll-outs scored by D, then ``d_rounds`` × (fresh ``n_negatives`` samples, ``d_epochs``
  epochs of D over them and the positives). Before the first adversarial step D is pre-trained
  (``d_pretrain_rounds`` rounds of the same). D's positives are the last ``real_bank`` real
  sequences the harness handed to ``train_step`` (after one epoch of pre-training, the whole
  training set), so D never sees data the harness did not give the model.
* ``seq-random``: random token generation, never trained by gradient (``trainable`` is False):
  i.i.d. tokens from the real tokens' frequencies (default), uniform tokens, or the untrained LSTM.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F

from ganbench.api import BuildContext

from .networks import CNNDiscriminator, LSTMGenerator

log = logging.getLogger(__name__)


def _length_vocab(ctx: BuildContext, who: str) -> tuple[int, int]:
    if ctx.data_kind != "sequence" or not ctx.vocab_size or len(ctx.data_shape) != 1:
        raise ValueError(f"{who} models token sequences: needs data_kind 'sequence' with vocab_size, got "
                         f"{ctx.data_kind!r}, data_shape {ctx.data_shape}, vocab_size {ctx.vocab_size}")
    return int(ctx.data_shape[0]), int(ctx.vocab_size)


class SequenceGenerator:
    """G and its MLE optimiser; what the three models share."""

    name = "sequence model"

    def __init__(self, ctx: BuildContext):
        self.length, self.vocab = _length_vocab(ctx, self.name)
        self.device = ctx.device
        self.batch_size = ctx.batch_size
        self.G = LSTMGenerator(self.vocab, int(ctx.hp("emb_dim", 32)), int(ctx.hp("hidden_dim", 32)),
                               float(ctx.hp("init_std", 0.1))).to(ctx.device)
        self.lr = float(ctx.hp("lr", 0.01))
        self.grad_clip = float(ctx.hp("grad_clip", 5.0))
        self.opt_mle = torch.optim.Adam(self.G.trainable(), lr=self.lr)

    def mle_step(self, real: torch.Tensor) -> float:
        logits = self.G.logits(real)
        loss = F.cross_entropy(logits.reshape(-1, self.vocab), real.reshape(-1))
        self.opt_mle.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.G.trainable(), self.grad_clip)
        self.opt_mle.step()
        return float(loss.detach())

    def sample(self, n: int, labels: torch.Tensor | None = None, *,
               generator: torch.Generator | None = None) -> torch.Tensor:
        was = self.G.training
        self.G.eval()
        out = self.G.sample(n, self.length, generator)
        self.G.train(was)
        return out

    def state_dict(self) -> dict[str, Any]:
        return {"G": self.G.state_dict(), "opt_mle": self.opt_mle.state_dict()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.G.load_state_dict(state["G"])
        self.opt_mle.load_state_dict(state["opt_mle"])


class MLE(SequenceGenerator):
    name = "seq-mle"

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, float]:
        return {"g_mle": self.mle_step(real.long())}


class RandomGenerator(SequenceGenerator):
    """SeqGAN's "random token generation" baseline, never trained by gradient.

    ``tokens``: ``unigram`` (default) draws every token independently from the frequencies of the
    real tokens ``train_step`` has been handed (counts, nothing else: the paper's Random row, 10.310,
    is what this scores under the released oracle: 10.29); ``uniform`` draws tokens uniformly;
    ``lstm`` samples the LSTM generator at its random initialisation. ``train_step`` reports the
    batch's per-token NLL under the current sampler."""

    name = "seq-random"
    trainable = False  # a baseline: the conformance kit skips its training checks
    MODES = ("unigram", "uniform", "lstm")

    def __init__(self, ctx: BuildContext):
        super().__init__(ctx)
        self.mode = str(ctx.hp("tokens", "unigram"))
        if self.mode not in self.MODES:
            raise ValueError(f"seq-random: hyperparameter tokens must be one of {', '.join(self.MODES)}, got {self.mode!r}")
        self.counts = torch.zeros(self.vocab, dtype=torch.float64, device=ctx.device)

    def _probs(self) -> torch.Tensor:
        if self.mode == "uniform" or float(self.counts.sum()) == 0:
            return torch.full((self.vocab,), 1.0 / self.vocab, dtype=torch.float64, device=self.counts.device)
        return self.counts / self.counts.sum()

    @torch.no_grad()
    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, float]:
        real = real.long()
        if self.mode == "lstm":  # the first 8 sequences: a full forward pass per step would be a third of MLE's cost
            nll = F.cross_entropy(self.G.logits(real[:8]).reshape(-1, self.vocab), real[:8].reshape(-1))
            return {"nll_data": float(nll)}
        nll = -torch.log(self._probs()[real].clamp_min(1e-300)).mean()
        if self.mode == "unigram":
            self.counts += torch.bincount(real.flatten(), minlength=self.vocab).to(self.counts)
        return {"nll_data": float(nll)}

    def sample(self, n: int, labels: torch.Tensor | None = None, *,
               generator: torch.Generator | None = None) -> torch.Tensor:
        if self.mode == "lstm":
            return super().sample(n, labels, generator=generator)
        cdf = self._probs().cumsum(0)
        u = torch.rand(n, self.length, generator=generator, device=cdf.device, dtype=torch.float64) * cdf[-1]
        return torch.searchsorted(cdf, u).clamp_(max=self.vocab - 1)

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "counts": self.counts.clone()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        self.counts.copy_(state["counts"])


class SeqGAN(SequenceGenerator):
    name = "seqgan"

    def __init__(self, ctx: BuildContext):
        super().__init__(ctx)
        hp = ctx.hp
        self.pretrain_steps = int(hp("pretrain_steps", 18_750))
        self.rollouts = int(hp("rollouts", 16))
        self.d_rounds = int(hp("d_rounds", 5))
        self.d_epochs = int(hp("d_epochs", 3))
        self.d_pretrain_rounds = int(hp("d_pretrain_rounds", 50))
        self.d_batch = int(hp("d_batch_size", 64))
        self.n_negatives = int(hp("n_negatives", 10_000))
        self.d_l2 = float(hp("d_l2", 0.2))
        for name, v in (("rollouts", self.rollouts), ("d_batch_size", self.d_batch), ("n_negatives", self.n_negatives)):
            if v < 1:
                raise ValueError(f"seqgan: hyperparameter {name} must be >= 1, got {v}")
        self.D = CNNDiscriminator(self.vocab, self.length, int(hp("d_emb_dim", 64)),
                                  list(hp("d_filter_sizes", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20])),
                                  list(hp("d_num_filters", [100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160])),
                                  float(hp("d_dropout_keep", 0.75))).to(ctx.device)
        self.opt_adv = torch.optim.Adam(self.G.trainable(), lr=float(hp("adv_lr", self.lr)))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=float(hp("d_lr", 1e-4)))
        self.rng = ctx.rng("seqgan")
        bank = int(hp("real_bank", 10_000))
        if bank < 1:
            raise ValueError(f"seqgan: hyperparameter real_bank must be >= 1, got {bank}")
        self.bank = torch.zeros(bank, self.length, dtype=torch.long, device=ctx.device)
        self.bank_n = 0
        self.bank_pos = 0
        self.steps = 0
        self.d_pretrained = False

    # -- the real-sequence bank D draws its positives from ------------------------------------
    def remember(self, real: torch.Tensor) -> None:
        cap = self.bank.shape[0]
        real = real[-cap:]
        idx = (torch.arange(len(real), device=self.bank.device) + self.bank_pos) % cap
        self.bank[idx] = real
        self.bank_pos = (self.bank_pos + len(real)) % cap
        self.bank_n = min(cap, self.bank_n + len(real))

    # -- D -------------------------------------------------------------------------------
    def d_round(self) -> float:
        """Fresh negatives, then ``d_epochs`` epochs over negatives + positives, shuffled once
        (the authors' ``Dis_dataloader.load_train_data`` then 3 passes)."""
        negatives = torch.cat([self.G.sample(min(4096, self.n_negatives - i), self.length, self.rng)
                               for i in range(0, self.n_negatives, 4096)])
        positives = self.bank[: self.bank_n]
        x = torch.cat([positives, negatives])
        y = torch.cat([torch.ones(len(positives)), torch.zeros(len(negatives))]).long().to(x.device)
        perm = torch.randperm(len(x), generator=self.rng, device=self.rng.device).to(x.device)
        n_batches = len(x) // self.d_batch
        x, y = x[perm][: n_batches * self.d_batch], y[perm][: n_batches * self.d_batch]
        total, count = 0.0, 0
        self.D.train()
        for _ in range(self.d_epochs):
            for b in range(n_batches):
                xb, yb = x[b * self.d_batch : (b + 1) * self.d_batch], y[b * self.d_batch : (b + 1) * self.d_batch]
                loss = F.cross_entropy(self.D(xb), yb) + self.d_l2 * self.D.l2()
                self.opt_d.zero_grad(set_to_none=True)
                loss.backward()
                self.opt_d.step()
                total, count = total + float(loss.detach()), count + 1
        return total / max(count, 1)

    # -- G by policy gradient -------------------------------------------------------------
    def rewards(self, x: torch.Tensor) -> torch.Tensor:
        """Q(prefix_t, token_t) ``(B, L)``: mean of D(real) over ``rollouts`` completions of each
        prefix of length t (t < L), and D of the finished sequence at t = L."""
        b, length = x.shape
        given = torch.arange(1, length, device=x.device).repeat_interleave(b)  # (L-1)·B rows
        prefix = x.repeat(length - 1, 1)
        q = torch.zeros(length - 1, b, device=x.device)
        for _ in range(self.rollouts):
            done = self.G.sample(len(prefix), length, self.rng, prefix=prefix, given=given)
            q += self.D.prob_real(done).reshape(length - 1, b)
        last = self.D.prob_real(x).unsqueeze(0)
        return torch.cat([q / self.rollouts, last]).T

    def pg_step(self) -> tuple[float, float]:
        self.G.eval()
        x = self.G.sample(self.batch_size, self.length, self.rng)
        r = self.rewards(x)
        self.G.train()
        loss = -(self.G.log_probs(x) * r).sum()
        self.opt_adv.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.G.trainable(), self.grad_clip)
        self.opt_adv.step()
        return float(loss.detach()), float(r.mean())

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, float]:
        real = real.long()
        self.remember(real)
        self.steps += 1
        if self.steps <= self.pretrain_steps:
            return {"g_mle": self.mle_step(real)}
        out: dict[str, float] = {}
        if not self.d_pretrained:
            log.info("seqgan: pre-training D, %d rounds of %d epochs", self.d_pretrain_rounds, self.d_epochs)
            d = [self.d_round() for _ in range(self.d_pretrain_rounds)]
            out["d_pretrain"] = sum(d) / max(len(d), 1)
            self.d_pretrained = True
        out["g_pg"], out["reward"] = self.pg_step()
        d = [self.d_round() for _ in range(self.d_rounds)]
        if d:
            out["d_loss"] = sum(d) / len(d)
        return out

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "D": self.D.state_dict(), "opt_adv": self.opt_adv.state_dict(),
                "opt_d": self.opt_d.state_dict(), "rng": self.rng.get_state(), "bank": self.bank.clone(),
                "bank_n": self.bank_n, "bank_pos": self.bank_pos, "steps": self.steps,
                "d_pretrained": self.d_pretrained}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        self.D.load_state_dict(state["D"])
        self.opt_adv.load_state_dict(state["opt_adv"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.rng.set_state(state["rng"])
        self.bank.copy_(state["bank"])
        self.bank_n, self.bank_pos = int(state["bank_n"]), int(state["bank_pos"])
        self.steps, self.d_pretrained = int(state["steps"]), bool(state["d_pretrained"])
