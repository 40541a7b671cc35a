"""Suite-level orchestration: plan → store rows → executor → report.

Re-running a suite into the same output directory skips runs already done, so an interrupted
benchmark picks up where it stopped.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganbench import __version__
from ganbench.executors.concurrency import describe, encode, seconds_budget_runs
from ganbench.plan.matrix import Plan, RunSpec, build_plan
from ganbench.plan.suite import Budget, default_out_dir
from ganbench.plugins import Registry, load_registry
from ganbench.record.hardware import hardware_info
from ganbench.record.kept import generator_dir
from ganbench.record.store import Store
from ganbench.run.outlock import OutDirLock, OutDirLocked
from ganbench.train.loop import RunOutcome

log = logging.getLogger(__name__)


@dataclass
class SuiteResult:
    out_dir: Path
    store_path: Path
    runs: list[RunSpec]
    outcomes: list[RunOutcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Ids of runs already done in the store (resumed past, not run again)."""
    report_path: Path | None = None
    plan: Plan | None = None

    @property
    def failed(self) -> list[RunOutcome]:
        return [o for o in self.outcomes if o.status != "done"]


def metric_policy(runs: list[RunSpec], registry: Registry) -> dict[str, Any]:
    """Which metric families the suite's runs may compute and why, for the report: listed by the
    suite, skipped by it, or (nothing listed) run by default unless third-party."""
    first = runs[0] if runs else None
    listed = list(first.metrics) if first is not None and first.metrics is not None else None
    skipped = list(first.skip_metrics) if first is not None else []
    families = {}
    for name, owner in sorted(registry.metric_owner.items()):
        if name in skipped:
            why = "skipped by the suite (skip_metrics)"
        elif listed is not None:
            why = "listed by the suite" if name in listed else "not listed by the suite"
        elif owner.first_party or owner.distribution is None:
            why = "runs by default where it applies (built-in or first-party)"
        else:
            why = "not run: third-party, runs only when a suite lists it in metrics"
        families[name] = {"why": why, "provider": owner.describe(), "version": registry.metrics[name].version}
    dataset_defaults = {d: list(registry.datasets[d].default_metrics) for d in sorted({r.dataset for r in runs})
                        if d in registry.datasets and registry.datasets[d].default_metrics}
    return {"listed": listed, "skipped": skipped, "families": families,
            "dataset_defaults": dataset_defaults if listed is None else {}}


def _plugin_of(registry: Registry, model: str) -> tuple[str | None, str | None, str]:
    owner = registry.model_owner.get(model)
    spec = registry.models[model]
    return (owner.name if owner else None, owner.distribution if owner else None, spec.description)


class RunRefused(ValueError):
    """``ganbench run`` cannot start: output folder unusable or in use, finished runs whose config
    changed, or something the suite needs is missing. Nothing was trained; the CLI exits 2."""


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(obj, dict) and obj:
        out: dict[str, Any] = {}
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: obj}


