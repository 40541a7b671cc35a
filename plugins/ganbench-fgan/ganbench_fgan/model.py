"""f-GAN: G and a variational function V trained on F = E_P[g_f(V(x))] - E_Q[f*(g_f(V(x)))].

``update: simultaneous`` is the paper's Algorithm 1 (single-step gradient method): one forward pass,
the gradient of F for V (ascent) and for G (descent, or the "trick" below) at the same parameters,
then both optimiser steps. ``alternating`` is the usual loop (V step, then a G step on fresh z).

``g_loss``: ``saddle`` makes G minimise F itself, the paper's saddle-point objective (its synthetic
experiment); ``nonsaturating`` is the paper's Sec. 3.2 "trick", G maximising E_Q[g_f(V(G(z)))],
the f-GAN form of GAN's -log D, which the paper uses for its image experiments.

``arch: auto`` picks ``affine`` for 1-D data (the paper's Gaussian sampler), ``mlp`` for other
vectors and ``mnist`` for images; every ``auto`` setting follows the arch (ARCH_DEFAULTS, README).
"""

from __future__ import annotations

from typing import Any

import torch
from ganbench_layers.state import ModelState, eval_mode
from torch import nn

from ganbench.api import BuildContext, pack

from . import divergences
from .networks import (
    Affine,
    bn_relu_generator,
    elu_critic,
    flat_size,
    gaussian_init,
    maxout_critic,
    tanh_mlp,
)

ARCHS = ("affine", "mlp", "mnist")
G_LOSSES = ("saddle", "nonsaturating")
UPDATES = ("simultaneous", "alternating")
OPTIMIZERS = ("sgd", "adam")
NOISES = ("normal", "uniform")

ARCH_DEFAULTS: dict[str, dict[str, Any]] = {
    # Nowozin et al. 2016 Sec. 4 (synthetic): single-step gradient method, step size 0.01, V 2 x 64 tanh
    "affine": {"optimizer": "sgd", "lr": 0.01, "beta1": 0.5, "g_loss": "saddle", "noise": "normal",
               "z_dim": None, "d_hidden": 64, "d_layers": 2},
    # PacGAN's 2-D mixture networks and Adam settings (as ganbench-gan), so only the divergence differs
    "mlp": {"optimizer": "adam", "lr": 1e-4, "beta1": 0.8, "g_loss": "nonsaturating", "noise": "normal",
            "z_dim": 2, "g_hidden": 400, "g_layers": 4, "d_hidden": 200, "d_layers": 3},
    # Nowozin et al. 2016 Sec. 4 (MNIST): Adam 2e-4, beta1 0.5; z ~ U(-1, 1)^100; G 2 x 1200; V 3 layers
    "mnist": {"optimizer": "adam", "lr": 2e-4, "beta1": 0.5, "g_loss": "nonsaturating", "noise": "uniform",
              "z_dim": 100, "g_hidden": 1200, "g_layers": 2, "d_hidden": 240, "d_layers": 3},
}


def _choice(ctx: BuildContext, name: str, options: tuple[str, ...], default: str) -> str:
    v = str(ctx.hp(name, default))
    if v not in options:
        raise ValueError(f"hparam {name} must be one of {', '.join(options)}, got {v!r}")
    return v


