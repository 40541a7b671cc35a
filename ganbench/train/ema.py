"""An exponential moving average of a generator's weights, the way the reference code keeps one.

BigGAN (BigGAN-PyTorch ``utils.ema``; StudioGAN ``Ema``) and StyleGAN2 sample from an EMA of G,
not from G itself, and their published FIDs are the EMA's. A model that follows such a protocol
keeps an :class:`EMA`, calls :meth:`EMA.update` after each generator step, samples from
:attr:`EMA.module`, saves :meth:`EMA.state_dict` in its own ``state_dict`` and exposes it as its
``ema`` attribute: the harness then records, with every evaluation, that the samples came from an
EMA generator and with which decay (metric row ``sampler/ema_decay``).

Two decay rules, each as its authors wrote it:

* ``constant`` (BigGAN-PyTorch, StudioGAN): ``decay`` per generator step; before ``start_step``
  the EMA copies G (decay 0), from it on ``ema = decay * ema + (1 - decay) * G``. Buffers (BN
  running statistics) are averaged the same way, integer counters copied.
* ``half-life`` (StyleGAN2-ADA ``training_loop``): per step ``beta = 0.5 ** (batch / ema_nimg)``
  with ``ema_nimg = min(half_life_kimg * 1000, seen_nimg * rampup)``; buffers are copied.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

EMA_KINDS = ("constant", "half-life")


class EMA:
    """The averaged copy of ``source`` (a generator ``nn.Module``), in eval mode, without grads."""

    def __init__(
        self,
        source: nn.Module,
        *,
        decay: float = 0.9999,
        start_step: int = 0,
        kind: str = "constant",
        half_life_kimg: float | None = None,
        rampup: float | None = None,
        batch_size: int | None = None,
    ) -> None:
        if kind not in EMA_KINDS:
            raise ValueError(f"unknown EMA kind {kind!r}; known: {', '.join(EMA_KINDS)}")
        if kind == "constant" and not 0.0 <= decay < 1.0:
            raise ValueError(f"EMA decay must be in [0, 1), got {decay}")
        if kind == "half-life" and (not half_life_kimg or half_life_kimg <= 0 or not batch_size):
            raise ValueError("a half-life EMA needs half_life_kimg > 0 and the batch_size")
        if start_step < 0:
            raise ValueError(f"EMA start_step must be >= 0, got {start_step}")
        self.source = source
        self.module = copy.deepcopy(source).eval().requires_grad_(False)
        self.kind = kind
        self.decay = float(decay)
        self.start_step = int(start_step)
        self.half_life_kimg = half_life_kimg
        self.rampup = rampup
        self.batch_size = batch_size
        self.last_decay = 0.0
        self.updates = 0

    def current_decay(self, step: int, kimg: float = 0.0) -> float:
        """The decay the next :meth:`update` applies after generator step ``step`` (1-based:
        the number of G steps taken so far); ``kimg``: thousands of images G was trained on
        *before* this step, one batch per G step (StyleGAN2-ADA's ``cur_nimg``, which the
        reference increments after updating G_ema; not the reals D saw, n_dis x pack per step)."""
        if self.kind == "constant":
            return 0.0 if step < self.start_step else self.decay
        assert self.half_life_kimg is not None and self.batch_size is not None
        ema_nimg = self.half_life_kimg * 1000.0
        if self.rampup is not None:
            ema_nimg = min(ema_nimg, kimg * 1000.0 * self.rampup)
        return float(0.5 ** (self.batch_size / max(ema_nimg, 1e-8)))

    @torch.no_grad()
    def update(self, step: int, kimg: float = 0.0) -> None:
        """Fold the source's current weights in; call once after each generator update."""
        beta = self.current_decay(step, kimg)
        for p_ema, p in zip(self.module.parameters(), self.source.parameters(), strict=True):
            p_ema.copy_(p.detach().lerp(p_ema, beta))
        for b_ema, b in zip(self.module.buffers(), self.source.buffers(), strict=True):
            if self.kind == "half-life" or not b.is_floating_point():
                b_ema.copy_(b)
            else:
                b_ema.copy_(b.detach().lerp(b_ema, beta))
        self.last_decay = beta
        self.updates += 1

    def describe(self) -> str:
        """One line for the record: how the samples' generator was averaged."""
        if self.kind == "constant":
            start = f", from G step {self.start_step:,} (a copy of G before)" if self.start_step else ""
            return f"samples from an EMA of G: decay {self.decay:g} per G step{start}; {self.updates:,} updates"
        ramp = f", ramp-up {self.rampup:g}" if self.rampup is not None else ""
        return (f"samples from an EMA of G: half-life {self.half_life_kimg:g} kimg{ramp} "
                f"(StyleGAN2-ADA), decay now {self.last_decay:.6f}; {self.updates:,} updates")

    def state_dict(self) -> dict[str, Any]:
        return {"module": self.module.state_dict(), "updates": self.updates, "last_decay": self.last_decay}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.module.load_state_dict(state["module"])
        self.updates = int(state["updates"])
        self.last_decay = float(state["last_decay"])
