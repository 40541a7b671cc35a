"""The losses train_step returns are stored as a thinned series and plotted per run in the report."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganbench.api import Capabilities, ModelSpec, hookimpl
from ganbench.plugins import load_registry
from ganbench.record.store import Store
from ganbench.run.runner import run_suite
from ganbench.train.losses import LossSeries
from tests.helpers.suites import gan, ring, suite_text


class StepCounter:
    """Its 'loss' is the step number and minus it: the stored means have a closed form."""

    def __init__(self, ctx):
        self.ctx, self.n, self.w = ctx, 0, torch.nn.Parameter(torch.zeros(ctx.data_shape[0]))

    def train_step(self, real, labels=None):
        self.n += 1
        return {"up": float(self.n), "down": -float(self.n)}

    def sample(self, n, labels=None, *, generator=None):
        return torch.randn(n, *self.ctx.data_shape, generator=generator) + self.w.detach()

    def state_dict(self):
        return {"w": self.w.detach().clone(), "n": self.n}

    def load_state_dict(self, state):
        self.w.data.copy_(state["w"])
        self.n = int(state["n"])


class _Plugin:
    __name__ = "step-counter"

    @hookimpl
    def ganbench_models(self):
        return [ModelSpec(name="counter", build=StepCounter, capabilities=Capabilities(packing=False))]


def _expected_points(total: int, points: int) -> list[tuple[int, float]]:
    """Hand oracle: slice k holds the steps s with floor(s / total * points) == k (step s closes
    it when its own fraction first reaches the next slice); the last step closes the last one."""
    out, start = [], 1
    for s in range(1, total + 1):
        if (s * points) // total > ((s - 1) * points) // total or s == total:
            out.append((s, float(np.mean(np.arange(start, s + 1)))))
            start = s + 1
    return out


def test_series_thins_to_slice_means():
    series = LossSeries(points=10)
    got = []
    for s in range(1, 96):
        p = series.add({"up": float(s)}, s / 95, last=s == 95)
        if p:
            got.append((s, p["loss/up"]))
    assert got == _expected_points(95, 10) and len(got) <= 11
    # every step is in exactly one slice: the means weighted by slice length give the overall mean
    lengths = np.diff([0] + [s for s, _ in got])
    assert np.average([v for _, v in got], weights=lengths) == pytest.approx(np.mean(np.arange(1, 96)))


SUITE = suite_text(name="losses", batch_size=8, budget={"steps": 1234}, eval={"n_samples": 50, "points": 2},
                   datasets=[ring(500)], models=[{"model": "counter"}])


def test_run_stores_at_most_501_points_per_loss_and_the_report_plots_them(write_suite, tmp_path):
    from ganbench.report.build import render_report

    out = tmp_path / "out"
    run_suite(write_suite(SUITE), out, registry=load_registry([_Plugin()]), render=False)
    with Store.open(out, create=False) as store:
        m = store.metrics()
        runs = store.runs()
    assert (runs.status == "done").all()
    loss = m[m.name.str.startswith("loss/")]
    assert set(loss.name) == {"loss/up", "loss/down"} and (loss.final == 0).all()
    for _, grp in loss[loss.name == "loss/up"].groupby("run_id"):
        pts = list(zip(grp.sort_values("step").step, grp.sort_values("step").value))
        assert 400 <= len(pts) <= 501 and pts[-1][0] == 1234
        want = _expected_points(1234, 500)
        assert [int(s) for s, _ in pts] == [s for s, _ in want]
        np.testing.assert_allclose([v for _, v in pts], [v for _, v in want], rtol=1e-12)
    # not a result: no loss in the final metrics, the leaderboard or the metric curves
    assert not m[(m.final == 1) & m.name.str.startswith("loss/")].shape[0]
    html = render_report(out, tmp_path / "r.html").read_text()
    section = html[html.index('<section id="losses">'):]
    assert "Training losses" in section and "data:image/png;base64" in section.split("</section>")[0]
    from ganbench.report.aggregate import curves

    assert not curves(runs, m)["name"].str.startswith("loss/").any()  # metric curves stay metrics


def test_vectorised_replicas_store_their_losses_too(write_suite, tmp_path, registry):
    suite = write_suite(suite_text(name="modes", budget={"steps": 30}, eval={"n_samples": 200}, models=[gan()]))
    run_suite(suite, tmp_path / "vec", registry=registry, vectorize=2, render=False)
    with Store.open(tmp_path / "vec", create=False) as store:
        m, runs = store.metrics(), store.runs()
    assert set(runs.execution) == {"vectorized ×2"}
    loss = m[m.name.str.startswith("loss/")]
    assert loss.run_id.nunique() == 2
    per_run = loss.groupby(["run_id", "name"]).step.agg(["count", "max"])
    assert (per_run["count"] == 30).all() and (per_run["max"] == 30).all()  # 30 steps < 500: every step
    assert np.isfinite(loss.value).all()
