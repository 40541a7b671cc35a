"""Suite-level orchestration: matrix → store rows → executor → report.

Re-running a suite into the same output directory skips runs already done, so an interrupted
benchmark picks up where it stopped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ganbench import __version__
from ganbench.hardware import hardware_info
from ganbench.plugins import Registry, load_registry
from ganbench.store import Store
from ganbench.suite import Budget, RunSpec, build_matrix, default_out_dir, load_suite, suite_hash
from ganbench.train.loop import RunOutcome

log = logging.getLogger(__name__)


@dataclass
class SuiteResult:
    out_dir: Path
    store_path: Path
    runs: list[RunSpec]
    outcomes: list[RunOutcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    report_path: Path | None = None

    @property
    def failed(self) -> list[RunOutcome]:
        return [o for o in self.outcomes if o.status != "done"]


def _plugin_of(registry: Registry, model: str) -> tuple[str | None, str | None, str]:
    owner = registry.model_owner.get(model)
    spec = registry.models[model]
    return (owner.name if owner else None, owner.distribution if owner else None, spec.description)


def prepare_store(store: Store, suite_path: Path, suite: Any, runs: list[RunSpec], registry: Registry) -> list[str]:
    """Record the suite and every run of the matrix; return the ids already done."""
    store.set_meta("suite", suite.name)
    store.set_meta("suite_hash", suite_hash(suite))
    store.set_meta("suite_file", str(suite_path))
    store.set_meta("suite_yaml", suite_path.read_text(encoding="utf-8"))
    store.set_meta("suite_protocol", suite.protocol)
    store.set_meta("ganbench_version", __version__)
    store.set_meta("hardware", hardware_info())
    done = []
    for run in runs:
        status = store.run_status(run.run_id)
        if status == "done":
            done.append(run.run_id)
            continue
        plugin, dist, description = _plugin_of(registry, run.model)
        store.upsert_run(
            run.run_id,
            suite=run.suite,
            suite_hash=suite_hash(suite),
            model=run.model,
            label=run.label,
            model_version=registry.models[run.model].version,
            plugin=plugin,
            plugin_dist=dist,
            plugin_description=description,
            dataset=run.dataset,
            dataset_label=run.dataset_label,
            seed=run.seed,
            pack=run.pack,
            config=run.config(),
            status="pending",
        )
    return done


def run_suite(
    suite_path: str | Path,
    out_dir: str | Path | None = None,
    *,
    seeds: list[int] | None = None,
    budget: Budget | None = None,
    device: str | None = None,
    registry: Registry | None = None,
    executor: Any = None,
    vectorize: int | None = None,
    progress: Callable[..., Any] | None = None,
    on_start: Callable[[list[RunSpec], list[str]], None] | None = None,
    on_done: Callable[[RunSpec, RunOutcome], None] | None = None,
    render: bool = True,
) -> SuiteResult:
    suite_path = Path(suite_path)
    suite = load_suite(suite_path)
    registry = registry or load_registry()
    runs = build_matrix(suite, registry, str(suite_path), seeds=seeds, budget=budget, device=device)
    out = Path(out_dir) if out_dir else default_out_dir(suite)
    out.mkdir(parents=True, exist_ok=True)
    with Store.open(out) as store:
        done = prepare_store(store, suite_path, suite, runs, registry)
        todo = [r for r in runs if r.run_id not in done]
        if on_start:
            on_start(runs, done)
        from ganbench.executors.local import LocalExecutor

        if executor is None:
            executor = LocalExecutor()
        n_replicas = vectorize or suite.vectorize
        if n_replicas > 1 and type(executor) is LocalExecutor:  # replicas share one process
            from ganbench.executors.vectorized import VectorizedExecutor

            executor = VectorizedExecutor(n_replicas, fallback=executor)
        outcomes = executor.run_all(todo, registry, store, progress=progress, on_done=on_done)
        result = SuiteResult(out, store.path, runs, outcomes, done)
    if render:
        from ganbench.report.build import render_report

        result.report_path = render_report(result.store_path, out / "report.html")
    return result
