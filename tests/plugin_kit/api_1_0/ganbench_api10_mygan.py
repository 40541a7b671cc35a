"""A plugin written against API 1.0 exactly as the plugin guide of the previous round showed it
(docs/plugin-guide.md at commit 7e77329, section "ModelSpec": ``from ganbench.hookspecs import hookimpl``,
``api_version="1.0"``), with the model class ``ganbench new-plugin`` wrote then (it uses only the
1.0 contract: ``BuildContext``, ``ctx.hp``, ``pack``). Kept verbatim: a test installs it through a
real entry point and runs the conformance kit on it, so a 1.0 plugin keeps loading unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.api import BuildContext, pack


def mlp(d_in: int, d_out: int, hidden: int, layers: int) -> nn.Sequential:
    mods: list[nn.Module] = []
    d = d_in
    for _ in range(layers):
        mods += [nn.Linear(d, hidden), nn.LeakyReLU(0.2)]
        d = hidden
    mods.append(nn.Linear(d, d_out))
    return nn.Sequential(*mods)


class MyGAN:
    def __init__(self, ctx: BuildContext):
        if ctx.data_kind != "vector":
            raise ValueError(f"mygan needs vector data, got {ctx.data_kind} of shape {ctx.data_shape}")
        self.ctx = ctx
        self.z_dim = int(ctx.hp("z_dim", 2))
        hidden, layers = int(ctx.hp("hidden", 64)), int(ctx.hp("layers", 2))
        dim = ctx.data_shape[0]
        self.G = mlp(self.z_dim, dim, hidden, layers).to(ctx.device)
        # PacGAN packing: D sees ctx.pack samples concatenated, so its input is pack * dim wide.
        self.D = mlp(ctx.pack * dim, 1, hidden, layers).to(ctx.device)
        betas = (float(ctx.hp("beta1", 0.5)), float(ctx.hp("beta2", 0.999)))
        lr = float(ctx.hp("lr", 1e-3))
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=lr, betas=betas)

    def _z(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn(n, self.z_dim, device=self.ctx.device, generator=generator)

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, float]:
        """One D update and one G update; ``real`` holds ``batch_size * pack`` samples."""
        m = self.ctx.pack
        fake = self.G(self._z(real.shape[0]))
        d_real, d_fake = self.D(pack(real, m)), self.D(pack(fake.detach(), m))
        d_loss = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()

        g_loss = F.softplus(-self.D(pack(fake, m))).mean()  # non-saturating: maximise log D(G(z))
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` samples; the harness passes a seeded ``generator`` so every model sees the same z."""
        return self.G(self._z(n, generator))

    def state_dict(self) -> dict[str, Any]:
        # Only tensors, numbers and dicts: checkpoints load with torch.load(weights_only=True).
        return {"G": self.G.state_dict(), "D": self.D.state_dict(),
                "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])


# --- docs/plugin-guide.md @ 7e77329, "### ModelSpec", verbatim ---------------------------------
from ganbench.api import Capabilities, ModelSpec  # noqa: E402
from ganbench.hookspecs import hookimpl  # noqa: E402


@hookimpl
def ganbench_models():
    return [ModelSpec(
        name="mygan",                         # what suites write in `model:`; unique across plugins
        build=MyGAN,                          # build(ctx: BuildContext) -> a model (below)
        version="0.1.0",                      # your model's version, stored with every run
        description="one line for `ganbench plugins` and the report",
        paper="Author et al., Title, Venue Year",
        capabilities=Capabilities(data_kinds=("vector",), packing=True),
        defaults={"z_dim": 2, "hidden": 64, "lr": 1e-3},   # JSON-able; suite hparams override them
        api_version="1.0",                    # the plugin API this is written against
    )]
