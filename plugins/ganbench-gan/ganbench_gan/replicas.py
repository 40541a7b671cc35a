"""N replicas of the GAN trained as one batched model (issue: paper-scale protocols in an hour).

A tiny MLP GAN step is bound by per-operation overhead, not arithmetic: on CPU (and on a GPU, by
kernel launches) ten models cost nearly ten times one. Stacking the replicas' weights into
``(N, out, in)`` tensors and using batched matrix products makes one step of N models cost a few
ops more than one step of one.

Replicas stay separable, bit for bit in structure: each keeps its own weights, BatchNorm
statistics, latent stream (its own ``torch.Generator``) and Adam moments (Adam is elementwise,
so one Adam over stacked tensors is N independent Adams), and the loss is the *sum* of the
per-replica losses, whose gradient w.r.t. one replica's weights is that replica's own gradient.
The harness builds each replica exactly as a solo run (same seed, same init) and gives the list
to :func:`build_replicas`; :meth:`GANReplicas.unstack` writes the trained state back into the solo
models, so evaluation, sampling and checkpoints use the ordinary single-model code.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .model import GAN
from .networks import Maxout


class BatchedSequential:
    """A stack of N identical ``nn.Sequential`` MLPs (Linear / Maxout / BatchNorm1d / ReLU)."""

    def __init__(self, seqs: list[nn.Sequential]):
        self.seqs = seqs
        self.layers: list[tuple[str, dict[str, Any]]] = []
        for group in zip(*[list(s) for s in seqs]):
            first = group[0]
            if isinstance(first, nn.Linear):
                self.layers.append(("linear", self._linear([m for m in group])))
            elif isinstance(first, Maxout):
                p = self._linear([m.linear for m in group])
                p.update(d_out=first.d_out, pieces=first.pieces)
                self.layers.append(("maxout", p))
            elif isinstance(first, nn.BatchNorm1d):
                self.layers.append(("bn", {
                    "weight": nn.Parameter(torch.stack([m.weight.detach().clone() for m in group])),
                    "bias": nn.Parameter(torch.stack([m.bias.detach().clone() for m in group])),
                    "running_mean": torch.stack([m.running_mean.clone() for m in group]),
                    "running_var": torch.stack([m.running_var.clone() for m in group]),
                    "num_batches_tracked": group[0].num_batches_tracked.clone(),
                    "eps": first.eps, "momentum": first.momentum,
                }))
            elif isinstance(first, nn.ReLU):
                self.layers.append(("relu", {}))
            else:
                raise TypeError(f"cannot batch layer {type(first).__name__}")

    @staticmethod
    def _linear(mods: list[nn.Linear]) -> dict[str, Any]:
        out: dict[str, Any] = {"weight_t": nn.Parameter(torch.stack([m.weight.detach().t().contiguous() for m in mods]))}
        out["bias"] = (nn.Parameter(torch.stack([m.bias.detach().clone() for m in mods]).unsqueeze(1))
                       if mods[0].bias is not None else None)  # PacGAN's G: no bias before BatchNorm
        return out

    def parameters(self) -> list[nn.Parameter]:
        return [v for _, p in self.layers for v in p.values() if isinstance(v, nn.Parameter)]

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        """``x``: (N, B, features) → (N, B, out)."""
        for kind, p in self.layers:
            if kind in ("linear", "maxout"):
                x = torch.bmm(x, p["weight_t"]) if p["bias"] is None else torch.baddbmm(p["bias"], x, p["weight_t"])
                if kind == "maxout":
                    x = x.view(*x.shape[:2], p["d_out"], p["pieces"]).max(dim=3).values  # as Maxout
            elif kind == "relu":
                x = F.relu(x)
            else:
                x = self._bn(x, p, training)
        return x

    @staticmethod
    def _bn(x: torch.Tensor, p: dict[str, Any], training: bool) -> torch.Tensor:
        if training:
            mean = x.mean(dim=1, keepdim=True)
            var = x.var(dim=1, unbiased=False, keepdim=True)
            with torch.no_grad():  # the running statistics nn.BatchNorm1d keeps (unbiased var)
                n = x.shape[1]
                m = p["momentum"]
                p["running_mean"].mul_(1 - m).add_(mean.squeeze(1), alpha=m)
                p["running_var"].mul_(1 - m).add_(var.squeeze(1) * (n / max(n - 1, 1)), alpha=m)
                p["num_batches_tracked"] += 1
        else:
            mean = p["running_mean"].unsqueeze(1)
            var = p["running_var"].unsqueeze(1)
        return (x - mean) * torch.rsqrt(var + p["eps"]) * p["weight"].unsqueeze(1) + p["bias"].unsqueeze(1)

    @torch.no_grad()
    def unstack(self) -> None:
        """Write the batched state back into the N solo modules."""
        for i, seq in enumerate(self.seqs):
            for (kind, p), mod in zip(self.layers, seq):
                if kind in ("linear", "maxout"):
                    lin = mod if kind == "linear" else mod.linear
                    lin.weight.copy_(p["weight_t"][i].t())
                    if p["bias"] is not None:
                        lin.bias.copy_(p["bias"][i, 0])
                elif kind == "bn":
                    mod.weight.copy_(p["weight"][i])
                    mod.bias.copy_(p["bias"][i])
                    mod.running_mean.copy_(p["running_mean"][i])
                    mod.running_var.copy_(p["running_var"][i])
                    mod.num_batches_tracked.copy_(p["num_batches_tracked"])


class GANReplicas:
    """``train_step`` over N solo :class:`GAN` models at once."""

    def __init__(self, models: list[GAN]):
        first = models[0]
        keys = ("loss", "z_dim", "d_steps_per_g_step", "update")
        for m in models[1:]:
            if any(getattr(m, k) != getattr(first, k) for k in keys) or m.ctx.pack != first.ctx.pack:
                raise ValueError("replicas must share hyperparameters and pack size")
        self.models = models
        self.n = len(models)
        self.pack = first.ctx.pack
        self.loss = first.loss
        self.z_dim = first.z_dim
        self.d_steps_per_g_step = first.d_steps_per_g_step
        self.update = first.update
        self.G = BatchedSequential([m.G for m in models])
        self.D = BatchedSequential([m.D for m in models])
        g0, d0 = first.opt_g.param_groups[0], first.opt_d.param_groups[0]
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=g0["lr"], betas=g0["betas"], eps=g0["eps"])
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=d0["lr"], betas=d0["betas"], eps=d0["eps"])
        self.device = first.ctx.device

    def _z(self, n: int) -> torch.Tensor:
        return torch.stack([torch.randn(n, self.z_dim, device=self.device, generator=m.latent_rng) for m in self.models])

    def _pack(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], x.shape[1] // self.pack, self.pack * x.shape[2])

    def _g_loss(self, d_fake: torch.Tensor) -> torch.Tensor:
        if self.loss == "minimax":
            return -F.softplus(d_fake).mean(dim=(1, 2))
        return F.softplus(-d_fake).mean(dim=(1, 2))

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> list[dict[str, float]]:
        """``real``: (N, per_step, features), replica i's batch in row i. Mirrors GAN.train_step."""
        if self.update == "simultaneous":
            return self._simultaneous_step(real)
        return self._alternating_step(real)

    def _simultaneous_step(self, real: torch.Tensor) -> list[dict[str, float]]:
        fake = self.G.forward(self._z(real.shape[1]), training=True)
        d_real = self.D.forward(self._pack(real), training=True)
        d_fake = self.D.forward(self._pack(fake), training=True)
        d_loss = F.softplus(-d_real).mean(dim=(1, 2)) + F.softplus(d_fake).mean(dim=(1, 2))
        g_loss = self._g_loss(d_fake)
        d_params, g_params = self.D.parameters(), self.G.parameters()
        d_grads = torch.autograd.grad(d_loss.sum(), d_params, retain_graph=True)
        g_grads = torch.autograd.grad(g_loss.sum(), g_params)
        for p_, g_ in zip(d_params + g_params, d_grads + g_grads):
            p_.grad = g_
        self.opt_d.step()
        self.opt_g.step()
        d, g = d_loss.detach().tolist(), g_loss.detach().tolist()
        return [{"d_loss": d[i], "g_loss": g[i]} for i in range(self.n)]

    def _alternating_step(self, real: torch.Tensor) -> list[dict[str, float]]:
        chunks = real.chunk(self.d_steps_per_g_step, dim=1)
        for chunk in chunks:
            fake = self.G.forward(self._z(chunk.shape[1]), training=True).detach()
            d_real = self.D.forward(self._pack(chunk), training=True)
            d_fake = self.D.forward(self._pack(fake), training=True)
            d_loss = F.softplus(-d_real).mean(dim=(1, 2)) + F.softplus(d_fake).mean(dim=(1, 2))
            self.opt_d.zero_grad(set_to_none=True)
            d_loss.sum().backward()
            self.opt_d.step()
        n = chunks[-1].shape[1]
        d_fake = self.D.forward(self._pack(self.G.forward(self._z(n), training=True)), training=True)
        g_loss = self._g_loss(d_fake)
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.sum().backward()
        self.opt_g.step()
        d, g = d_loss.detach().tolist(), g_loss.detach().tolist()
        return [{"d_loss": d[i], "g_loss": g[i]} for i in range(self.n)]

    @torch.no_grad()
    def unstack(self) -> list[GAN]:
        """Solo models holding the replicas' current weights, statistics and Adam moments."""
        self.G.unstack()
        self.D.unstack()
        for batched, attr, part in ((self.opt_g, "opt_g", self.G), (self.opt_d, "opt_d", self.D)):
            for i, m in enumerate(self.models):
                solo_opt = getattr(m, attr)
                solo_params = _solo_params(part, i)
                for bp, sp_getter in zip(part.parameters(), solo_params):
                    state = batched.state.get(bp)
                    if not state:
                        continue
                    sp, transform = sp_getter
                    solo_opt.state[sp] = {
                        "step": state["step"].clone(),
                        "exp_avg": transform(state["exp_avg"][i]).clone(),
                        "exp_avg_sq": transform(state["exp_avg_sq"][i]).clone(),
                    }
        return self.models


def _solo_params(part: BatchedSequential, i: int) -> list[tuple[nn.Parameter, Any]]:
    """The solo parameter matching each batched parameter, and how to map a slice onto it."""
    out: list[tuple[nn.Parameter, Any]] = []
    for (kind, _), mod in zip(part.layers, part.seqs[i]):
        if kind in ("linear", "maxout"):
            lin = mod if kind == "linear" else mod.linear
            out.append((lin.weight, lambda t: t.t()))
            if lin.bias is not None:
                out.append((lin.bias, lambda t: t[0]))
        elif kind == "bn":
            out.append((mod.weight, lambda t: t))
            out.append((mod.bias, lambda t: t))
    return out


def build_replicas(models: list[GAN]) -> GANReplicas:
    return GANReplicas(models)
