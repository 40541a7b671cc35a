"""The conformance kit fails each check on a model that breaks that part of the contract, with a
message naming the model, and passes a model that keeps it. Tiny MLPs: the whole file runs in
seconds."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ganbench.api import BuildContext, Capabilities, ModelSpec, pack
from ganbench.testing import CHECKS, ConformanceError, ModelConformance, check_model, make_kit

from .conftest import cli_env


class Tiny:
    """A small, correct non-saturating GAN; subclasses break one thing each."""

    def __init__(self, ctx: BuildContext):
        self.ctx = ctx
        dim = ctx.data_shape[0] if ctx.data_kind == "vector" else int(torch.tensor(ctx.data_shape).prod())
        self.dim = dim
        self.G = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(0.2), nn.Linear(32, dim))
        self.D = nn.Sequential(nn.Linear(self.d_in(ctx, dim), 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
        self.opt_g = torch.optim.Adam(self.G.parameters(), 1e-3, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.D.parameters(), 1e-3, betas=(0.5, 0.999))

    def d_in(self, ctx: BuildContext, dim: int) -> int:
        return ctx.pack * dim

    def z(self, n, generator=None):
        return torch.randn(n, 2, generator=generator)

    def out(self, h: torch.Tensor) -> torch.Tensor:
        if self.ctx.data_kind == "image":
            return torch.tanh(h).reshape(h.shape[0], *self.ctx.data_shape)
        return h

    def flat(self, x: torch.Tensor) -> torch.Tensor:
        return pack(x.reshape(x.shape[0], -1), self.ctx.pack)

    def train_step(self, real, labels=None):
        fake = self.out(self.G(self.z(real.shape[0])))
        d_loss = F.softplus(-self.D(self.flat(real))).mean() + F.softplus(self.D(self.flat(fake.detach()))).mean()
        self.opt_d.zero_grad()
        d_loss.backward()
        self.opt_d.step()
        g_loss = F.softplus(-self.D(self.flat(fake))).mean()
        self.opt_g.zero_grad()
        g_loss.backward()
        self.opt_g.step()
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}

    def sample(self, n, labels=None, *, generator=None):
        return self.out(self.G(self.z(n, generator)))

    def state_dict(self):
        return {"G": self.G.state_dict(), "D": self.D.state_dict(), "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict()}

    def load_state_dict(self, s):
        self.G.load_state_dict(s["G"])
        self.D.load_state_dict(s["D"])
        self.opt_g.load_state_dict(s["opt_g"])
        self.opt_d.load_state_dict(s["opt_d"])


class WrongShape(Tiny):
    def sample(self, n, labels=None, *, generator=None):
        return super().sample(n, labels, generator=generator)[:, :1]


class OutOfRange(Tiny):
    def out(self, h):
        return (3 * h).reshape(h.shape[0], *self.ctx.data_shape)


class IgnoresGenerator(Tiny):
    def sample(self, n, labels=None, *, generator=None):
        return self.G(torch.randn(n, 2))  # global RNG: the harness's latent seed is ignored


class PickledState(Tiny):
    def state_dict(self):
        return {**super().state_dict(), "config": Capabilities()}  # not loadable with weights_only=True


class ForgetsOptimiser(Tiny):
    def state_dict(self):
        return {"G": self.G.state_dict(), "D": self.D.state_dict()}

    def load_state_dict(self, s):
        self.G.load_state_dict(s["G"])
        self.D.load_state_dict(s["D"])


class NanLoss(Tiny):
    def train_step(self, real, labels=None):
        return {**super().train_step(real, labels), "g_loss": float("nan")}


class NoUpdate(Tiny):
    def train_step(self, real, labels=None):
        return {"d_loss": 1.0, "g_loss": 1.0}


class NarrowD(Tiny):
    def d_in(self, ctx, dim):
        return dim

    def flat(self, x):
        return x.reshape(x.shape[0], -1)  # ignores packing


class Diverges(Tiny):
    def train_step(self, real, labels=None):
        losses = super().train_step(real, labels)
        with torch.no_grad():  # drags G's output away from the data every step
            self.G[-1].bias += 0.05
        return losses


def spec(cls, name: str = "tiny", **caps) -> ModelSpec:
    return ModelSpec(name=name, build=cls, version="0.0", capabilities=Capabilities(**caps), api_version="1.0")


def failures(model_cls, checks, **options) -> dict[str, str]:
    report = check_model(spec(model_cls), checks=checks, raise_on_failure=False, train_steps=150, **options)
    return report.failures


def test_correct_tiny_model_passes_every_check():
    report = check_model(spec(Tiny), train_steps=150)
    assert report.ok and list(report.results) == list(CHECKS)
    # an unconditional model without encoder or codes: those checks do not apply, and say so instead of passing
    assert report.skipped == {
        "conditional": "the model is not conditional (capabilities.conditional is False)",
        "encoding": "the model has no encode/generate (the Encoding capability)",
        "codes": "the model declares no latent_codes (the StructuredCodes capability)",
    }
    assert report.passed == [c for c in CHECKS if c not in {"conditional", "encoding", "codes"}]
    assert report.notes["swd_after"] < 0.9 * report.notes["swd_before"]


@pytest.mark.parametrize("cls, check, words", [
    (WrongShape, "shapes", "returned shape (5, 1), expected (5, 2)"),
    (IgnoresGenerator, "determinism", "equally seeded generators differ"),
    (PickledState, "state_dict", "weights_only=True"),
    (ForgetsOptimiser, "state_dict", "trains differently"),
    (NanLoss, "losses", "non-finite loss g_loss=nan"),
    (NoUpdate, "updates", "changed no tensor"),
    (NarrowD, "packing", "as many numbers at pack=2"),
    (Diverges, "improves", "did not improve"),
])
def test_each_violation_fails_its_check(cls, check, words):
    found = failures(cls, [check])
    assert check in found, f"{cls.__name__} passed check {check!r}"
    assert words in found[check] and "model 'tiny'" in found[check]


def test_image_range_is_checked():
    found = failures(OutOfRange, ["range"], data_kind="image", data_shape=(1, 8, 8))
    assert "images must be in [-1, 1]" in found["range"]
    assert not failures(Tiny, ["range", "shapes"], data_kind="image", data_shape=(1, 8, 8))


def test_check_model_raises_with_every_failure_listed():
    with pytest.raises(ConformanceError) as err:
        check_model(spec(NoUpdate), checks=["spec", "updates", "improves"], train_steps=5)
    msg = str(err.value)
    assert "fails 2 conformance check(s)" in msg and "[updates]" in msg and "[improves]" in msg


def test_api_mismatch_and_bad_capabilities_fail_spec():
    bad = ModelSpec(name="tiny", build=Tiny, api_version="99.0")
    assert "targets plugin API 99.0" in check_model(bad, checks=["spec"], raise_on_failure=False).failures["spec"]
    weird = ModelSpec(name="tiny", build=Tiny, capabilities=Capabilities(data_kinds=("audio",)), api_version="1.0")
    with pytest.raises(ConformanceError, match="unknown data kind"):
        check_model(weird, checks=["spec"], data_kind="vector", data_shape=(2,))
    with pytest.raises(ValueError, match="unknown check"):
        check_model(spec(Tiny), checks=["nope"])


def test_kit_defaults_follow_capabilities():
    img = make_kit(spec(Tiny, data_kinds=("image",), min_resolution=32))
    assert img.data_kind == "image" and img.data_shape == (1, 32, 32)
    vec = make_kit(spec(Tiny))
    assert vec.data_shape == (2,) and vec.num_classes is None
    cond = make_kit(spec(Tiny, conditional=True))
    assert cond.num_classes == 8 and cond.labels_for(10).tolist() == [i % 8 for i in range(10)]


class TestTinyThroughTheClass(ModelConformance):
    """The class interface other test suites subclass, on an uninstalled spec."""

    model = spec(Tiny)
    kit_options = {"train_steps": 150}


def test_pytest_option_reports_unknown_plugin(tmp_path):
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "--ganbench-plugin=no-such-model"], capture_output=True, text=True,
                         cwd=tmp_path, env=cli_env(), timeout=300)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "no model or plugin named 'no-such-model'" in res.stdout and "gan" in res.stdout


def test_checks_that_do_not_apply_are_skipped_by_pytest_with_the_reason(tmp_path):
    """Through ModelConformance an N/A check is reported SKIPPED with its reason, never PASSED."""
    (tmp_path / "test_na.py").write_text(
        "from ganbench.api import Capabilities, ModelSpec\n"
        "from ganbench.plugins import load_registry\n"
        "from ganbench.testing import ModelConformance\n\n"
        "class TestNA(ModelConformance):\n"
        "    model = ModelSpec(name='na', build=load_registry().models['gan'].build,\n"
        "                      capabilities=Capabilities(packing=False))\n")
    res = subprocess.run([sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", "-k", "conditional or packing",
                          "test_na.py"], capture_output=True, text=True, cwd=tmp_path, env=cli_env(), timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "2 skipped" in res.stdout and "passed" not in res.stdout, res.stdout
    assert "the model is not conditional (capabilities.conditional is False)" in res.stdout
    assert "the model does not declare packing (capabilities.packing is False)" in res.stdout
