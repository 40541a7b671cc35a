"""A compiled step that fails after it already changed the model is not applied twice.

``torch.compile`` runs a step as several graphs split at graph breaks; if a later graph fails to
compile, the earlier ones have already updated weights, optimiser moments and RNG streams. The
harness's eager retry must then start from the state before the step (ganbench/train/compiled.py).
Oracle: a twin model given one plain eager step, and hand-computed values.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ganbench.train.compiled import CompiledStepUnrecoverable, TrainStep

CPU = torch.device("cpu")


class Counter:
    """Adds 1 to ``w`` per step and draws one number from the global RNG (both must happen once)."""

    def __init__(self) -> None:
        self.w = torch.zeros(())
        self.draws: list[float] = []

    def train_step(self, real, labels):
        self.w += 1
        self.draws.append(float(torch.rand(())))
        return {"w": self.w.clone()}

    def state_dict(self):
        return {"w": self.w}

    def load_state_dict(self, state):
        self.w.copy_(state["w"])


def _apply_then_fail(fn, **kwargs):
    """A stand-in for torch.compile whose compiled step updates the model, then dies."""

    def run(*args):
        fn(*args)
        raise RuntimeError("graph 2 failed to compile after graph 1 ran")

    return run


def test_step_that_fails_after_updating_is_applied_once(monkeypatch):
    monkeypatch.setattr(torch, "compile", _apply_then_fail)
    model = Counter()
    torch.manual_seed(7)
    step = TrainStep(model, want_compile=True, safe=True, device=CPU)
    out = step(torch.ones(2), None)
    assert step.mode == "eager (compile failed: RuntimeError)"
    assert float(model.w) == 1.0 and float(out["w"]) == 1.0  # hand-computed: one step from 0 adds 1
    after = float(torch.rand(()))  # the global RNG moved by exactly one draw
    torch.manual_seed(7)
    first, second = float(torch.rand(())), float(torch.rand(()))
    # the eager retry drew the same number the failed attempt drew: the global RNG was rewound
    assert model.draws == [first, first] and after == second
    step(torch.ones(2), None)  # later steps are plain eager steps
    assert float(model.w) == 2.0


class Net:
    """A real model: Adam on a linear layer, latents from its own generator."""

    def __init__(self, seed: int) -> None:
        torch.manual_seed(seed)
        self.lin = nn.Linear(3, 1)
        self.opt = torch.optim.Adam(self.lin.parameters(), lr=0.1)
        self.rng = torch.Generator().manual_seed(seed)

    def train_step(self, real, labels):
        z = torch.randn(real.shape[0], 3, generator=self.rng)
        loss = (self.lin(z + real) ** 2).mean()
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return {"loss": loss.detach()}

    def state_dict(self):
        return {"lin": self.lin.state_dict(), "opt": self.opt.state_dict(), "rng": self.rng.get_state()}

    def load_state_dict(self, state):
        self.lin.load_state_dict(state["lin"])
        self.opt.load_state_dict(state["opt"])
        self.rng.set_state(state["rng"])


def _same_state(a: Net, b: Net) -> bool:
    pa, pb = list(a.lin.parameters()), list(b.lin.parameters())
    moments = all(
        torch.equal(a.opt.state[x][k], b.opt.state[y][k])
        for x, y in zip(pa, pb) for k in ("exp_avg", "exp_avg_sq", "step")
    )
    return all(torch.equal(x, y) for x, y in zip(pa, pb)) and moments and torch.equal(a.rng.get_state(), b.rng.get_state())


def test_adam_model_matches_one_eager_step(monkeypatch):
    monkeypatch.setattr(torch, "compile", _apply_then_fail)
    real = torch.randn(4, 3, generator=torch.Generator().manual_seed(1))
    harnessed, twin = Net(0), Net(0)
    step = TrainStep(harnessed, want_compile=True, safe=True, device=CPU)
    out = step(real, None)
    ref = twin.train_step(real, None)
    assert torch.equal(out["loss"], ref["loss"])
    assert _same_state(harnessed, twin)
    for _ in range(3):  # and the runs stay in lockstep afterwards
        step(real, None)
        twin.train_step(real, None)
    assert _same_state(harnessed, twin)


def test_real_compile_failing_after_the_update():
    """Real torch.compile (dynamo splits the step into graphs) with a backend that fails on the first
    graph compiled after the optimiser's graph ran: at the failure the weights have moved, and the
    result is still exactly one eager step."""
    import torch._dynamo

    torch._dynamo.reset()
    seen: list[torch.Tensor] = []
    model, twin = Net(3), Net(3)
    w0 = model.lin.weight.detach().clone()

    def train_step(real, labels):
        out = Net.train_step(model, real, labels)
        torch._dynamo.graph_break()
        return {"loss": out["loss"] * 1.0}

    model.train_step = train_step

    def fails_once_updated(gm, example_inputs):
        """Compiles graphs until the optimiser's graph has run, then fails (as inductor might)."""
        if not torch.equal(model.lin.weight, w0):
            seen.append(model.lin.weight.detach().clone())
            raise RuntimeError("a later graph does not compile")
        return gm.forward

    step = TrainStep(model, want_compile=True, safe=True, device=CPU, backend=fails_once_updated)
    assert step.mode == "compiled (default, backend fails_once_updated)"
    real = torch.ones(4, 3)
    try:
        step(real, None)
    finally:
        torch._dynamo.reset()
    assert step.mode.startswith("eager (compile failed")
    ref = twin.train_step(real, None)
    assert seen and not torch.equal(seen[0], w0)  # the failure came after the update was applied
    assert _same_state(model, twin), "the step was applied twice"
    assert torch.equal(model.lin.weight, twin.lin.weight) and ref["loss"].isfinite()


def test_state_that_cannot_be_snapshot_is_not_compiled(monkeypatch):
    calls = []
    monkeypatch.setattr(torch, "compile", lambda fn, **kw: calls.append(1) or _apply_then_fail(fn))

    class NoState(Counter):
        def state_dict(self):
            raise NotImplementedError("no state")

    model = NoState()
    step = TrainStep(model, want_compile=True, safe=True, device=CPU)
    step(torch.ones(1), None)
    assert float(model.w) == 1.0
    assert step.mode.startswith("eager (compile skipped: state_dict() not restorable")


def test_unrestorable_state_fails_instead_of_repeating(monkeypatch):
    monkeypatch.setattr(torch, "compile", _apply_then_fail)

    class NoRestore(Counter):
        def load_state_dict(self, state):
            raise KeyError("w")

    model = NoRestore()
    step = TrainStep(model, want_compile=True, safe=True, device=CPU)
    with pytest.raises(CompiledStepUnrecoverable, match="restoring the model's state"):
        step(torch.ones(1), None)
    assert float(model.w) == 1.0  # applied once (by the failed attempt), never retried


def test_backend_from_environment(monkeypatch):
    seen = {}
    monkeypatch.setattr(torch, "compile", lambda fn, **kw: seen.update(kw) or fn)
    monkeypatch.setenv("GANBENCH_COMPILE_BACKEND", "aot_eager")
    step = TrainStep(Counter(), want_compile=True, safe=True, device=CPU)
    assert seen == {"dynamic": False, "backend": "aot_eager"}
    assert step.mode == "compiled (default, backend aot_eager)"
    monkeypatch.delenv("GANBENCH_COMPILE_BACKEND")
    seen.clear()
    step = TrainStep(Counter(), want_compile=True, safe=True, device=CPU)
    assert seen == {"dynamic": False, "mode": None} and step.mode == "compiled (default)"
