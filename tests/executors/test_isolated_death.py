"""--isolate: a worker that dies without reporting is recorded with its plugin and its steps."""

from __future__ import annotations

from ganbench.executors.isolated import IsolatedExecutor
from ganbench.record.store import Store
from ganbench.run.runner import run_suite
from ganbench.train.checkpoint import CheckpointOptions
from tests.helpers.suites import ring, suite_text

SUITE = suite_text(name="dies", seeds=1, budget={"steps": 8}, timeout_s=120, eval={"n_samples": 100, "every": 1},
                   datasets=[ring(500)], models=[{"model": "exits"}, {"model": "segfaults"}])


def test_dead_worker_names_plugin_and_steps(write_suite, tmp_path, broken_registry):
    suite = write_suite(SUITE)
    res = run_suite(suite, tmp_path / "o", registry=broken_registry,
                    executor=IsolatedExecutor(CheckpointOptions(every=1)), render=False)
    assert len(res.outcomes) == 2 and all(o.status == "failed" for o in res.outcomes)
    with Store.open(tmp_path / "o", create=False) as store:
        runs = store.runs().set_index("model")
    for model, why in (("exits", "exited with code 1"), ("segfaults", "SIGSEGV")):
        err = runs.loc[model, "error"]
        # the plugin fails inside its 3rd train_step: 2 steps completed, checkpointed and evaluated
        assert f"model {model!r} (plugin misbehaving_plugins" in err and "version 0.0.1" in err, err
        assert why in err and "reached step 2" in err, err
        assert runs.loc[model, "steps"] == 2
