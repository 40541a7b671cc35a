"""Suite files: YAML → validated pydantic model (the matrix is built from it in :mod:`ganbench.plan.matrix`).

A suite names models, datasets, seeds, pack sizes and one budget; the matrix is their product.
Every error names the file, the field path and what was expected, because a typo in a suite
should cost seconds, not a failed overnight run.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ganbench.analyse.references import ReferenceTable
from ganbench.plan.ids import safe_id
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


def read_suite_text(path: str | Path) -> str:
    """The suite file's text (bounded, UTF-8), read once: the plan parses and records this text."""
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
    return text


def load_suite(path: str | Path) -> Suite:
    return parse_suite(read_suite_text(path), str(path))


def default_out_dir(suite: Suite, base: str | Path = "reports") -> Path:
    """``reports/<name>-<timestamp>``, the suite's name reduced to one safe path component, so
    ``name: ../../x`` or an absolute path never writes outside ``base``."""
    stem = safe_id(suite.name).lstrip(".-") or "suite"
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