def config_changes(stored: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """``field: old -> new`` for every (dotted) field that differs between two run configs."""
    a = _flatten(json.loads(json.dumps(stored, sort_keys=True, default=str)))
    b = _flatten(json.loads(json.dumps(new, sort_keys=True, default=str)))
    missing = object()
    return [
        f"{k}: {json.dumps(a.get(k)) if k in a else '(absent)'} -> {json.dumps(b.get(k)) if k in b else '(absent)'}"
        for k in sorted(set(a) | set(b))
        if a.get(k, missing) != b.get(k, missing)
    ]


def changed_done_runs(store: Store, plan: Plan) -> dict[str, list[str]]:
    """Finished runs in the store whose stored config differs from the plan's: run id -> changes."""
    df = store.runs()
    if df.empty:
        return {}
    stored = {r.run_id: r.config for r in df.itertuples() if r.status == "done"}
    out = {}
    for run in plan.runs:
        if run.run_id in stored:
            changes = config_changes(stored[run.run_id] or {}, plan.config(run.run_id))
            if changes:
                out[run.run_id] = changes
    return out


def prepare_store(store: Store, plan: Plan, registry: Registry, *, rerun_changed: bool = False) -> list[str]:
    """Record the plan (the suite, every run, every skipped pair); return the ids already done.

    A finished run is skipped only if its stored config equals the new one. Otherwise, unless
    ``rerun_changed``, :class:`RunRefused` lists the changed fields before anything is written,
    because keeping old numbers under a new suite hash is a silently wrong result.
    """
    suite, runs = plan.suite, list(plan.runs)
    changed = changed_done_runs(store, plan)
    if changed and not rerun_changed:
        first, changes = next(iter(changed.items()))
        more = f" (and {len(changed) - 1} more run(s))" if len(changed) > 1 else ""
        raise RunRefused(
            f"{store.path.parent}: {len(changed)} finished run(s) were made with a different config, e.g. {first}: "
            f"{'; '.join(changes[:6])}{' ...' if len(changes) > 6 else ''}{more}; rerun them with --rerun-changed, "
            "or use another --out"
        )
    store.set_meta("suite", suite.name)
    store.set_meta("suite_hash", plan.suite_hash)
    store.set_meta("suite_file", plan.source)
    store.set_meta("suite_yaml", plan.suite_text)
    store.set_meta("suite_protocol", suite.protocol)
    store.set_meta("ganbench_version", __version__)
    store.set_meta("hardware", hardware_info())
    # What a published row's protocol is compared with (ganbench.analyse.references): conditioning per model.
    store.set_meta("model_capabilities", {
        m: {"conditional": bool(registry.models[m].capabilities.conditional)}
        for m in sorted({r.model for r in runs}) if m in registry.models
    })
    # Dataset and metric providers are versioned like models, so a changed provider is visible later.
    store.set_meta("component_versions", {
        "datasets": {d: registry.datasets[d].version for d in sorted({r.dataset for r in runs}) if d in registry.datasets},
        "metrics": {m: spec.version for m, spec in sorted(registry.metrics.items())},
    })
    store.set_meta("metric_policy", metric_policy(runs, registry))
    # the pairs the models' capabilities rule out, with why: printed, stored, shown in the report
    store.set_meta("skipped_pairs", [s.as_dict() for s in plan.skipped])
    store.set_meta("code", {  # what identifies the code of every plugin the runs use (docs/results.md)
        "models": {m: registry.model_owner[m].code_identity() for m in sorted({r.model for r in runs})
                   if m in registry.model_owner},
        "datasets": {d: registry.dataset_owner[d].code_identity() for d in sorted({r.dataset for r in runs})
                     if d in registry.dataset_owner},
        "metrics": {m: o.code_identity() for m, o in sorted(registry.metric_owner.items())},
    })
    done = []
    for run in runs:
        status = store.run_status(run.run_id)
        if status == "done" and run.run_id not in changed:
            done.append(run.run_id)
            continue
        plugin, dist, description = _plugin_of(registry, run.model)
        store.upsert_run(
            run.run_id,
            suite=run.suite,
            suite_hash=plan.suite_hash,
            model=run.model,
            label=run.label,
            model_version=registry.models[run.model].version,
            plugin=plugin,
            plugin_dist=dist,
            plugin_description=description,
            code=json.dumps(registry.model_owner[run.model].code_identity(), sort_keys=True)
            if run.model in registry.model_owner else None,
            dataset=run.dataset,
            dataset_label=run.dataset_label,
            seed=run.seed,
            pack=run.pack,
            config=plan.config(run.run_id),
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
    keep: str | None = None,
    eval_samples: int | None = None,
    registry: Registry | None = None,
    **execution: Any,
) -> SuiteResult:
    """Plan a suite (:func:`~ganbench.plan.matrix.build_plan`, with the CLI's overrides ``seeds``,
    ``budget``, ``device``, ``keep``, ``eval_samples``) and run it into ``out_dir`` (locked for the whole
    run; see :mod:`ganbench.run.outlock`); ``execution`` are :func:`run_plan`'s options.

    ``executor`` None is the CLI's default too: one run at a time in this process, so library and
    CLI throughputs are measured alike (``--jobs N`` / ``--jobs auto`` opt into more). Every run
    records the concurrency it trained under (:mod:`ganbench.executors.concurrency`); a ``seconds``
    budget with more than one run at once is refused (:class:`RunRefused`) unless ``force``: it
    would train fewer steps per run than the suite says.

    With ``check_ready`` (the default) the preflight (:mod:`ganbench.plan.preflight`) first checks every
    dataset file, evaluator and weight file the matrix needs, the device and OUT, and raises
    :class:`RunRefused` listing everything missing before anything is written or trained.
    ``sinks`` names tracker sinks (:mod:`ganbench.record.sinks`) that also receive every record.
    ``eval_samples`` (``--eval-samples``) replaces every evaluation's generated-sample count, for a
    quick try (the runs' configs record it, so they never pass for the suite's protocol).
    """
    registry = registry or load_registry()
    for problem in registry.problems:  # a clash or a broken plugin: one line each, on every run
        log.warning("plugins: %s", problem)
    if eval_samples is not None and eval_samples < 1:
        raise RunRefused(f"--eval-samples must be >= 1, got {eval_samples}")
    plan = build_plan(suite_path, registry, seeds=seeds, budget=budget, device=device, keep=keep,
                      eval_samples=eval_samples)
    return run_plan(plan, out_dir, registry=registry, **execution)


def run_plan(
    plan: Plan,
    out_dir: str | Path | None = None,
    *,
    registry: Registry,
    executor: Any = None,
    vectorize: int | None = None,
    progress: Callable[..., Any] | None = None,
    on_start: Callable[[list[RunSpec], list[str]], None] | None = None,
    on_done: Callable[[RunSpec, RunOutcome], None] | None = None,
    render: bool = True,
    rerun_changed: bool = False,
    check_ready: bool = True,
    sinks: Sequence[str] = (),
    force: bool = False,
) -> SuiteResult:
    """Record and execute a :class:`~ganbench.plan.matrix.Plan` (see :func:`run_suite` for the options):
    everything it needs was decided when the plan was built, so nothing here reads the suite again."""
    suite_path = plan.source
    for skip in plan.skipped:
        log.warning("skipped: %s", skip.describe())
    runs = list(plan.runs)
    out = Path(out_dir) if out_dir else default_out_dir(plan.suite)
    if sinks:  # an unknown --sink is refused before anything is written (never runs left pending)
        from ganbench.record.sinks import SinkError, check_sink_names

        try:
            check_sink_names(sinks, registry.extra_modules)
        except SinkError as exc:
            raise RunRefused(str(exc)) from None
    if check_ready:
        from ganbench.plan.preflight import preflight

        problems = preflight(runs, registry, out)
        if problems:
            raise RunRefused(
                f"{suite_path}: cannot start, {len(problems)} thing(s) missing (nothing was trained): "
                + "; ".join(problems)
            )
    jobs = int(getattr(executor, "jobs", None) or 1) if getattr(executor, "name", "local") != "ray" else 1
    timed = seconds_budget_runs(runs)
    if timed and jobs > 1:
        from ganbench.executors.concurrency import SECONDS_WITH_JOBS

        if not force:
            raise RunRefused(f"{suite_path}: {SECONDS_WITH_JOBS.format(jobs=jobs)} ({len(timed)} such run(s), e.g. "
                             f"{timed[0].run_id}); run them with --jobs 1, or pass --force to accept it")
        log.warning("%s (forced); the runs record their concurrency", SECONDS_WITH_JOBS.format(jobs=jobs))
    _make_out_dir(out)
    try:
        with OutDirLock(out):
            return _run_locked(plan, registry, out, executor, vectorize, progress, on_start, on_done, render,
                               rerun_changed, sinks)
    except OutDirLocked as exc:
        raise RunRefused(str(exc)) from None


def _make_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise RunRefused(f"--out {out}: exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunRefused(f"--out {out}: cannot create it: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise RunRefused(f"--out {out}: not writable")


def _run_locked(plan: Plan, registry: Registry, out: Path, executor: Any, vectorize: int | None, progress: Any,
                on_start: Any, on_done: Any, render: bool, rerun_changed: bool, sinks: Sequence[str] = ()) -> SuiteResult:
    suite = plan.suite
    if executor is None:
        from ganbench.executors.local import LocalExecutor

        executor = LocalExecutor()
    n_replicas = vectorize or suite.vectorize
    if n_replicas > 1:  # replica groups train in this process, next to the executor's own runs
        if not getattr(executor, "supports_vectorize", False):
            raise RunRefused(
                f"vectorize {n_replicas}: replica groups train in the driver process, which the "
                f"{getattr(executor, 'name', 'chosen')} executor does not allow (--isolate and Ray run each "
                "seed alone); drop --isolate / --executor ray, or pass --vectorize 1"
            )
        from ganbench.executors.vectorized import VectorizedExecutor

        executor = VectorizedExecutor(n_replicas, fallback=executor)
    # kept generators go beside the store (an absolute path, so worker processes find it too)
    runs = [dataclasses.replace(r, keep_dir=str(generator_dir(out.resolve()))) if r.keep != "none" else r
            for r in plan.runs]
    with Store.open(out) as store:
        done = prepare_store(store, plan, registry, rerun_changed=rerun_changed)
        todo = [r for r in runs if r.run_id not in done]
        if on_start:
            on_start(runs, done)
        hub = None
        if sinks:  # every store write also goes to the tracker sinks (never blocking a run)
            from ganbench.record.sinks import SinkContext, SinkError, SinkStore, open_sinks

            try:
                hub = open_sinks(sinks, SinkContext(out.resolve(), suite.name, plan.suite_text),
                                 registry.extra_modules)
            except SinkError as exc:
                raise RunRefused(str(exc)) from None
        try:
            target = SinkStore(store, hub) if hub is not None else store

            def recorded(run: RunSpec, outcome: RunOutcome) -> None:
                # what else trained meanwhile: throughput, seconds budgets and timeouts depend on it
                store.upsert_run(run.run_id, concurrency=encode(describe(executor, outcome.execution)))
                if on_done:
                    on_done(run, outcome)

            outcomes = executor.run_all(todo, registry, target, progress=progress, on_done=recorded)
        finally:
            if hub is not None:
                hub.close()
        result = SuiteResult(out, store.path, runs, outcomes, done, plan=plan)
    if render:
        from ganbench.report.build import render_report

        result.report_path = render_report(result.store_path, out / "report.html")
    return result
