"""Suite YAML for the tests, rendered from one tiny suite plus the fields a test varies.

Tests used to retype the same dozen YAML lines with two values changed; a change to the suite schema
then meant a dozen edits, and the repeated-code scan counted each copy. ``suite_text(**overrides)``
renders the tiny MoG suite with the given top-level fields replaced (``None`` drops a field), so a
test names only what it is about.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# The small GAN most MoG tests train: a second per run on 2 cores.
GAN_HPARAMS: dict[str, Any] = {"g_hidden": 32, "d_hidden": 16, "g_layers": 2, "d_layers": 2}

# Field order of the rendered text (a suite's meaning does not depend on it; a reader's does).
_ORDER = ("name", "seeds", "device", "deterministic", "batch_size", "budget", "timeout_s", "eval",
          "data_root", "metrics", "keep", "datasets", "models")

TINY: dict[str, Any] = {
    "name": "tiny",
    "seeds": 2,
    "device": "cpu",
    "batch_size": 32,
    "budget": {"steps": 20},
    "eval": {"n_samples": 200, "every": 10},
    "datasets": [{"name": "mog-ring8", "params": {"n_samples": 2000}}],
    "models": [{"model": "gan", "packs": [1, 2], "hparams": GAN_HPARAMS}],
}


def ring(n_samples: int, name: str = "mog-ring8", **fields: Any) -> dict[str, Any]:
    """A MoG dataset entry: ``{name: mog-ring8, params: {n_samples: N}}`` plus ``fields``."""
    return {"name": name, "params": {"n_samples": n_samples}, **fields}


def gan(*, hparams: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A ``gan`` model entry: :data:`GAN_HPARAMS` updated by ``hparams``, plus ``fields`` (packs, label...)."""
    return {"model": "gan", **fields, "hparams": {**GAN_HPARAMS, **(hparams or {})}}


def _plain(value: Any) -> Any:
    """Paths as strings, tuples as lists: what ``yaml.safe_dump`` writes."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def suite_fields(**overrides: Any) -> dict[str, Any]:
    """:data:`TINY` with ``overrides`` applied (``None`` removes a field), in a stable field order."""
    merged = {**TINY, **overrides}
    merged = {k: v for k, v in merged.items() if v is not None}
    ordered = {k: merged.pop(k) for k in _ORDER if k in merged}
    return _plain({**ordered, **merged})


def suite_text(**overrides: Any) -> str:
    """The tiny suite's YAML with ``overrides`` applied: ``suite_text(name="jobs", seeds=1)``."""
    return yaml.safe_dump(suite_fields(**overrides), sort_keys=False, default_flow_style=None, width=10_000)
