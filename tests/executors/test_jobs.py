"""``--jobs N``: several runs at once, and a thread rule that keeps every run's numbers unchanged."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganbench.executors import make_executor
from ganbench.executors.auto import AutoJobsExecutor
from ganbench.executors.isolated import IsolatedExecutor
from ganbench.executors.local import LocalExecutor
from ganbench.executors.threads import default_jobs, torch_threads, usable_cores
from ganbench.record.store import Store
from tests.helpers.store import stored_runs
from tests.helpers.suites import gan, ring, suite_text

SUITE = suite_text(name="jobs", batch_size=64, budget={"steps": 60}, eval={"n_samples": 500, "every": 30},
                   datasets=[ring(4000)], models=[gan(packs=[1, 2], hparams={"g_hidden": 48, "d_hidden": 24, "lr": 0.001})])


def _final(out):
    runs, m, samples = stored_runs(out)
    quality = m[~m.name.str.endswith("_per_s")].set_index(["run_id", "step", "name"])["value"].sort_index()
    return runs, quality, samples


def test_jobs_2_and_jobs_1_give_bit_identical_metrics_and_run_concurrently(write_suite, tmp_path, cli, monkeypatch):
    suite = write_suite(SUITE)
    # how many workers were running at once, counted where the executor starts and reaps them (not
    # by wall-clock overlap of the runs, which a loaded machine can serialise)
    in_flight, peak = [0], [0]
    start, finish = IsolatedExecutor._start, IsolatedExecutor._finish

    def counted_start(self, *a, **k):
        in_flight[0] += 1
        peak[0] = max(peak[0], in_flight[0])
        return start(self, *a, **k)

    def counted_finish(w):
        in_flight[0] -= 1
        return finish(w)

    monkeypatch.setattr(IsolatedExecutor, "_start", counted_start)
    monkeypatch.setattr(IsolatedExecutor, "_finish", staticmethod(counted_finish))
    one = cli("run", str(suite), "--out", str(tmp_path / "j1"), "--jobs", "1", "--no-report")
    assert peak[0] == 0  # --jobs 1 trains in this process, one run after the other
    two = cli("run", str(suite), "--out", str(tmp_path / "j2"), "--jobs", "2", "--no-report")
    assert one.returncode == 0, one.stderr + one.stdout
    assert two.returncode == 0, two.stderr + two.stdout
    runs1, q1, s1 = _final(tmp_path / "j1")
    runs2, q2, s2 = _final(tmp_path / "j2")
    assert len(runs1) == len(runs2) == 4 and (runs2.status == "done").all()
    # every quality metric at every evaluation, and the stored samples, bit for bit
    assert q1.index.equals(q2.index) and (q1.values == q2.values).all()
    for rid in runs1.index:
        assert np.array_equal(s1[rid], s2[rid])
    # seeds really differ (so the equality is not that of constants)
    assert not np.array_equal(*[s1[r] for r in list(runs1.index)[:2]])
    # --jobs 2 really had two runs training at once; --jobs 1 never overlapped two runs
    def overlaps(runs):
        iv = sorted(zip(runs.started_at, runs.finished_at))
        return any(b0 < a1 for (a0, a1), (b0, b1) in zip(iv, iv[1:]))

    assert peak[0] == 2 and in_flight[0] == 0
    assert not overlaps(runs1)


def test_thread_rule_is_independent_of_jobs():
    assert default_jobs(["cpu"], threads=1) == usable_cores()
    assert default_jobs(["cpu"], threads=usable_cores()) == 1
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    ex = make_executor("local", jobs=3, threads=2)
    assert isinstance(ex, IsolatedExecutor) and ex.jobs == 3 and ex.threads == 2 and ex.supports_vectorize
    assert isinstance(make_executor("local", jobs=1), LocalExecutor)
    iso = make_executor("local", isolate=True)
    assert isinstance(iso, IsolatedExecutor) and iso.jobs == 1 and not iso.supports_vectorize
    assert isinstance(make_executor("local"), AutoJobsExecutor)


def test_default_jobs_is_one_on_a_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert default_jobs(["auto", "cpu"]) == 1
    assert default_jobs(["cuda"]) == 1


def test_vectorize_with_isolate_is_refused_not_ignored(write_suite, tmp_path, cli):
    suite = write_suite(SUITE + "vectorize: 2\n")
    res = cli("run", str(suite), "--out", str(tmp_path / "o"), "--isolate", "--no-report")
    assert res.returncode == 2
    assert "error:" in res.stderr and "vectorize 2" in res.stderr and "--isolate" in res.stderr
    assert not (tmp_path / "o" / "results.sqlite").exists()


def test_vectorize_with_jobs_trains_groups_here_and_singles_in_workers(write_suite, tmp_path, cli):
    single = gan(label="single", budget={"seconds": 1},  # seconds budgets are never grouped: these go to the worker pool
                 hparams={"g_hidden": 16, "d_hidden": 8, "g_layers": 1, "d_layers": 1})
    text = suite_text(name="jobs", seeds=[0, 1], batch_size=64, budget={"steps": 60}, eval={"n_samples": 500, "every": 30},
                      datasets=[ring(4000)], models=[gan(packs=[1], hparams={"g_hidden": 48, "d_hidden": 24, "lr": 0.001}), single],
                      vectorize=2)
    res = cli("run", str(write_suite(text)), "--out", str(tmp_path / "o"),
                   "--jobs", "2", "--force", "--no-report")  # --force: a seconds budget shared by 2 jobs
    assert res.returncode == 0, res.stderr + res.stdout
    with Store.open(tmp_path / "o", create=False) as s:
        runs = s.runs()
    assert (runs.status == "done").all() and len(runs) == 4
    assert set(runs[runs.label == "gan"].execution) == {"vectorized ×2"}
    assert set(runs[runs.label == "single"].execution) == {"eager"}


@pytest.mark.parametrize("flag", [["--jobs", "2"], ["--threads", "2"]])
def test_jobs_and_threads_are_local_only(tiny_suite, tmp_path, flag, cli):
    res = cli("run", str(tiny_suite), "--out", str(tmp_path / "o"), "--executor", "ray", *flag)
    assert res.returncode == 2 and "local executor" in res.stderr
