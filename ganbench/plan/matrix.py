"""The plan: a suite expanded once into an immutable matrix of runs, with every skipped pair and why.

The runner records and executes a :class:`Plan` and never calls back into the suite module: the run
ids, configs, the suite hash and the suite's text are computed here, once, from one read of the file,
so what is recorded is what was planned (a suite edited mid-run cannot split the two).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ganbench.contract.hparams import unknown_hparams_message
from ganbench.contract.translation import model_fits
from ganbench.plan.ids import make_run_id
from ganbench.plan.suite import Budget, EvalConfig, Suite, SuiteError, parse_suite, read_suite_text, suite_hash
from ganbench.plugins import Registry
from ganbench.record.kept import default_keep

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSpec:
    """One cell of the matrix: a model on a dataset with one seed and one pack size."""

    run_id: str
    suite: str
    model: str
    label: str
    dataset: str
    dataset_label: str
    dataset_params: dict[str, Any]
    seed: int
    pack: int
    hparams: dict[str, Any]
    batch_size: int
    budget: Budget
    eval: EvalConfig
    metrics: list[str] | None
    device: str
    deterministic: bool = False
    skip_metrics: tuple[str, ...] = ()
    """Metric families the suite opted out of (``skip_metrics``)."""
    compile: bool = False
    data_root: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    timeout_s: float | None = None
    checkpoint_every: int | None = None
    num_cpus: float = 1.0
    num_gpus: float | None = None
    keep: str = "none"
    """final / best / none: which generator the run saves (ganbench/record/kept.py); not part of config()."""
    keep_dir: str | None = None
    """Where it saves it (OUT/generators), set by the runner."""

    def config(self) -> dict[str, Any]:
        """A JSON-able record of everything that defines the run (stored with it)."""
        return {
            "suite": self.suite,
            "model": self.model,
            "label": self.label,
            "dataset": self.dataset,
            "dataset_label": self.dataset_label,
            "dataset_params": self.dataset_params,
            "seed": self.seed,
            "pack": self.pack,
            "hparams": self.hparams,
            "batch_size": self.batch_size,
            "budget": self.budget.model_dump(exclude_none=True),
            "eval": self.eval.model_dump(),
            "metrics": self.metrics,
            "device": self.device,
            "deterministic": self.deterministic,
            "compile": self.compile,
            # only when set, so configs (and resume) of suites that never opted out do not change
            **({"skip_metrics": list(self.skip_metrics)} if self.skip_metrics else {}),
        }


@dataclass(frozen=True)
class Skip:
    """A model × dataset pair of the suite that cannot run, and why (stored and shown in the report)."""

    model: str
    label: str
    dataset: str
    dataset_label: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)

    def describe(self) -> str:
        return f"{self.label} × {self.dataset_label}: {self.reason}"


def infeasible(spec: Any, ds_spec: Any, params: Mapping[str, Any]) -> str | None:
    """Why a model cannot train on a dataset, from the capabilities it declares (None: it can).

    Checked when the plan is built, so an impossible pair is skipped with its reason instead of
    failing at build time (pix2pix on 28 px digits) or vanishing without a word."""
    caps = spec.capabilities
    merged = {**dict(ds_spec.defaults or {}), **dict(params)}
    if ds_spec.kind not in caps.data_kinds:
        return f"the model takes {'/'.join(caps.data_kinds)} data, the dataset is {ds_spec.kind} data"
    if not model_fits(caps, ds_spec.task, merged):
        task = getattr(caps, "task", "generate")
        if task != ds_spec.task:
            return f"the model's task is {task}, the dataset's is {ds_spec.task}"
        if getattr(caps, "paired", False) and not merged.get("paired", True):
            return "the model needs paired images, the dataset is unpaired"
        return f"the model translates between {caps.domains} domains, the dataset has {len(merged.get('domains') or ())}"
    res = merged.get("resolution")
    if ds_spec.kind == "image" and isinstance(res, int) and not isinstance(res, bool):
        lo, hi = caps.min_resolution, caps.max_resolution
        if (lo and res < lo) or (hi and res > hi):
            return f"the model takes images of {lo or '?'}-{hi or 'any'} px, the dataset is {res} px (params.resolution)"
    return None


def _duplicate_labels(suite: Suite, source: str) -> list[str]:
    """Two entries with one display name (a label, else the name) would be one row in every table
    and, with ids injective in the labels, the only way two runs could share an id."""
    errors = []
    for what, names in (("models", [m.display for m in suite.models]),
                        ("datasets", [d.display for d in suite.dataset_entries])):
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            j = seen.setdefault(name, i)
            if j != i:
                errors.append(f"{source}: {what}[{j}] and {what}[{i}] are both called {name!r} (duplicate label); "
                              "give one a distinct `label`")
    return errors


def check_dataset_params(spec: Any, params: dict[str, Any]) -> None:
    """A dataset entry's ``params`` checked when the suite loads, not when a run starts: the
    provider's ``check_params`` if it has one, else unknown names against its ``defaults``."""
    check = getattr(spec, "check_params", None)
    if check is not None:
        check(dict(params))
    elif spec.defaults:
        from ganbench.data import check_params

        check_params(params, spec.defaults, spec.name)


