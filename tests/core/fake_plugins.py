"""Test plugins: one well-behaved tiny model and one per way a plugin can misbehave.

Registered through a real entry point (a dist-info written on sys.path) by the fixtures in
conftest.py, exactly as a third-party plugin would be.
"""

from __future__ import annotations

import time

import torch

from ganbench.api import Capabilities, ModelSpec, pack
from ganbench.contract.hookspecs import hookimpl


class TinyModel:
    """A 2-D affine generator and linear D: enough to exercise the harness quickly."""

    fail_build = False
    fail_step_at: int | None = None
    nan_at: int | None = None
    wrong_shape = False
    step_sleep = 0.0

    def __init__(self, ctx):
        if self.fail_build:
            raise ValueError("deliberate failure in build")
        self.ctx = ctx
        self.G = torch.nn.Linear(2, ctx.data_shape[0])
        self.D = torch.nn.Linear(ctx.pack * ctx.data_shape[0], 1)
        self.opt = torch.optim.SGD([*self.G.parameters(), *self.D.parameters()], lr=1e-2)
        self.steps = 0
        self.seen_batch_sizes: list[int] = []

    def train_step(self, real, labels=None):
        self.steps += 1
        self.seen_batch_sizes.append(real.shape[0])
        if self.step_sleep:
            time.sleep(self.step_sleep)
        if self.fail_step_at is not None and self.steps >= self.fail_step_at:
            raise RuntimeError("deliberate failure in train_step")
        fake = self.G(torch.randn(real.shape[0], 2))
        loss = (self.D(pack(fake, self.ctx.pack)) - self.D(pack(real, self.ctx.pack))).mean()
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        value = float("nan") if self.nan_at is not None and self.steps >= self.nan_at else loss.item()
        return {"loss": value}

    def sample(self, n, labels=None, *, generator=None):
        with torch.no_grad():
            out = self.G(torch.randn(n, 2, generator=generator))
        return out[:, :1] if self.wrong_shape else out

    def state_dict(self):
        return {"G": self.G.state_dict(), "D": self.D.state_dict()}

    def load_state_dict(self, state):
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])


def _variant(name: str, **attrs):
    cls = type(f"Tiny_{name}", (TinyModel,), attrs)
    return ModelSpec(name=name, build=cls, version="9.9", description=f"test model {name}",
                     capabilities=Capabilities(data_kinds=("vector",)))


@hookimpl
def ganbench_models():
    return [
        _variant("tiny-ok"),
        _variant("tiny-build-raises", fail_build=True),
        _variant("tiny-step-raises", fail_step_at=3),
        _variant("tiny-nan", nan_at=2),
        _variant("tiny-wrong-shape", wrong_shape=True),
        _variant("tiny-slow", step_sleep=0.01),
    ]
