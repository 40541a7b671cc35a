"""Deliberately broken model plugins, one misbehaviour each (imported by name in worker processes)."""

from __future__ import annotations

import ctypes
import os
import time
from pathlib import Path

from ganbench_gan.model import GAN

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl

SMALL = {"g_hidden": 16, "d_hidden": 8, "g_layers": 2, "d_layers": 2}


class Broken(GAN):
    """The real GAN, misbehaving in one way from ``fail_at`` on."""

    how = "none"
    fail_at = 3

    def __init__(self, ctx):
        super().__init__(ctx)
        self.steps = 0

    def train_step(self, real, labels=None):
        self.steps += 1
        out = super().train_step(real, labels)
        if self.steps >= self.fail_at:
            if self.how == "raise":
                raise RuntimeError("exploded on purpose")
            if self.how == "nan":
                return {"d_loss": float("nan"), "g_loss": out["g_loss"]}
            if self.how == "hang":
                time.sleep(3600)
            if self.how == "exit":
                os._exit(1)
            if self.how == "segfault":
                ctypes.string_at(0)
        return out

    def sample(self, n, labels=None, *, generator=None):
        x = super().sample(n, labels, generator=generator)
        return x[:, :1] if self.how == "shape" else x


def _spec(name: str, how: str) -> ModelSpec:
    def build(ctx):
        if how == "build":
            raise ValueError("cannot build on purpose")
        return type(f"Broken_{how}", (Broken,), {"how": how})(ctx)

    return ModelSpec(name=name, build=build, version="0.0.1", capabilities=Capabilities(data_kinds=("vector",)), defaults=SMALL)


BROKEN = {
    "raises-in-build": "build",
    "raises-in-step": "raise",
    "nan-loss": "nan",
    "wrong-shape": "shape",
    "hangs": "hang",
    "exits": "exit",
    "segfaults": "segfault",
}


class DiesOnce(GAN):
    """Kills its worker process at its 12th step unless ``hparams.marker`` exists (it creates it
    first), so the retry of a Ray task survives; records in ``<marker>.resumed`` that it was
    restored from a checkpoint."""

    def __init__(self, ctx):
        super().__init__(ctx)
        self.marker = Path(ctx.hp("marker", "dies-once.marker"))
        self.steps = 0

    def train_step(self, real, labels=None):
        self.steps += 1
        if self.steps == 12 and not self.marker.exists():
            self.marker.write_text("died")
            os._exit(1)
        return super().train_step(real, labels)

    def load_state_dict(self, state):
        super().load_state_dict(state)
        Path(f"{self.marker}.resumed").write_text("yes")


@hookimpl
def ganbench_models():
    dies_once = ModelSpec(name="dies-once", build=DiesOnce, version="0.0.1", defaults=SMALL,
                          hyperparameters={"marker": "path of the file whose absence makes the model kill its worker once"})
    return [_spec(name, how) for name, how in BROKEN.items()] + [dies_once]