def _lookup_errors(lookup: Any, name: str, where: str) -> list[str]:
    """The registry's own message for a name it does not hold (unknown, broken plugin, close matches)."""
    try:
        lookup(name)
    except LookupError as exc:
        return [f"{where}: {exc.args[0]}"]
    return []


def _validate(suite: Suite, registry: Registry, source: str) -> None:
    """Every name, clash, hparam and dataset param of the suite against the registry: one
    :class:`SuiteError` listing all of them."""
    errors: list[str] = []
    for i, m in enumerate(suite.models):
        if m.model not in registry.models:
            errors += _lookup_errors(registry.model, m.model, f"{source}: models[{i}].model")
            continue
        spec = registry.models[m.model]
        if spec.capabilities.packing is False and any(p > 1 for p in m.packs):
            errors.append(f"{source}: models[{i}].packs: model {m.model!r} does not support packing")
        unknown = unknown_hparams_message(spec, m.hparams)
        if unknown:
            errors.append(f"{source}: models[{i}].hparams: {unknown}")
        clash = registry.clash_message("model", m.model)
        if clash:
            errors.append(f"{source}: models[{i}].model: {clash}")
    for i, d in enumerate(suite.dataset_entries):
        if d.name not in registry.datasets:
            errors += _lookup_errors(registry.dataset, d.name, f"{source}: datasets[{i}]")
    for i, d in enumerate(suite.dataset_entries):
        clash = registry.clash_message("dataset", d.name)
        if clash:
            errors.append(f"{source}: datasets[{i}]: {clash}")
    for name in [*(suite.metrics or []), *suite.skip_metrics]:
        clash = registry.clash_message("metric", name)
        if clash:
            errors.append(f"{source}: metrics: {clash}")
    for name in [*(suite.metrics or []), *suite.skip_metrics]:
        if name not in registry.metrics:
            errors.append(
                f"{source}: metrics: unknown metric {name!r}; available: {', '.join(sorted(registry.metrics))}"
            )
    for i, d in enumerate(suite.dataset_entries):
        ds_spec = registry.datasets.get(d.name)
        if ds_spec is not None:
            try:
                check_dataset_params(ds_spec, d.params)
            except (ValueError, TypeError) as exc:
                errors.append(f"{source}: datasets[{i}].params: {exc}")
    errors += _duplicate_labels(suite, source)
    if errors:
        raise SuiteError("\n".join(errors))



def plan_matrix(
    suite: Suite,
    registry: Registry,
    source: str = "<suite>",
    *,
    seeds: list[int] | None = None,
    budget: Budget | None = None,
    device: str | None = None,
    keep: str | None = None,
) -> tuple[list[RunSpec], list[Skip]]:
    """Expand the suite into runs, checking every name against the registry; the pairs the
    models' capabilities rule out come back as :class:`Skip` with their reasons.

    CLI overrides (``seeds``, ``budget``, ``device``, ``keep``) replace the suite's values for quick tries.
    """
    _validate(suite, registry, source)
    skips: list[Skip] = []
    runs: list[RunSpec] = []
    for m in suite.models:
        spec = registry.models[m.model]
        for d in suite.dataset_entries:
            ds_spec = registry.datasets[d.name]
            reason = infeasible(spec, ds_spec, d.params)
            if reason is not None:  # the matrix is the feasible product; every other pair says why
                skips.append(Skip(m.model, m.display, d.name, d.display, reason))
                continue
            for pack in m.packs:
                for seed in seeds if seeds is not None else suite.seed_list:
                    run_id = make_run_id(m.display, d.display, pack, seed)
                    runs.append(
                        RunSpec(
                            run_id=run_id,
                            suite=suite.name,
                            model=m.model,
                            label=m.display,
                            dataset=d.name,
                            dataset_label=d.display,
                            dataset_params=dict(d.params),
                            seed=seed,
                            pack=pack,
                            hparams={**dict(spec.defaults), **m.hparams},
                            batch_size=m.batch_size or suite.batch_size,
                            budget=budget or m.budget or suite.budget,
                            eval=suite.eval,
                            metrics=suite.metrics,
                            skip_metrics=tuple(suite.skip_metrics),
                            device=device or suite.device,
                            deterministic=suite.deterministic,
                            compile=suite.compile,
                            data_root=suite.data_root,
                            timeout_s=m.timeout_s or suite.timeout_s,
                            checkpoint_every=suite.checkpoint_every,
                            num_cpus=m.num_cpus or suite.num_cpus,
                            num_gpus=m.num_gpus if m.num_gpus is not None else suite.num_gpus,
                            keep=keep or suite.keep or default_keep(ds_spec.kind),
                        )
                    )
    if not runs:
        why = "; ".join(f"{s.label} on {s.dataset_label}: {s.reason}" for s in skips)
        raise SuiteError(f"{source}: no model in the suite can run on any of its datasets ({why})")
    return runs, skips


