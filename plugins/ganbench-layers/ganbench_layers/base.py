"""``AdversarialModel``: the ganbench model contract, written once for the whole zoo.

A zoo model only says how to build G and D and (if it differs from the plain adversarial game)
how to compute the two losses. This class does the rest the same way for every model: n_dis D
updates per G update on the harness's real batches, PacGAN packing before D, labels for
conditional models, deterministic initialisation from ``ctx.seed``, its own RNG for training
latents (so training is reproducible whatever else draws random numbers), sampling from the
harness's generator, and a ``state_dict`` that loads with ``weights_only=True``.

Two reference-config features are hparams of every zoo model (API 1.1, ``ctx.progress``):

* ``lr_decay: linear`` (``lr_decay_start``: a fraction of the schedule) decays every learning rate
  linearly to 0 at the end of the budget, as Mimicry does over its 100k steps; ``constant``
  (default) keeps it. ``lr_decay_steps`` pins the schedule to a reference's own length in
  generator steps (Mimicry's ``num_steps``) instead of the budget.
* ``ema: true`` samples from an exponential moving average of G (:class:`ganbench.api.EMA`):
  ``ema_decay`` per G step from G step ``ema_start`` (BigGAN/StudioGAN), or
  ``ema_kind: half-life`` with ``ema_half_life_kimg`` and ``ema_rampup`` (StyleGAN2-ADA). The
  harness records the decay with every evaluation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from ganbench.api import EMA, BuildContext, lr_factor, pack, set_lr

from .geometry import image_shape
from .init import initialise
from .losses import get_loss
from .state import ModelState

HYPERPARAMETERS: dict[str, str] = {
    "z_dim": "latent size (default 128)",
    "n_dis": "D updates per G update (default 1)",
    "loss": "adversarial loss: nonsaturating, minimax, hinge, wasserstein, least-squares (each model's own default)",
    "init": "weight initialisation of G and D: default (PyTorch), normal, xavier, orthogonal, ...",
    "lr": "Adam learning rate of G and D (default 2e-4)",
    "lr_g": "G's learning rate (default: lr; TTUR)",
    "lr_d": "D's learning rate (default: lr; TTUR)",
    "beta1": "Adam beta1 (default 0.5)",
    "beta2": "Adam beta2 (default 0.999)",
    "lr_decay": "constant (default) or linear decay of every learning rate to 0 at the end of the budget",
    "lr_decay_start": "fraction of the schedule after which the linear decay starts (default 0)",
    "lr_decay_steps": "length of the decay schedule in G steps instead of the budget (default: the budget)",
    "ema": "sample from an exponential moving average of G (default false)",
    "ema_kind": "constant (decay per G step, default) or half-life (StyleGAN2-ADA)",
    "ema_decay": "EMA decay per G step (ema_kind constant, default 0.9999)",
    "ema_start": "G step at which the EMA starts (ema_kind constant, default 0)",
    "ema_half_life_kimg": "EMA half-life in kimg (ema_kind half-life, default 10)",
    "ema_rampup": "EMA ramp-up ratio (ema_kind half-life, default none)",
}
"""Every hyper-parameter :class:`AdversarialModel` itself reads; a zoo model's ``ModelSpec`` declares
these (``hyperparameters={**HYPERPARAMETERS, ...}``) plus its own network's."""


