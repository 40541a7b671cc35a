"""``--jobs`` honestly: every run records how many runs trained at once, the report shows it beside
throughput, a `seconds` budget is never silently shared, and library and CLI default alike."""

from __future__ import annotations

import json
from types import SimpleNamespace

from ganbench.executors import make_executor
from ganbench.executors.auto import AutoJobsExecutor
from ganbench.executors.concurrency import describe, text
from ganbench.executors.local import LocalExecutor
from ganbench.record.store import Store
from ganbench.run.runner import RunRefused, run_suite
from tests.helpers.suites import gan, ring, suite_text


def _suite(budget: dict) -> str:
    return suite_text(name="conc", budget=budget, eval={"n_samples": 200}, datasets=[ring(1000)],
                      models=[gan(hparams={"g_hidden": 16, "d_hidden": 8, "g_layers": 1, "d_layers": 1})])


def _concurrency(out) -> list[dict]:
    with Store.open(out, create=False) as s:
        runs = s.runs()
    assert (runs.status == "done").all()
    return [json.loads(c) for c in runs["concurrency"]]


def test_library_and_cli_default_alike_and_record_it(write_suite, tmp_path, registry, cli):
    suite = write_suite(_suite({"steps": 20}))
    run_suite(suite, tmp_path / "lib", registry=registry, render=False)
    assert _concurrency(tmp_path / "lib") == [{"executor": "local", "jobs": 1, "threads": 1}] * 2
    res = cli("run", str(suite), "--out", str(tmp_path / "cli"), "--no-report", "--no-preflight")
    assert res.returncode == 0, res.stderr
    assert _concurrency(tmp_path / "cli") == [{"executor": "local", "jobs": 1, "threads": 1}] * 2
    assert isinstance(make_executor("local", jobs=1), LocalExecutor)


class _TwoJobsInProcess(LocalExecutor):
    """Says it runs 2 jobs (as --jobs 2 does) but runs in this process: the recording and the
    refusal are the driver's, whatever executes the runs, and worker start-up costs seconds."""

    jobs = 2


def test_a_seconds_budget_with_several_jobs_is_refused_without_force(write_suite, tmp_path, registry, cli):
    suite = write_suite(_suite({"seconds": 1}))
    res = cli("run", str(suite), "--out", str(tmp_path / "o"), "--jobs", "2", "--no-report", "--no-preflight")
    assert res.returncode == 2
    assert "seconds" in res.stderr and "fewer steps" in res.stderr and "--force" in res.stderr
    assert not (tmp_path / "o" / "results.sqlite").exists()  # refused before anything was written
    run_suite(suite, tmp_path / "o", registry=registry, executor=_TwoJobsInProcess(), force=True)
    assert _concurrency(tmp_path / "o") == [{"executor": "local", "jobs": 2, "threads": 1}] * 2
    # and the report says it beside every throughput row
    html = (tmp_path / "o" / "report.html").read_text()
    section = html[html.index('<section id="throughput">'):]
    assert '<td class="l mode">eager</td><td class="l concurrency">2 runs at once × 1 thread</td>' in section


def test_jobs_auto_runs_seconds_budgets_one_at_a_time(monkeypatch):
    import ganbench.executors.auto as auto

    monkeypatch.setattr(auto, "default_jobs", lambda devices, threads: 4)
    steps = SimpleNamespace(device="cpu", budget=SimpleNamespace(seconds=None))
    timed = SimpleNamespace(device="cpu", budget=SimpleNamespace(seconds=5.0))
    ex = AutoJobsExecutor()
    ex.choose([steps] * 3)
    assert ex.jobs == 3
    assert isinstance(ex.choose([steps, timed, steps]), LocalExecutor) and ex.jobs == 1


def test_concurrency_text():
    assert text(json.dumps(describe(make_executor("local", jobs=3, threads=2)))) == "3 runs at once × 2 threads"
    assert text(json.dumps(describe(LocalExecutor()))) == "1 run at once × 1 thread"
    assert describe(LocalExecutor(), "vectorized ×8")["replicas"] == 8
    assert text(None) == text("not json") == text("[1]") == "unrecorded"


def test_library_refuses_a_shared_seconds_budget_too(write_suite, tmp_path, registry):
    import pytest

    suite = write_suite(_suite({"seconds": 1}))
    with pytest.raises(RunRefused, match="fewer steps"):
        run_suite(suite, tmp_path / "o", registry=registry, executor=make_executor("local", jobs=2), render=False)