class FGAN(ModelState):
    def __init__(self, ctx: BuildContext):
        self.ctx = ctx
        self.div = divergences.get(str(ctx.hp("divergence", "kl")))
        arch = str(ctx.hp("arch", "auto"))
        if arch == "auto":
            arch = "mnist" if len(ctx.data_shape) > 1 else ("affine" if ctx.data_shape == (1,) else "mlp")
        if arch not in ARCHS:
            raise ValueError(f"hparam arch must be auto or one of {', '.join(ARCHS)}, got {arch!r}")
        if arch != "mnist" and len(ctx.data_shape) != 1:
            raise ValueError(f"arch {arch} needs vector data, got samples of shape {ctx.data_shape}; use arch mnist")
        self.arch = arch
        base = ARCH_DEFAULTS[arch]

        def hp(name: str) -> Any:
            v = ctx.hp(name, "auto")
            return base[name] if v == "auto" else v

        self.g_loss = str(hp("g_loss"))
        if self.g_loss not in G_LOSSES:
            raise ValueError(f"hparam g_loss must be auto or one of {', '.join(G_LOSSES)}, got {self.g_loss!r}")
        self.update = _choice(ctx, "update", UPDATES, "simultaneous")
        self.noise = str(hp("noise"))
        if self.noise not in NOISES:
            raise ValueError(f"hparam noise must be auto or one of {', '.join(NOISES)}, got {self.noise!r}")
        dim = flat_size(ctx.data_shape)
        self.z_dim = dim if arch == "affine" else int(hp("z_dim"))
        if self.z_dim < 1:
            raise ValueError(f"hparam z_dim must be >= 1, got {self.z_dim}")
        d_in = ctx.pack * dim
        self.G: nn.Module
        if arch == "affine":
            self.G = Affine(dim, float(ctx.hp("mu_init", 0.0)), float(ctx.hp("sigma_init", 1.0)))
            self.D: nn.Module = tanh_mlp(d_in, int(hp("d_hidden")), int(hp("d_layers")))
        elif arch == "mlp":
            self.G = bn_relu_generator(self.z_dim, dim, int(hp("g_hidden")), int(hp("g_layers")), "linear", bias=False)
            self.D = maxout_critic(d_in, int(hp("d_hidden")), int(hp("d_layers")), int(ctx.hp("maxout_pieces", 5)))
            std = float(ctx.hp("init_std", 0.02))
            gaussian_init(self.G, std)
            gaussian_init(self.D, std)
        else:
            self.G = bn_relu_generator(self.z_dim, dim, int(hp("g_hidden")), int(hp("g_layers")), "sigmoid")
            self.D = elu_critic(d_in, int(hp("d_hidden")), int(hp("d_layers")))
        self.G.to(ctx.device)
        self.D.to(ctx.device)
        opt = str(hp("optimizer"))
        lr = float(hp("lr"))
        lr_g, lr_d = (lr if ctx.hp(k, "auto") == "auto" else float(ctx.hp(k, "auto")) for k in ("lr_g", "lr_d"))
        if opt == "sgd":
            self.opt_g: torch.optim.Optimizer = torch.optim.SGD(self.G.parameters(), lr=lr_g)
            self.opt_d: torch.optim.Optimizer = torch.optim.SGD(self.D.parameters(), lr=lr_d)
        elif opt == "adam":
            betas = (float(hp("beta1")), float(ctx.hp("beta2", 0.999)))
            self.opt_g = torch.optim.Adam(self.G.parameters(), lr=lr_g, betas=betas)
            self.opt_d = torch.optim.Adam(self.D.parameters(), lr=lr_d, betas=betas)
        else:
            raise ValueError(f"hparam optimizer must be auto or one of {', '.join(OPTIMIZERS)}, got {opt!r}")
        self.latent_rng = ctx.rng("latents")

    # -- sampling ---------------------------------------------------------------------------------
    def _z(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        g = generator or self.latent_rng
        if self.noise == "uniform":
            return torch.rand(n, self.z_dim, device=self.ctx.device, generator=g) * 2 - 1
        return torch.randn(n, self.z_dim, device=self.ctx.device, generator=g)

    def _generate(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return self.G(self._z(n, generator)).reshape(n, *self.ctx.data_shape)

    def _v(self, x: torch.Tensor) -> torch.Tensor:
        return self.D(pack(x, self.ctx.pack).reshape(x.shape[0] // self.ctx.pack, -1)).squeeze(1)

    # -- objective --------------------------------------------------------------------------------
    def _bound(self, v_real: torch.Tensor, v_fake: torch.Tensor) -> torch.Tensor:
        """F(omega, theta): the variational lower bound on D_f(P || Q)."""
        return self.div.activation(v_real).mean() - self.div.conjugate_of_v(v_fake).mean()

    def _g_objective(self, v_fake: torch.Tensor) -> torch.Tensor:
        if self.g_loss == "saddle":
            return -self.div.conjugate_of_v(v_fake).mean()  # the part of F that depends on G
        return -self.div.activation(v_fake).mean()

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        self.G.train()
        if self.update == "simultaneous":
            fake = self._generate(real.shape[0])
            v_real, v_fake = self._v(real), self._v(fake)
            bound = self._bound(v_real, v_fake)
            g_obj = self._g_objective(v_fake)
            d_params, g_params = list(self.D.parameters()), list(self.G.parameters())
            d_grads = torch.autograd.grad(-bound, d_params, retain_graph=True)
            g_grads = torch.autograd.grad(g_obj, g_params)
            for p_, g_ in zip(d_params + g_params, d_grads + g_grads):
                p_.grad = g_
            self.opt_d.step()
            self.opt_g.step()
        else:
            fake = self._generate(real.shape[0]).detach()
            bound = self._bound(self._v(real), self._v(fake))
            self.opt_d.zero_grad(set_to_none=True)
            (-bound).backward()
            self.opt_d.step()
            g_obj = self._g_objective(self._v(self._generate(real.shape[0])))
            self.opt_g.zero_grad(set_to_none=True)
            g_obj.backward()
            self.opt_g.step()
        return {"d_loss": -bound.detach(), "g_loss": g_obj.detach()}

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None) -> torch.Tensor:
        with eval_mode(self.G):
            return self._generate(n, generator)
