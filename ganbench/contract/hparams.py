"""Model hyper-parameters: what a model declares, and what a suite may set.

Why: a model reads its hyper-parameters with ``ctx.hp(name, default)``, so a misspelled ``lr``
on a model that reads ``lr_g``/``lr_d`` used to train with the defaults and exit 0. Every
:class:`~ganbench.api.ModelSpec` now declares the names its ``build`` reads -- the keys of
``defaults`` plus the keys of ``hyperparameters`` (name -> meaning, for names whose default is
computed, e.g. ``lr_g`` falling back to ``lr``) -- and a suite that sets any other name is refused
when it loads, naming the model and the valid names. The conformance kit builds each model with a
:class:`RecordingHparams` and fails a model that reads a name it does not declare.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any


def declared(spec: Any) -> set[str]:
    """The hyper-parameter names ``spec`` declares: ``defaults`` and ``hyperparameters`` keys."""
    return {str(k) for k in dict(getattr(spec, "defaults", {}) or {})} | {
        str(k) for k in dict(getattr(spec, "hyperparameters", {}) or {})}


def unknown_hparams_message(spec: Any, given: Iterable[str]) -> str | None:
    """The suite error for hyper-parameters ``spec`` does not declare, or None when all are known."""
    valid = declared(spec)
    unknown = sorted(str(k) for k in given if str(k) not in valid)
    if not unknown:
        return None
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(valid), n=2, cutoff=0.6)
        if close:
            hints.append(f"{name!r} -> {' or '.join(repr(c) for c in close)}?")
    names = ", ".join(repr(u) for u in unknown)
    listing = ", ".join(sorted(valid)) if valid else "none (it declares no hyper-parameters)"
    return (f"unknown hyper-parameter{'s' if len(unknown) > 1 else ''} {names} for model {spec.name!r}"
            f"{' (' + '; '.join(hints) + ')' if hints else ''}; valid: {listing}")


class RecordingHparams(dict[str, Any]):
    """A hyper-parameter mapping that remembers every name read from it (``get``, ``[]``, ``in``),
    so a test can tell which names a model's ``build`` reads."""

    def __init__(self, values: Mapping[str, Any]):
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.read.add(key)
        return super().__contains__(key)
