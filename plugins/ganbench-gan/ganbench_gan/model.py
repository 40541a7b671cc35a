"""The GAN game with either generator loss, built and updated as PacGAN's released code does.

``minimax``: G minimises log(1 - D(G(z))), the game as written in the paper.
``nonsaturating``: G maximises log D(G(z)), the variant the paper recommends in practice because
the minimax gradient vanishes early in training when D rejects fakes confidently.

``update``: ``simultaneous`` (default) is PacGAN's (the ALI algorithm it trains with): one latent
batch, one forward pass of G and D, both gradients taken at the same parameters, then both Adam
steps. ``alternating`` is the textbook loop: a D step on fakes from fresh latents, then a G step
on another fresh latent batch through the updated D (one more G forward pass per step).
``init``: ``pacgan`` (default) draws every Linear weight from N(0, 0.02²) with zero biases and
no bias in G's hidden layers (BatchNorm's shift replaces it), BatchNorm momentum 0.05 and eps
1e-4, as PacGAN's Blocks config; ``pytorch`` keeps PyTorch's defaults. Audit: README.md.
``lr_decay``: ``constant`` (default, PacGAN's) or ``linear`` to 0 over the run's budget (read from
``ctx.progress``, so it means the same at any budget and resumes exactly): at a few thousand steps a
constant rate leaves G oscillating, its high-quality share swinging between ~5 % and ~65 % from one
evaluation to the next; decaying the rate lets the last evaluation see a settled generator.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from ganbench_layers.state import ModelState, eval_mode

from ganbench.api import BuildContext, lr_factor, pack, set_lr

from .networks import gaussian_init, maxout_discriminator, mlp_generator

LOSSES = ("nonsaturating", "minimax")
LR_DECAYS = ("constant", "linear")
UPDATES = ("simultaneous", "alternating")
INITS = ("pacgan", "pytorch")


class GAN(ModelState):
    state_rng_optional = True  # checkpoints from before the model had its own stream

    def __init__(self, ctx: BuildContext):
        if len(ctx.data_shape) != 1:
            raise ValueError(f"the MLP GAN needs vector data, got samples of shape {ctx.data_shape}")
        self.loss = ctx.hp("loss", "nonsaturating")
        if self.loss not in LOSSES:
            raise ValueError(f"hparam loss must be one of {LOSSES}, got {self.loss!r}")
        self.ctx = ctx
        self.z_dim = int(ctx.hp("z_dim", 2))
        self.d_steps_per_g_step = int(ctx.hp("d_steps", 1))
        self.update = str(ctx.hp("update", "simultaneous"))
        if self.update not in UPDATES:
            raise ValueError(f"hparam update must be one of {UPDATES}, got {self.update!r}")
        if self.update == "simultaneous" and self.d_steps_per_g_step != 1:
            raise ValueError("hparam update: simultaneous takes one D step per G step; use update: alternating "
                             f"for d_steps {self.d_steps_per_g_step}")
        init = str(ctx.hp("init", "pacgan"))
        if init not in INITS:
            raise ValueError(f"hparam init must be one of {INITS}, got {init!r}")
        pacgan = init == "pacgan"
        dim = ctx.data_shape[0]
        self.G = mlp_generator(
            self.z_dim, dim, int(ctx.hp("g_hidden", 400)), int(ctx.hp("g_layers", 4)), bool(ctx.hp("g_batch_norm", True)),
            bn_momentum=0.05 if pacgan else 0.1, bn_eps=1e-4 if pacgan else 1e-5, hidden_bias=not pacgan,
        )
        self.D = maxout_discriminator(
            ctx.pack * dim, int(ctx.hp("d_hidden", 200)), int(ctx.hp("d_layers", 3)), int(ctx.hp("maxout_pieces", 5))
        )
        if pacgan:
            std = float(ctx.hp("init_std", 0.02))
            gaussian_init(self.G, std)
            gaussian_init(self.D, std)
        self.G.to(ctx.device)
        self.D.to(ctx.device)
        betas = (float(ctx.hp("beta1", 0.8)), float(ctx.hp("beta2", 0.999)))
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=float(ctx.hp("lr_g", ctx.hp("lr", 1e-4))), betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=float(ctx.hp("lr_d", ctx.hp("lr", 1e-4))), betas=betas)
        self.lr_decay = str(ctx.hp("lr_decay", "constant"))
        if self.lr_decay not in LR_DECAYS:
            raise ValueError(f"hparam lr_decay must be one of {LR_DECAYS}, got {self.lr_decay!r}")
        self.base_lrs = (self.opt_g.param_groups[0]["lr"], self.opt_d.param_groups[0]["lr"])
        self.latent_rng = ctx.rng("latents")  # the model's own stream: replicas stay separable

    def _z(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn(n, self.z_dim, device=self.ctx.device, generator=generator or self.latent_rng)

    def g_loss(self, d_fake: torch.Tensor) -> torch.Tensor:
        if self.loss == "minimax":
            return -F.softplus(d_fake).mean()  # minimise log(1 - D) = -softplus(logit)
        return F.softplus(-d_fake).mean()  # minimise -log D

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        self.G.train()
        if self.lr_decay != "constant":
            set_lr((self.opt_g, self.opt_d), self.base_lrs, lr_factor(self.lr_decay, self.ctx.progress))
        if self.update == "simultaneous":
            return self._simultaneous_step(real)
        return self._alternating_step(real)

    def _simultaneous_step(self, real: torch.Tensor) -> dict[str, torch.Tensor]:
        """PacGAN's (ALI's) update: both gradients from one forward pass at the same parameters."""
        m = self.ctx.pack
        fake = self.G(self._z(real.shape[0]))
        d_real = self.D(pack(real, m))
        d_fake = self.D(pack(fake, m))
        d_loss = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
        g_loss = self.g_loss(d_fake)
        d_params, g_params = list(self.D.parameters()), list(self.G.parameters())
        d_grads = torch.autograd.grad(d_loss, d_params, retain_graph=True)
        g_grads = torch.autograd.grad(g_loss, g_params)
        for p_, g_ in zip(d_params + g_params, d_grads + g_grads):
            p_.grad = g_
        self.opt_d.step()
        self.opt_g.step()
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}

    def _alternating_step(self, real: torch.Tensor) -> dict[str, torch.Tensor]:
        m = self.ctx.pack
        chunks = real.chunk(self.d_steps_per_g_step)
        for chunk in chunks:
            fake = self.G(self._z(chunk.shape[0])).detach()
            d_real = self.D(pack(chunk, m))
            d_fake = self.D(pack(fake, m))
            # -[log D(x) + log(1 - D(G(z)))] written with logits for numerical stability
            d_loss = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
            self.opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            self.opt_d.step()
        n = chunks[-1].shape[0]
        d_fake = self.D(pack(self.G(self._z(n)), m))
        g_loss = self.g_loss(d_fake)
        self.opt_g.zero_grad(set_to_none=True)
        # G's gradients only: D's weight gradients of this pass would be thrown away (the next D
        # step starts from zero_grad), so computing them only cost time
        g_loss.backward(inputs=list(self.G.parameters()))
        self.opt_g.step()
        # detached 0-d tensors, not floats: reading a CUDA value here would make the host wait for
        # the step every step (compile_safe promises no host sync); the harness converts them
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None) -> torch.Tensor:
        with eval_mode(self.G):
            return self.G(self._z(n, generator))
