"""Test plugins for vectorised groups: a tiny class-conditional image model whose replica group
records the labels it is given, and one whose ``unstack`` raises."""

from __future__ import annotations

import torch

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl

SEEN: dict[str, list] = {"solo": [], "group": []}


class CondTiny:
    """G: (z, one-hot label) -> image through one linear layer; trained by a dummy loss."""

    def __init__(self, ctx):
        self.ctx = ctx
        torch.manual_seed(ctx.seed)
        c, h, w = ctx.data_shape
        self.G = torch.nn.Linear(2 + ctx.num_classes, c * h * w)
        self.opt = torch.optim.SGD(self.G.parameters(), lr=1e-3)

    def train_step(self, real, labels=None):
        SEEN["solo"].append((self.ctx.seed, None if labels is None else labels.clone()))
        return self._step(real, labels)

    def _step(self, real, labels):
        if labels is None:
            raise ValueError("a conditional model needs the labels of its real batch")
        fake = self.sample(real.shape[0], labels, grad=True)
        loss = (fake - real).pow(2).mean()
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return {"loss": float(loss)}

    def sample(self, n, labels=None, *, generator=None, grad=False):
        if labels is None:
            labels = torch.arange(n) % self.ctx.num_classes
        z = torch.randn(n, 2, generator=generator)
        y = torch.nn.functional.one_hot(labels.long(), self.ctx.num_classes).float()
        with torch.set_grad_enabled(grad):
            return torch.tanh(self.G(torch.cat([z, y], 1))).view(n, *self.ctx.data_shape)

    def state_dict(self):
        return {"G": self.G.state_dict()}

    def load_state_dict(self, state):
        self.G.load_state_dict(state["G"])


class Group:
    """N solo models stepped one after the other (batched in spirit; enough to test the harness)."""

    broken_unstack = False

    def __init__(self, models):
        self.models = models

    def train_step(self, real, labels):
        SEEN["group"].append(None if labels is None else labels.clone())
        return [m._step(real[i], None if labels is None else labels[i]) for i, m in enumerate(self.models)]

    def unstack(self):
        if self.broken_unstack:
            raise RuntimeError("deliberate failure in unstack")
        return self.models


class BrokenGroup(Group):
    broken_unstack = True


def _spec(name: str, group: type) -> ModelSpec:
    return ModelSpec(name=name, build=CondTiny, version="0.1", description=f"test model {name}",
                     capabilities=Capabilities(data_kinds=("image",), conditional=True),
                     build_replicas=group)


@hookimpl
def ganbench_models():
    return [_spec("cond-replicas", Group), _spec("cond-broken-unstack", BrokenGroup)]