class AdversarialModel(ModelState):
    """Subclasses set ``name`` / ``conditional`` / ``default_loss`` and implement
    :meth:`build_networks`; they may override :meth:`build_optimizers`, :meth:`d_loss`,
    :meth:`g_loss`, :meth:`after_d_step` and :meth:`generate`."""

    name = "model"
    conditional = False
    default_loss = "nonsaturating"
    state_rng = "rng"
    state_rng_optional = True

    def __init__(self, ctx: BuildContext):
        self.ctx = ctx
        self.device = torch.device(ctx.device)
        self.channels, self.size = image_shape(ctx.data_shape, self.name)
        self.pack = int(ctx.pack)
        self.num_classes = int(ctx.num_classes or 0)
        if self.conditional and self.num_classes < 2:
            raise ValueError(f"{self.name} is class-conditional and needs a labelled dataset (num_classes is {ctx.num_classes})")
        self.z_dim = int(ctx.hp("z_dim", 128))
        self.d_steps_per_g_step = int(ctx.hp("n_dis", 1))
        if self.d_steps_per_g_step < 1:
            raise ValueError(f"{self.name}: hparam n_dis must be >= 1, got {self.d_steps_per_g_step}")
        self.loss = get_loss(str(ctx.hp("loss", self.default_loss)))
        self.rng = ctx.rng("latents")  # the model's own stream for training latents/noise
        with torch.random.fork_rng(devices=[]):  # same seed -> same initial weights, global RNG untouched
            torch.manual_seed(int(ctx.seed))
            G, D = self.build_networks(ctx)
            init = str(ctx.hp("init", "default"))
            initialise(G, init)
            initialise(D, init)
        self.G: nn.Module = G.to(self.device)
        self.D: nn.Module = D.to(self.device)
        self.opt_g, self.opt_d = self.build_optimizers(ctx)
        self.lr_decay = str(ctx.hp("lr_decay", "constant"))
        self.lr_decay_start = float(ctx.hp("lr_decay_start", 0.0))
        steps = ctx.hp("lr_decay_steps", None)
        self.lr_decay_steps: int | None = None if steps in (None, 0) else int(steps)
        lr_factor(self.lr_decay, ctx.progress, start=self.lr_decay_start, steps=self.lr_decay_steps)  # bad values fail at build
        self.base_lrs = [[float(g["lr"]) for g in opt.param_groups] for opt in (self.opt_g, self.opt_d)]
        self.ema: EMA | None = self.build_ema(ctx)

    def build_ema(self, ctx: BuildContext) -> EMA | None:
        """The EMA of G the ``ema*`` hparams ask for (None: sample from G itself)."""
        if not bool(ctx.hp("ema", False)):
            return None
        kind = str(ctx.hp("ema_kind", "constant"))
        if kind == "half-life":
            ramp = ctx.hp("ema_rampup", None)
            return EMA(self.G, kind=kind, half_life_kimg=float(ctx.hp("ema_half_life_kimg", 10.0)),
                       rampup=None if ramp is None else float(ramp), batch_size=int(ctx.batch_size))
        return EMA(self.G, kind=kind, decay=float(ctx.hp("ema_decay", 0.9999)), start_step=int(ctx.hp("ema_start", 0)))

    # -- to override ------------------------------------------------------------------------
    def build_networks(self, ctx: BuildContext) -> tuple[nn.Module, nn.Module]:
        raise NotImplementedError

    def build_optimizers(self, ctx: BuildContext) -> tuple[torch.optim.Optimizer, torch.optim.Optimizer]:
        """Adam with ``lr`` (or ``lr_g`` / ``lr_d`` for TTUR) and ``beta1``, ``beta2``."""
        betas = (float(ctx.hp("beta1", 0.5)), float(ctx.hp("beta2", 0.999)))
        lr = float(ctx.hp("lr", 2e-4))
        opt_g = torch.optim.Adam(self.G.parameters(), lr=float(ctx.hp("lr_g", lr)), betas=betas)
        opt_d = torch.optim.Adam(self.D.parameters(), lr=float(ctx.hp("lr_d", lr)), betas=betas)
        return opt_g, opt_d

    def latent(self, n: int, generator: torch.Generator | None) -> torch.Tensor:
        return torch.randn(n, self.z_dim, device=self.device, generator=generator)

    def generate(self, n: int, labels: torch.Tensor | None, generator: torch.Generator | None) -> torch.Tensor:
        z = self.latent(n, generator)
        return self.G(z, labels) if self.conditional else self.G(z)

    def discriminate(self, x: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """D on packed inputs; conditional D gets the labels as (B, pack)."""
        xp = pack(x, self.pack)
        if self.conditional:
            return self.D(xp, labels.view(-1, self.pack)).reshape(xp.shape[0], -1).squeeze(1)
        return self.D(xp).reshape(xp.shape[0], -1).squeeze(1)

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor, labels: torch.Tensor | None) -> tuple[torch.Tensor, dict[str, float]]:
        r, f = self.discriminate(real, labels), self.discriminate(fake, labels)
        return self.loss.d(r, f), {"d_real": float(r.detach().mean()), "d_fake": float(f.detach().mean())}

    def g_loss(self, fake: torch.Tensor, labels: torch.Tensor | None) -> tuple[torch.Tensor, dict[str, float]]:
        return self.loss.g(self.discriminate(fake, labels)), {}

    def after_d_step(self) -> None:
        """Hook after each D update (WGAN clips weights here)."""

    def apply_lr_schedule(self) -> None:
        """Every param group at its base rate times the schedule's factor at the run's progress."""
        if self.lr_decay == "constant":
            return
        set_lr((self.opt_g, self.opt_d), self.base_lrs,
               lr_factor(self.lr_decay, self.ctx.progress, start=self.lr_decay_start, steps=self.lr_decay_steps))

    @contextmanager
    def sampling(self) -> Iterator[nn.Module]:
        """``self.G`` is the generator samples come from while inside: the EMA's when the model
        keeps one, in eval mode either way (the training G is put back after)."""
        train_G = self.G
        net = self.ema.module if self.ema is not None else train_G
        was = net.training
        net.eval()
        self.G = net
        try:
            yield net
        finally:
            self.G = train_G
            net.train(was)

    # -- the contract -----------------------------------------------------------------------
    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, float]:
        self.apply_lr_schedule()
        n_dis, m = self.d_steps_per_g_step, self.pack
        if real.shape[0] % (n_dis * m):
            raise ValueError(f"{self.name}: {real.shape[0]} real samples do not split into {n_dis} D steps of packs of {m}")
        if self.conditional and labels is None:
            raise ValueError(f"{self.name} is class-conditional; train_step needs labels")
        reals = real.chunk(n_dis)
        labs = labels.chunk(n_dis) if self.conditional else [None] * n_dis
        logs: dict[str, float] = {}
        self.G.train()
        self.D.train()
        for x, y in zip(reals, labs):
            with torch.no_grad():
                fake = self.generate(x.shape[0], y, self.rng)  # fakes conditioned on the real labels
            d_loss, logs = self.d_loss(x, fake, y)
            self.opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            self.opt_d.step()
            self.after_d_step()
        y = labs[-1]
        self.D.requires_grad_(False)
        try:
            g_loss, g_logs = self.g_loss(self.generate(reals[-1].shape[0], y, self.rng), y)
            self.opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            self.opt_g.step()
        finally:
            self.D.requires_grad_(True)
        if self.ema is not None:
            # StyleGAN2-ADA's ramp counts the images G was trained on *before* this update
            # (cur_nimg grows by one batch per iteration after G_ema is updated); not the reals D
            # saw, which include n_dis x pack per step and would run the ramp that much faster.
            step = self.ctx.progress.step
            self.ema.update(step + 1, step * self.ctx.batch_size / 1000.0)
        return {"d_loss": float(d_loss.detach()), "g_loss": float(g_loss.detach()), **logs, **g_logs}

    def balanced_labels(self, n: int) -> torch.Tensor:
        return torch.arange(n, device=self.device) % self.num_classes

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` images in [-1, 1]; latents come from ``generator`` (the harness's fixed one)."""
        if self.conditional and labels is None:
            labels = self.balanced_labels(n)
        with self.sampling():
            return self.generate(n, labels if self.conditional else None, generator).clamp(-1, 1)

    # -- checkpoints (ModelState): G, D, opt_g, opt_d, the EMA if any, rng ------------------
    def _extra_state(self) -> dict[str, Any]:
        return {"ema": self.ema.state_dict()} if self.ema is not None else {}

    def _load_extra_state(self, state: Mapping[str, Any]) -> None:
        if self.ema is not None and "ema" in state:
            self.ema.load_state_dict(state["ema"])
