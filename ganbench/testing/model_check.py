"""Run the conformance checks from Python: resolve a model, pick its checks, collect a :class:`KitReport`.

The one place that knows both check tables (generative and translation), so neither imports the other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from ganbench.contract import ModelSpec
from ganbench.testing.checks import CHECKS
from ganbench.testing.errors import ConformanceError
from ganbench.testing.kit import Kit, one_thread
from ganbench.testing.translation_kit import TRANSLATION_CHECKS


def checks_for(spec: ModelSpec) -> dict[str, Callable[[Kit], None]]:
    """The checks a model gets: :data:`CHECKS`, or the translation checks for
    ``Capabilities(task="translate")`` models (they have ``translate`` instead of ``sample``)."""
    if spec.capabilities.task == "translate":
        return TRANSLATION_CHECKS
    return CHECKS


@dataclass
class KitReport:
    """What :func:`check_model` found: per check, ``None`` (passed or skipped) or the failure
    message; ``skipped`` holds the checks that do not apply to the model, with the reason."""

    model: str
    results: dict[str, str | None]
    seconds: dict[str, float]
    notes: dict[str, Any]
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> list[str]:
        return [k for k, v in self.results.items() if v is None and k not in self.skipped]

    @property
    def ok(self) -> bool:
        return all(v is None for v in self.results.values())

    @property
    def failures(self) -> dict[str, str]:
        return {k: v for k, v in self.results.items() if v is not None}


def resolve_models(name: str, registry: Any = None) -> list[ModelSpec]:
    """The model(s) ``name`` refers to: a model name, or a plugin's entry-point or distribution name
    (then all its models). A broken plugin or unknown name raises :class:`ConformanceError` with
    the reason (import error, API version mismatch, ...)."""
    from ganbench.plugins import load_registry

    reg = registry if registry is not None else load_registry()
    if name in reg.models:
        return [reg.models[name]]
    norm = name.replace("_", "-").lower()
    for info in reg.plugins:
        names = {info.name.replace("_", "-").lower(), (info.distribution or "").replace("_", "-").lower()}
        if norm in names:
            if info.broken:
                raise ConformanceError(f"plugin {name!r} is broken: {info.error}")
            if not info.models:
                raise ConformanceError(f"plugin {name!r} provides no models")
            return [reg.models[m] for m in info.models]
    problems = [p for p in reg.problems if name in p]
    detail = f" ({'; '.join(problems)})" if problems else ""
    raise ConformanceError(
        f"no model or plugin named {name!r}{detail}; models: {', '.join(sorted(reg.models)) or 'none'} "
        "(is the plugin installed in this environment? `ganbench plugins` lists what was found)"
    )


WIDTH_HPARAMS = ("g_ch", "d_ch", "g_hidden", "d_hidden", "hidden", "ngf", "ndf", "channels", "width")


def tiny_hparams(spec: ModelSpec, width: int = 16) -> dict[str, Any]:
    """Hyperparameters that shrink a model for quick checks: every width-like default
    (``g_ch``, ``d_hidden``, ...) capped at ``width``; only keys the model already declares."""
    return {k: min(int(v), width) for k, v in spec.defaults.items()
            if k in WIDTH_HPARAMS and isinstance(v, int) and not isinstance(v, bool)}


def make_kit(spec_or_name: ModelSpec | str, **options: Any) -> Kit:
    """A :class:`Kit` for a spec or a registered model name; ``options`` are :class:`Kit` fields."""
    spec = spec_or_name if isinstance(spec_or_name, ModelSpec) else resolve_models(spec_or_name)[0]
    return Kit(spec=spec, **options)


def check_model(
    spec_or_name: ModelSpec | str,
    *,
    checks: Sequence[str] | None = None,
    raise_on_failure: bool = True,
    **options: Any,
) -> KitReport:
    """Run the conformance checks on one model and return a :class:`KitReport`.

    ``options`` are :class:`Kit` fields (``data_shape=(1, 16, 16)``, ``hparams={...}``,
    ``train_steps=...``). With ``raise_on_failure`` every failure is listed in one
    :class:`ConformanceError`, so a test shows all broken parts of the contract at once.
    """
    kit = make_kit(spec_or_name, **options)
    table = checks_for(kit.spec)
    names = list(checks) if checks is not None else list(table)
    unknown = [c for c in names if c not in table]
    if unknown:
        raise ValueError(f"unknown check(s) {unknown}; known: {', '.join(table)}")
    results: dict[str, str | None] = {}
    seconds: dict[str, float] = {}
    skipped: dict[str, str] = {}
    for name in names:
        t0 = time.perf_counter()
        try:
            with one_thread():
                table[name](kit)
            results[name] = None
        except ConformanceError as exc:
            results[name] = str(exc)
        except pytest.skip.Exception as exc:
            results[name] = None
            skipped[name] = str(exc.msg)
        seconds[name] = time.perf_counter() - t0
    report = KitReport(kit.spec.name, results, seconds, dict(kit.notes), skipped)
    if raise_on_failure and not report.ok:
        lines = "\n".join(f"  [{k}] {v}" for k, v in report.failures.items())
        raise ConformanceError(f"model {kit.spec.name!r} fails {len(report.failures)} conformance check(s):\n{lines}")
    return report
