"""Unrolled GAN: G's loss is D's loss after D takes ``unroll_steps`` more optimiser steps.

Each ``train_step`` (poolio/unrolled_gan's iteration, one ``sess.run`` of both train ops):

1. D takes one ordinary Adam step on the batch (real x, fakes G(z)).
2. From D's parameters *before* that step, and D's Adam state, the same Adam update is applied
   ``unroll_steps`` times on the same batch, as a differentiable function of the parameters
   (``second_order: true``, the paper's method: gradients flow back through every update into
   G), or as constants (``second_order: false``, the paper's cheaper first-order variant).
3. G takes one Adam step on the GAN loss evaluated at the unrolled D. ``loss: minimax`` (the
   notebook's: G maximises the saddle objective) or ``nonsaturating``.

With ``unroll_steps: 0`` this is a plain GAN with the same networks and update (the paper's
"0 unrolling steps" baseline).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from ganbench_layers.state import ModelState, eval_mode
from torch.func import functional_call

from ganbench.api import BuildContext, pack

from .networks import conv_discriminator, conv_generator, mlp, orthogonal_init

ARCHS = ("mlp", "conv")
LOSSES = ("minimax", "nonsaturating")


def d_loss_fn(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """-[log D(x) + log(1 - D(G(z)))], with logits."""
    return F.softplus(-d_real).mean() + F.softplus(d_fake).mean()


def adam_step(params: dict[str, torch.Tensor], grads: dict[str, torch.Tensor], state: dict[str, dict[str, Any]],
              lr: float, betas: tuple[float, float], eps: float) -> tuple[dict[str, torch.Tensor], dict[str, dict[str, Any]]]:
    """One step of PyTorch's Adam as a pure function (differentiable when the inputs carry a graph):
    the same arithmetic as ``torch.optim.Adam`` with default options, so the first unrolled
    parameters equal D's real update."""
    b1, b2 = betas
    new_p, new_s = {}, {}
    for name, p in params.items():
        s = state.get(name) or {}
        t = int(s.get("step", 0)) + 1
        m = s.get("m", torch.zeros_like(p)) * b1 + (1 - b1) * grads[name]
        v = s.get("v", torch.zeros_like(p)) * b2 + (1 - b2) * grads[name] * grads[name]
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        # + 1e-30 under the root: the same value in float32 arithmetic, but a finite derivative where a
        # gradient is exactly 0 (sqrt's is infinite there, and inf * 0 would put NaN into G's gradient)
        new_p[name] = p - lr * m_hat / ((v_hat + 1e-30).sqrt() + eps)
        new_s[name] = {"step": t, "m": m, "v": v}
    return new_p, new_s


