"""Model hyper-parameters are declared, and a suite may set only declared ones.

Before, a misspelled ``lr`` on a model that reads ``lr_g``/``lr_d`` trained with the defaults and
exit 0. Now every ModelSpec declares what its build reads (``defaults`` and ``hyperparameters``),
a suite naming anything else is refused when it loads, and the conformance kit fails a model
that reads a name it does not declare.
"""

from __future__ import annotations

import pytest
import torch

from ganbench.api import BuildContext, Capabilities, ModelSpec
from ganbench.plan.matrix import build_matrix
from ganbench.plan.suite import SuiteError, parse_suite
from ganbench.testing import ConformanceError, Kit


def _suite(model: str, hparams: str, dataset: str = "mog-ring8") -> str:
    return (f"name: s\nbudget: {{steps: 5}}\nseeds: 1\ndatasets: [{dataset}]\n"
            f"models: [{{model: {model}, hparams: {hparams}}}]\n")


def test_a_misspelled_hparam_is_a_suite_error_naming_the_model_and_the_valid_names(registry):
    with pytest.raises(SuiteError) as err:
        build_matrix(parse_suite(_suite("gan", "{lr_gg: 0.001, g_hiden: 64}")), registry, "s.yaml")
    msg = str(err.value)
    assert msg.startswith("s.yaml: models[0].hparams: unknown hyper-parameters 'g_hiden', 'lr_gg' for model 'gan'")
    assert "'lr_gg' -> 'lr_g'" in msg and "'g_hiden' -> 'g_hidden'" in msg
    assert "valid: " in msg and "lr_d" in msg and "z_dim" in msg and "\n" not in msg


def test_lr_on_a_model_that_reads_only_lr_g_and_lr_d_is_refused(registry):
    spec = registry.models["infogan"]
    assert "lr" not in spec.defaults and "lr" not in spec.hyperparameters
    with pytest.raises(SuiteError, match="unknown hyper-parameter 'lr' for model 'infogan'"):
        build_matrix(parse_suite(_suite("infogan", "{lr: 0.001}", "mnist")), registry, "s.yaml")


def test_declared_names_are_accepted(registry):
    runs = build_matrix(parse_suite(_suite("gan", "{lr_g: 0.001, lr_d: 0.002, g_hidden: 64}")), registry, "s.yaml")
    assert runs[0].hparams["lr_g"] == 0.001


def test_every_installed_model_declares_what_its_build_reads(registry):
    """Each model built once by the conformance kit's context, reads recorded (fails on the first
    undeclared name with the kit's message)."""
    problems = {}
    for name, spec in sorted(registry.models.items()):
        try:
            Kit(spec=spec, batch_size=8).build()
        except ConformanceError as exc:
            if "does not declare" in str(exc):
                problems[name] = str(exc)
        except Exception:  # noqa: BLE001 - a model the default kit cannot build (special data) is checked by its own tests
            continue
    assert problems == {}


class _Model:
    def __init__(self, ctx: BuildContext):
        self.lr = float(ctx.hp("lr", 1e-3))
        self.typo = float(ctx.hp("momentumm", 0.9))  # read but never declared

    def train_step(self, real, labels):
        return {}

    def sample(self, n, labels=None, *, generator=None):
        return torch.zeros(n, 2)

    def state_dict(self):
        return {}

    def load_state_dict(self, state):
        return None


def test_the_kit_fails_a_model_that_reads_an_undeclared_name():
    spec = ModelSpec(name="toy", build=_Model, defaults={"lr": 1e-3}, capabilities=Capabilities(), api_version="1.4")
    with pytest.raises(ConformanceError, match="reads hyper-parameter\\(s\\) 'momentumm' that the spec does not declare"):
        Kit(spec=spec).build()
    ok = ModelSpec(name="toy", build=_Model, defaults={"lr": 1e-3}, hyperparameters={"momentumm": "momentum"},
                   api_version="1.4")
    Kit(spec=ok).build()


@pytest.mark.parametrize("api_version", ["1.0", "1.3"])
def test_the_declared_hparams_rule_binds_only_plugins_written_against_1_4(api_version):
    """The rule came with API 1.4: an older plugin that reads an undeclared name still builds, with a note."""
    spec = ModelSpec(name="toy", build=_Model, defaults={"lr": 1e-3}, capabilities=Capabilities(),
                     api_version=api_version)
    kit = Kit(spec=spec)
    kit.build()
    assert "momentumm" in kit.notes["undeclared_hparams"]
