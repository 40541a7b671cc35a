"""What the fidelity metrics need on disk before a run starts (``MetricSpec.requirements``):
Inception-v3 weights for image data that is not MNIST-family (whose metrics use the dataset's own
evaluator, which its dataset provider already requires)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ganbench.contract import Requirement

MNIST_FAMILY = ("mnist", "fashion-mnist", "stacked-mnist")


def fidelity_requirements(dataset: Any, root: Path, options: Mapping[str, Any]) -> list[Requirement]:
    """The Inception weights, for image datasets scored with Inception-v3 features."""
    if getattr(dataset, "kind", None) != "image" or getattr(dataset, "task", "generate") == "translate":
        return []  # translation datasets are scored by the translation metric, with the digit evaluator
    which = options.get("fidelity_extractor") or "auto"
    if which != "inception-v3" and (which != "auto" or dataset.name in MNIST_FAMILY):
        return []
    from ganbench.metrics import extractors as ex

    download = bool(options.get("inception_download", True))
    try:
        path = ex.resolve_inception_weights(options.get("inception_weights"), download=False)
        return [Requirement("Inception-v3 weights", path, True)]
    except ex.InceptionWeightsMissing as exc:
        explicit = bool(options.get("inception_weights")) or bool(__import__("os").environ.get(ex.ENV_WEIGHTS))
        return [Requirement(
            "Inception-v3 weights", ex.checkpoints_dir() / ex.INCEPTION_FILENAME, False,
            str(exc).split(". ", 1)[-1] if not explicit else str(exc),
            ex.URL_INCEPTION_V3 if download and not explicit else None,
        )]
