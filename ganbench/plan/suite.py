"""Suite files: YAML → validated pydantic model → the run matrix.

A suite names models, datasets, seeds, pack sizes and one budget; the matrix is their product.
Every error names the file, the field path and what was expected, because a typo in a suite
should cost seconds, not a failed overnight run.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ganbench.analyse.references import ReferenceTable
from ganbench.contract.hparams import unknown_hparams_message
from ganbench.contract.translation import model_fits
from ganbench.plugins import Registry
from ganbench.record.kept import default_keep
from ganbench.util.bounded_yaml import YamlLimitError, load_bounded


class SuiteError(ValueError):
    """A suite file that cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# Bounds: far beyond any published protocol (PacGAN: 400k steps, 50k samples, 10 seeds, pack 4;
# StyleGAN: 25,000 kimg), far below what overflows, runs for years or exhausts memory.
MAX_STEPS = 100_000_000
MAX_KIMG = 10_000_000.0
MAX_SECONDS = 30 * 24 * 3600.0
MAX_SEEDS = 1000
MAX_SEED = 2**32 - 1  # numpy's seed range
MAX_SAMPLES = 1_000_000
MAX_PACK = 64
MAX_BATCH = 65536


class Budget(_Strict):
    """Exactly one of generator ``steps``, ``kimg`` of real samples shown to D, or training ``seconds``
    (the clock excludes evaluation)."""

    steps: int | None = Field(None, gt=0, le=MAX_STEPS)
    kimg: float | None = Field(None, gt=0, le=MAX_KIMG)
    seconds: float | None = Field(None, gt=0, le=MAX_SECONDS)

    @model_validator(mode="after")
    def _exactly_one(self) -> Budget:
        given = [k for k in ("steps", "kimg", "seconds") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of steps, kimg, seconds (got {', '.join(given) or 'none'})")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("steps", "kimg", "seconds") if getattr(self, k) is not None)

    @property
    def amount(self) -> float:
        return float(getattr(self, self.kind))

    def describe(self) -> str:
        amount = self.amount
        return f"{int(amount) if amount == int(amount) else amount} {self.kind}"


class EvalConfig(_Strict):
    every: int | None = Field(None, gt=0, le=MAX_STEPS, description="evaluate every N generator steps (None: only at the end)")
    points: int | None = Field(None, gt=0, le=10_000, description="or: this many evenly spaced evaluations over the budget")
    n_samples: int = Field(2500, gt=0, le=MAX_SAMPLES, description="generated samples per evaluation")
    options: dict[str, Any] = Field(default_factory=dict)


class DatasetEntry(_Strict):
    name: str
    params: dict[str, Any] = Field(default_factory=dict)
    label: str | None = None

    @property
    def display(self) -> str:
        return self.label or self.name


class ModelEntry(_Strict):
    model: str = Field(description="the ModelSpec name a plugin provides")
    label: str | None = Field(None, description="display name (default: the model name)")
    packs: list[int] = Field(default_factory=lambda: [1])
    hparams: dict[str, Any] = Field(default_factory=dict)
    batch_size: int | None = Field(None, gt=0, le=MAX_BATCH)
    budget: Budget | None = None
    timeout_s: float | None = Field(None, gt=0, description="this model's per-run time limit (overrides the suite's)")
    num_cpus: float | None = Field(None, gt=0, description="CPUs a run of this model reserves (Ray)")
    num_gpus: float | None = Field(None, ge=0, description="GPUs a run of this model reserves (Ray)")

    @field_validator("packs")
    @classmethod
    def _packs(cls, v: list[int]) -> list[int]:
        if not v:
            raise ValueError("needs at least one pack size")
        bad = [p for p in v if p < 1]
        if bad:
            raise ValueError(f"pack sizes must be >= 1, got {bad}")
        big = [p for p in v if p > MAX_PACK]
        if big:
            raise ValueError(f"pack sizes must be <= {MAX_PACK}, got {big}")
        if len(set(v)) != len(v):
            raise ValueError(f"duplicate pack sizes in {v}")
        return v

    @property
    def display(self) -> str:
        return self.label or self.model


class CheckConfig(_Strict):
    """Tolerances for ``ganbench check``; not part of the suite hash (they do not change numbers)."""

    k: float | None = Field(None, gt=0, description="tolerance = max(k * baseline seed std, floor)")
    floors: dict[str, float | str] = Field(default_factory=dict, description="per metric: 1 (absolute) or '5%'")
    metrics: list[str] | None = Field(None, description="metric name patterns to check (default: all but throughput)")

    @field_validator("floors")
    @classmethod
    def _floors(cls, v: dict[str, float | str]) -> dict[str, float | str]:
        for name, f in v.items():
            if isinstance(f, str) and not re.fullmatch(r"\s*[0-9.]+\s*%\s*", f):
                raise ValueError(f"floor of {name!r} must be a number or a percentage like '5%', got {f!r}")
            if not isinstance(f, str) and f < 0:
                raise ValueError(f"floor of {name!r} must be >= 0, got {f}")
        return v


class Suite(_Strict):
    name: str
    description: str = ""
    protocol: str = Field("", description="which published protocol this follows, and how it deviates")
    seeds: int | list[int] = Field(3, description="a count (seeds 0..N-1) or an explicit list")
    device: Literal["auto", "cpu", "cuda"] = "auto"
    batch_size: int = Field(64, gt=0, le=MAX_BATCH)
    budget: Budget
    eval: EvalConfig = Field(default_factory=EvalConfig)
    datasets: list[str | DatasetEntry]
    models: list[ModelEntry]
    metrics: list[str] | None = Field(
        None, description="metric families to run, third-party ones included (default: the dataset's default "
        "metrics, else every built-in and first-party family that applies; docs/metrics.md)")
    skip_metrics: list[str] = Field(default_factory=list, description="metric families never to run, "
                                    "even by default (an opt-out, e.g. a costly one)")
    data_root: str | None = None
    deterministic: bool = Field(False, description="torch deterministic algorithms (slower, reproducible)")
    compile: bool = Field(False, description="capture train_step with torch.compile (CUDA graphs on GPU) for "
                          "plugins that declare compile_safe; falls back to eager by itself")
    timeout_s: float | None = Field(None, gt=0, description="per-run time limit, enforced by --isolate and Ray")
    checkpoint_every: int | None = Field(None, ge=0, description="checkpoint every N steps (0: never; default once a minute)")
    num_cpus: float = Field(1, gt=0, description="CPUs each run reserves on Ray")
    num_gpus: float | None = Field(None, ge=0, description="GPUs each run reserves on Ray (default: 1 if device is cuda, else 0)")
    vectorize: int = Field(1, ge=1, description="train up to N seeds of one model config as one batched model "
                           "when the plugin supports it (docs/vectorized.md); 1 = off")
    check: CheckConfig | None = Field(None, description="tolerances for `ganbench check` (docs/ci.md)")
    keep: Literal["final", "best", "none"] | None = Field(
        None, description="save each run's generator under OUT/generators: final, best (at its best evaluation) "
        "or none; default final for image datasets, none for 2-D data (docs/results.md)")
    references: list[ReferenceTable] = Field(
        default_factory=list, description="published tables to show beside ours with a verdict (docs/references.md)"
    )

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, v: int | list[int]) -> int | list[int]:
        if isinstance(v, int) and not 1 <= v <= MAX_SEEDS:
            raise ValueError(f"seed count must be between 1 and {MAX_SEEDS}, got {v}")
        if isinstance(v, list):
            if not v or len(set(v)) != len(v):
                raise ValueError("seed list must be non-empty and without duplicates")
            if len(v) > MAX_SEEDS:
                raise ValueError(f"at most {MAX_SEEDS} seeds, got {len(v)}")
            bad = [s for s in v if not 0 <= s <= MAX_SEED]
            if bad:
                raise ValueError(f"seeds must be between 0 and {MAX_SEED}, got {bad[:3]}")
        return v

    @field_validator("datasets", "models")
    @classmethod
    def _nonempty(cls, v: list[Any]) -> list[Any]:
        if not v:
            raise ValueError("must list at least one entry")
        return v

    @property
    def seed_list(self) -> list[int]:
        return list(range(self.seeds)) if isinstance(self.seeds, int) else list(self.seeds)

    @property
    def dataset_entries(self) -> list[DatasetEntry]:
        return [DatasetEntry(name=d) if isinstance(d, str) else d for d in self.datasets]


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


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("str", "DatasetEntry", "int", "list[int]") or "function-after" in str(part):
            continue  # union branch names pydantic inserts
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def format_validation_error(path: str, err: ValidationError) -> str:
    lines = []
    seen = set()
    for e in err.errors():
        where = _loc(tuple(e["loc"]))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown field"
        key = (where, msg)
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"{path}: {where}: {msg}")
    return "\n".join(lines)


