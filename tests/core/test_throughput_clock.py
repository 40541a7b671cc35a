"""What a throughput number means: the clock waits for asynchronous device work, and every number
carries the execution mode it was measured in.

CUDA kernels run asynchronously, so on the CPU we model a device whose work is queued by
``train_step`` and only done when someone synchronises: a clock that stops without a synchronise
times the launch (microseconds), one that synchronises times the work.
"""

from __future__ import annotations

import time

import pytest
import torch

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl
from ganbench.plugins import load_registry
from ganbench.record.store import Store
from ganbench.run.runner import run_suite
from ganbench.train import clock as clock_mod
from tests.helpers.suites import gan, ring, suite_text

KERNEL_S = 0.02  # the "device time" of one queued step
STEPS = 10

_queue: list[float] = []


def _fake_cuda_sync(device: torch.device) -> None:
    """Run every queued kernel, as torch.cuda.synchronize waits for them."""
    while _queue:
        time.sleep(_queue.pop())


class AsyncModel:
    """Returns from train_step at once, leaving KERNEL_S of queued device work behind."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.w = torch.nn.Parameter(torch.zeros(ctx.data_shape[0]))

    def train_step(self, real, labels=None):
        _queue.append(KERNEL_S)
        return {"loss": torch.tensor(0.5)}  # a tensor loss: reading it would not sync on CUDA either

    def sample(self, n, labels=None, *, generator=None):
        return torch.randn(n, self.ctx.data_shape[0], generator=generator) * 0.01 + self.w.detach()

    def state_dict(self):
        return {"w": self.w.detach().clone()}

    def load_state_dict(self, state):
        self.w.data.copy_(state["w"])


class _Plugin:
    @hookimpl
    def ganbench_models(self):
        return [ModelSpec(name="async", build=AsyncModel, version="1.0",
                          capabilities=Capabilities(data_kinds=("vector",)))]


def _suite(budget: dict) -> str:
    return suite_text(name="clock", seeds=1, batch_size=16, budget=budget, eval={"n_samples": 100},
                      datasets=[ring(1000)], models=[{"model": "async"}])


@pytest.mark.parametrize("budget", ["steps", "kimg"])
def test_clock_synchronises_at_every_step_whatever_the_budget(write_suite, tmp_path, monkeypatch, budget):
    """Before: the loop synchronised only for seconds budgets, so a steps/kimg budget timed the
    launches (~0 s) and booked the work to nobody; train_steps_per_s was off by orders of magnitude."""
    monkeypatch.setattr(clock_mod, "synchronize", _fake_cuda_sync)
    _queue.clear()
    text = _suite({"steps": STEPS} if budget == "steps" else {"kimg": STEPS * 16 / 1000})
    run_suite(write_suite(text), tmp_path / "out", registry=load_registry([_Plugin()]), render=False)
    with Store.open(tmp_path / "out", create=False) as store:
        run = store.runs().iloc[0]
        fin = store.metrics(final_only=True).set_index("name")
    assert run.status == "done" and run.steps == STEPS
    # every step's queued work lies inside the clock: at least STEPS × KERNEL_S of training time
    assert run.train_seconds >= STEPS * KERNEL_S * 0.95
    assert fin.loc["train_steps_per_s", "value"] <= 1.05 / KERNEL_S
    assert not _queue


def test_clock_start_excludes_work_queued_before_the_step(monkeypatch):
    """Work queued before start() (data indexing, the previous step) is not the step's."""
    _queue.clear()
    _queue.append(0.05)
    c = clock_mod.StepClock(torch.device("cpu"), sync=_fake_cuda_sync)
    c.start()
    assert c.stop() < 0.04


def test_cpu_synchronize_is_a_no_op(monkeypatch):
    called = []
    monkeypatch.setattr(torch.cuda, "synchronize", lambda *a: called.append(a))
    clock_mod.synchronize(torch.device("cpu"))
    assert not called
    clock_mod.synchronize(torch.device("cuda", 0))
    assert called == [(torch.device("cuda", 0),)]


def _vec_suite(label: str) -> str:
    return suite_text(name="modes", seeds=3, budget={"steps": 30}, eval={"n_samples": 200}, models=[gan(label=label)])


VEC_SUITE = _vec_suite("vec")


def test_execution_mode_recorded_and_vectorised_runs_book_the_group_wall_time(write_suite, tmp_path, registry):
    """Before: a replica booked 1/N of the group's step time, so its steps/s looked N times a
    solo run's, with no mode stored beside it."""
    suite = write_suite(VEC_SUITE)
    run_suite(suite, tmp_path / "vec", registry=registry, vectorize=3, render=False)
    run_suite(suite, tmp_path / "solo", registry=registry, render=False)
    with Store.open(tmp_path / "vec", create=False) as s:
        vec, vec_m = s.runs(), s.metrics(final_only=True)
    with Store.open(tmp_path / "solo", create=False) as s:
        solo, solo_m = s.runs(), s.metrics(final_only=True)
    assert set(vec.execution) == {"vectorized ×3"}
    assert set(solo.execution) == {"eager"}
    # each replica waited the whole group step: all three book the same training time
    assert vec.train_seconds.max() == pytest.approx(vec.train_seconds.min(), rel=1e-9)
    # every throughput number names its mode
    for m, mode in ((vec_m, "vectorized ×3"), (solo_m, "eager")):
        thr = m[m.name.isin(["train_steps_per_s", "train_samples_per_s", "gen_samples_per_s"])]
        assert len(thr) == 9 and thr.note.str.startswith(f"mode: {mode}").all()


def test_report_flags_mixed_execution_modes(write_suite, tmp_path, registry):
    from ganbench.report.build import render_report

    suite = write_suite(VEC_SUITE)
    run_suite(suite, tmp_path / "vec", registry=registry, vectorize=3, render=False)
    run_suite(write_suite(_vec_suite("solo"), "solo.yaml"),
              tmp_path / "solo", registry=registry, render=False)
    html = render_report([tmp_path / "vec", tmp_path / "solo"], tmp_path / "r.html").read_text()
    section = html[html.index('<section id="throughput">'):]
    section = section[: section.index("</section>")]
    assert "vectorized ×3" in section and "eager" in section
    assert 'class="warn mixed-modes"' in section and "not comparable" in section
    one = render_report(tmp_path / "solo", tmp_path / "one.html").read_text()
    assert "mixed-modes" not in one and '<td class="l mode">eager</td>' in one
