"""Models that need more real data per generator step declare ``d_steps_per_g_step``: the harness
hands them d_steps × batch × pack fresh samples and counts every one of them in kimg."""

from __future__ import annotations

import math

import pytest
import torch

from ganbench.api import Capabilities, ModelSpec, hookimpl
from ganbench.plugins import load_registry
from ganbench.record.store import Store
from ganbench.run.runner import run_suite
from tests.helpers.suites import ring, suite_text

SEEN: list[torch.Tensor] = []


class Unrolled:
    """Three D steps per G step; records every batch it is handed."""

    d_steps_per_g_step = 3

    def __init__(self, ctx):
        self.ctx = ctx
        self.w = torch.zeros(ctx.data_shape[0])

    def train_step(self, real, labels=None):
        SEEN.append(real.clone())
        return {"d_loss": 0.0}

    def sample(self, n, labels=None, *, generator=None):
        return torch.randn(n, *self.ctx.data_shape, generator=generator)

    def state_dict(self):
        return {"w": self.w}

    def load_state_dict(self, state):
        self.w = state["w"]


class _Plugin:
    __name__ = "unrolled-test"

    @hookimpl
    def ganbench_models(self):
        return [ModelSpec(name="lookahead-test", build=Unrolled, capabilities=Capabilities(packing=True))]


SUITE = suite_text(name="unrolled", seeds=1, batch_size=8, budget={"kimg": 1.0}, eval={"n_samples": 50},
                   datasets=[ring(100000)], models=[{"model": "lookahead-test", "packs": [2]}])


def test_d_steps_get_more_real_samples_and_count_in_kimg(write_suite, tmp_path):
    SEEN.clear()
    run_suite(write_suite(SUITE), tmp_path / "out", registry=load_registry([_Plugin()]), render=False)
    per_step = 3 * 8 * 2  # d_steps × batch × pack, by hand
    assert {tuple(x.shape) for x in SEEN} == {(per_step, 2)}
    assert len(SEEN) == math.ceil(1000 / per_step)  # 1 kimg = 1000 real samples, in 48-sample steps: 21
    # fresh samples each step: no row handed twice within the first epoch (100,000 rows, 1,008 drawn)
    rows = torch.cat(SEEN)
    assert torch.unique(rows, dim=0).shape[0] == rows.shape[0]
    with Store.open(tmp_path / "out", create=False) as store:
        run = store.runs().iloc[0]
        fin = store.metrics(final_only=True).set_index("name")
    assert run.status == "done" and run.steps == 21
    assert run.kimg == 21 * per_step / 1000  # every sample through D counted
    assert fin.loc["train_samples_per_s", "value"] / fin.loc["train_steps_per_s", "value"] == \
        pytest.approx(per_step)