def parse_suite(text: str, source: str = "<suite>") -> Suite:
    try:
        raw = load_bounded(text)
    except YamlLimitError as exc:
        raise SuiteError(f"{source}: refused: {exc}") from None
    except RecursionError:
        raise SuiteError(f"{source}: refused: nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SuiteError(f"{source}: invalid YAML{where}: {problem}") from None
    if not isinstance(raw, dict):
        raise SuiteError(f"{source}: a suite must be a YAML mapping with name, budget, datasets, models")
    try:
        return Suite.model_validate(raw)
    except ValidationError as exc:
        raise SuiteError(format_validation_error(source, exc)) from None


def load_suite(path: str | Path) -> Suite:
    from ganbench.util.bounded_yaml import MAX_BYTES

    p = Path(path)
    if not p.is_file():
        raise SuiteError(f"{p}: suite file not found")
    try:
        if p.stat().st_size > MAX_BYTES:
            raise SuiteError(f"{p}: refused: document larger than {MAX_BYTES // 2**20} MiB")
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SuiteError(f"{p}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    except OSError as exc:
        raise SuiteError(f"{p}: cannot read: {exc.strerror or exc}") from None
    return parse_suite(text, str(p))


def default_out_dir(suite: Suite, base: str | Path = "reports") -> Path:
    """``reports/<name>-<timestamp>``, the suite's name reduced to one safe path component, so
    ``name: ../../x`` or an absolute path never writes outside ``base``."""
    stem = _safe_id(suite.name).lstrip(".-") or "suite"
    return Path(base) / f"{stem[:80]}-{time.strftime('%Y%m%d-%H%M%S')}"


def suite_hash(suite: Suite) -> str:
    """Identifies the benchmark definition (for baselines): same hash, comparable numbers.

    Fields at their defaults are left out, so a new optional suite field does not change the hash
    of every existing suite; ``check`` (tolerances), ``vectorize``, ``compile``, ``timeout_s``,
    ``checkpoint_every``, the Ray resources (how runs execute, not what they compute) and
    ``references`` (published numbers shown beside ours) are never part of it.
    """
    execution_only = {"check", "vectorize", "compile", "timeout_s", "checkpoint_every", "num_cpus", "num_gpus",
                      "references", "keep"}  # published numbers to compare with: not part of what runs compute
    exclude: dict = {**dict.fromkeys(execution_only, True), "models": {"__all__": {"timeout_s", "num_cpus", "num_gpus"}}}
    blob = json.dumps(
        suite.model_dump(mode="json", exclude=exclude, exclude_defaults=True),
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


_BUDGET_RE = re.compile(r"^\s*(steps|kimg|seconds)\s*=\s*([0-9.eE+-]+)\s*$")


def parse_budget(text: str) -> Budget:
    """``steps=500``, ``kimg=20`` or ``seconds=30`` (CLI ``--budget``)."""
    m = _BUDGET_RE.match(text)
    if not m:
        raise SuiteError(f"--budget: expected steps=N, kimg=N or seconds=N, got {text!r}")
    kind, value = m.groups()
    try:
        return Budget(**{kind: int(value) if kind == "steps" else float(value)})
    except (ValidationError, ValueError):
        raise SuiteError(f"--budget: {kind} must be a positive number, got {value!r}") from None


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]+", "-", text)


_ID_KEEP = re.compile(r"[A-Za-z0-9.+-]")
RUN_ID_SEPARATOR = "__"


def id_part(text: str) -> str:
    """One component of a run id, injective and free of the separator by construction.

    Letters, digits and ``. + -`` stay as they are; every other character (``_`` and spaces
    included) becomes ``~`` and the hex of its UTF-8 bytes (``DCGAN small`` -> ``DCGAN~20small``).
    No component can then hold ``_``, so the ``__`` between components parses one way only, and
    two different labels never share an id (``x`` + ``y__z`` against ``x__y`` + ``z``)."""
    return "".join(ch if _ID_KEEP.fullmatch(ch) else "".join(f"~{b:02x}" for b in ch.encode("utf-8")) for ch in text)


def make_run_id(label: str, dataset_label: str, pack: int, seed: int) -> str:
    """``<label>__<dataset label>__pack<P>__seed<S>``, each label encoded by :func:`id_part`."""
    return RUN_ID_SEPARATOR.join((id_part(label), id_part(dataset_label), f"pack{int(pack)}", f"seed{int(seed)}"))


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


def build_matrix(
    suite: Suite,
    registry: Registry,
    source: str = "<suite>",
    *,
    seeds: list[int] | None = None,
    budget: Budget | None = None,
    device: str | None = None,
    keep: str | None = None,
) -> list[RunSpec]:
    """Expand the suite into runs, checking every name against the registry.

    CLI overrides (``seeds``, ``budget``, ``device``, ``keep``) replace the suite's values for quick tries.
    """
    errors: list[str] = []
    for i, m in enumerate(suite.models):
        if m.model not in registry.models:
            try:
                registry.model(m.model)
            except LookupError as exc:
                errors.append(f"{source}: models[{i}].model: {exc.args[0]}")
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
            try:
                registry.dataset(d.name)
            except LookupError as exc:
                errors.append(f"{source}: datasets[{i}]: {exc.args[0]}")
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

    runs: list[RunSpec] = []
    for m in suite.models:
        spec = registry.models[m.model]
        for d in suite.dataset_entries:
            ds_spec = registry.datasets[d.name]
            if ds_spec.kind not in spec.capabilities.data_kinds:
                continue  # e.g. an MLP GAN on images: skipped, the matrix is the feasible product
            if not model_fits(spec.capabilities, ds_spec.task, {**ds_spec.defaults, **d.params}):
                continue  # a generator on a translation task, pix2pix on unpaired data, ...
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
        raise SuiteError(f"{source}: no model in the suite can run on any of its datasets")
    return runs