def build_matrix(suite: Suite, registry: Registry, source: str = "<suite>", **overrides: Any) -> list[RunSpec]:
    """The runs of :func:`plan_matrix`, without the skipped pairs."""
    return plan_matrix(suite, registry, source, **overrides)[0]


EVAL_COUNT_OPTIONS = ("fid_n_samples", "fid_n_samples_intermediate")
"""eval.options that count generated samples: capped by ``--eval-samples`` (real-sample counts are not)."""


def with_eval_samples(runs: list[RunSpec], n: int) -> list[RunSpec]:
    """``runs`` evaluated on ``n`` generated samples: ``eval.n_samples``, every entry of
    ``eval.options.n_samples_per_dataset`` and the FID counts capped at ``n``."""
    if n < 1:
        raise SuiteError(f"--eval-samples must be >= 1, got {n}")
    out = []
    for r in runs:
        options = dict(r.eval.options)
        if isinstance(options.get("n_samples_per_dataset"), dict):
            options["n_samples_per_dataset"] = {k: n for k in options["n_samples_per_dataset"]}
        for key in EVAL_COUNT_OPTIONS:
            if isinstance(options.get(key), int) and options[key] > n:
                options[key] = n
        out.append(dataclasses.replace(r, eval=r.eval.model_copy(update={"n_samples": n, "options": options})))
    log.warning("--eval-samples %d: every evaluation scores %d generated samples (a quick try; the suite's "
                "protocol asks otherwise, and the runs record it)", n, n)
    return out


def _translates(registry: Registry, model: str) -> bool:
    spec = registry.models.get(model)
    return spec is not None and getattr(spec.capabilities, "task", "generate") == "translate"


@dataclass(frozen=True)
class Plan:
    """Everything ``ganbench run`` records and executes, decided before the first step.

    ``runs`` in matrix order; ``configs`` each run's stored config by run id (read-only);
    ``skipped`` the pairs the capabilities rule out; ``suite_text`` the file as read (once)."""

    suite: Suite
    source: str
    suite_text: str
    suite_hash: str
    runs: tuple[RunSpec, ...]
    configs: Mapping[str, Mapping[str, Any]]
    skipped: tuple[Skip, ...] = ()

    def config(self, run_id: str) -> dict[str, Any]:
        """A run's config as a fresh dict (the stored JSON)."""
        return dict(self.configs[run_id])


def _configs(runs: list[RunSpec] | tuple[RunSpec, ...]) -> Mapping[str, Mapping[str, Any]]:
    return MappingProxyType({r.run_id: MappingProxyType(r.config()) for r in runs})


def build_plan(
    suite_path: str | Path,
    registry: Registry,
    *,
    seeds: list[int] | None = None,
    budget: Budget | None = None,
    device: str | None = None,
    keep: str | None = None,
    eval_samples: int | None = None,
) -> Plan:
    """Read the suite once and plan every run: validated names, the feasible matrix, the skipped
    pairs with reasons, the CLI's overrides, and which runs keep a generator."""
    path = Path(suite_path)
    text = read_suite_text(path)
    suite = parse_suite(text, str(path))
    runs, skips = plan_matrix(suite, registry, str(path), seeds=seeds, budget=budget, device=device, keep=keep)
    if eval_samples is not None:
        runs = with_eval_samples(runs, eval_samples)
    # A translation model translates, it does not sample: `ganbench sample` / `evaluate` could not
    # use a kept file of one (CycleGAN's would hold both generators with their optimisers), so its
    # runs keep none, and the log says so.
    translators = sorted({r.model for r in runs if r.keep != "none" and _translates(registry, r.model)})
    if translators:
        log.info("keep: %s translate images; their runs keep no generator (ganbench sample/evaluate draw from "
                 "generative models only)", ", ".join(translators))
        runs = [dataclasses.replace(r, keep="none") if r.model in translators else r for r in runs]
    return Plan(suite, str(path), text, suite_hash(suite), tuple(runs), _configs(runs), tuple(skips))