class UnrolledGAN(ModelState):
    def __init__(self, ctx: BuildContext):
        self.ctx = ctx
        self.arch = str(ctx.hp("arch", "mlp" if ctx.data_kind == "vector" else "conv"))
        if self.arch not in ARCHS:
            raise ValueError(f"hparam arch must be one of {ARCHS}, got {self.arch!r}")
        self.loss = str(ctx.hp("loss", "minimax"))
        if self.loss not in LOSSES:
            raise ValueError(f"hparam loss must be one of {LOSSES}, got {self.loss!r}")
        self.unroll_steps = int(ctx.hp("unroll_steps", 5))
        if self.unroll_steps < 0:
            raise ValueError(f"hparam unroll_steps must be >= 0, got {self.unroll_steps}")
        self.second_order = bool(ctx.hp("second_order", True))
        self.z_dim = int(ctx.hp("z_dim", 256))
        if self.arch == "mlp":
            if len(ctx.data_shape) != 1:
                raise ValueError(f"arch mlp needs vector data, got samples of shape {ctx.data_shape} (use arch: conv)")
            dim, hidden, layers = ctx.data_shape[0], int(ctx.hp("hidden", 128)), int(ctx.hp("layers", 2))
            act = str(ctx.hp("activation", "tanh"))
            self.G = mlp(self.z_dim, dim, hidden, layers, act)
            self.D = mlp(ctx.pack * dim, 1, hidden, layers, act)
            gain = float(ctx.hp("init_gain", 1.4))
            orthogonal_init(self.G, gain)
            orthogonal_init(self.D, gain)
        else:
            if len(ctx.data_shape) != 3 or ctx.data_shape[1] != ctx.data_shape[2] or ctx.data_shape[1] % 4:
                raise ValueError(f"arch conv needs square images with a side divisible by 4, got {ctx.data_shape}")
            c, res = ctx.data_shape[0], ctx.data_shape[1]
            self.G = conv_generator(self.z_dim, c, res, int(ctx.hp("g_ch", 64)))
            self.D = conv_discriminator(ctx.pack * c, res, int(ctx.hp("d_ch", 64)))
        self.G.to(ctx.device)
        self.D.to(ctx.device)
        self.betas = (float(ctx.hp("beta1", 0.5)), float(ctx.hp("beta2", 0.999)))
        self.eps = float(ctx.hp("eps", 1e-8))
        self.lr_d = float(ctx.hp("lr_d", 1e-4))
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=float(ctx.hp("lr_g", 1e-3)), betas=self.betas, eps=self.eps)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=self.lr_d, betas=self.betas, eps=self.eps)
        self.latent_rng = ctx.rng("latents")

    def _z(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        z = torch.randn(n, self.z_dim, device=self.ctx.device, generator=generator or self.latent_rng)
        return z.to(next(self.G.parameters()).dtype)  # float64 in the gradient tests

    def _d(self, params: Mapping[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        return functional_call(self.D, dict(params), (pack(x, self.ctx.pack),)).reshape(-1)

    def _adam_state(self) -> dict[str, dict[str, Any]]:
        """D's optimiser state by parameter name, as the unrolled copies continue it."""
        out = {}
        for name, p in self.D.named_parameters():
            s = self.opt_d.state.get(p)
            if s:
                out[name] = {"step": int(s["step"]), "m": s["exp_avg"], "v": s["exp_avg_sq"]}
        return out

    def unrolled_params(self, real: torch.Tensor, fake: torch.Tensor) -> dict[str, torch.Tensor]:
        """D's parameters after ``unroll_steps`` Adam steps on (real, fake), from its current ones."""
        params = {n: p for n, p in self.D.named_parameters()}
        state = self._adam_state()
        f = fake if self.second_order else fake.detach()
        for _ in range(self.unroll_steps):
            if not self.second_order:  # constants to G: a fresh leaf per step, only D's own gradient
                params = {n: p.detach().requires_grad_(True) for n, p in params.items()}
            loss = d_loss_fn(self._d(params, real), self._d(params, f))
            grads = torch.autograd.grad(loss, list(params.values()), create_graph=self.second_order)
            params, state = adam_step(params, dict(zip(params, grads)), state, self.lr_d, self.betas, self.eps)
        return params

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        fake = self.G(self._z(real.shape[0]))
        # G's loss at the unrolled D (built first: it starts from D's parameters before D's step)
        params = self.unrolled_params(real, fake)
        d_fake_k = self._d(params, fake)
        g_loss = -F.softplus(d_fake_k).mean() if self.loss == "minimax" else F.softplus(-d_fake_k).mean()
        g_grads = torch.autograd.grad(g_loss, list(self.G.parameters()))
        # D's ordinary step on the same batch
        d_loss = d_loss_fn(self.D(pack(real, self.ctx.pack)).reshape(-1), self.D(pack(fake.detach(), self.ctx.pack)).reshape(-1))
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        for p, g in zip(self.G.parameters(), g_grads):
            p.grad = g
        self.opt_g.step()
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *,
               generator: torch.Generator | None = None) -> torch.Tensor:
        with eval_mode(self.G):
            return self.G(self._z(n, generator))
