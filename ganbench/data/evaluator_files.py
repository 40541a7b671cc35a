"""Where the MNIST-family evaluators live under the data root, and what each one must be.

Why in data/: a dataset's requirements (``ganbench data prepare``, the preflight) name the
evaluator file it is scored with, and data/ never imports metrics/. The classifier, its loading
(:mod:`ganbench.metrics.evaluator`) and its training (:mod:`ganbench.metrics.evaluator_training`)
read this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EVALUATOR_NAME = "ganbench-mnist-cnn"
FORMAT_VERSION = 1
MIN_ACCURACY = 0.99
EPOCHS = 3


@dataclass(frozen=True)
class EvaluatorSpec:
    """One dataset's classifier: what it is called, the accuracy it must reach, how long it trains."""

    dataset: str
    name: str
    min_accuracy: float
    epochs: int
    batchnorm: bool = False
    """Batch norm after each conv (faster convergence: Fashion-MNIST is harder than digits)."""


EVALUATORS: dict[str, EvaluatorSpec] = {
    "mnist": EvaluatorSpec("mnist", EVALUATOR_NAME, MIN_ACCURACY, EPOCHS),
    # measured test accuracy: v1 as for MNIST, 3 epochs 89.78 %; + random flips, 4 epochs 90.06 %;
    # + batch norm, 4 epochs 91.12 % (with flips 90.50 %); 730 s on one thread of a busy 2-core box.
    "fashion-mnist": EvaluatorSpec("fashion-mnist", "ganbench-fashion-mnist-cnn", 0.90, 4, batchnorm=True),
}


class EvaluatorUnavailable(ValueError):
    """No classifier of ganbench's is trained on this dataset (never borrow another dataset's)."""


def spec_for(dataset: str) -> EvaluatorSpec:
    """The evaluator of ``dataset`` (the dataset's ``info["evaluator"]`` tag), or a clear refusal."""
    try:
        return EVALUATORS[dataset]
    except KeyError:
        raise EvaluatorUnavailable(
            f"no ganbench evaluator is trained on {dataset!r} (there are: {', '.join(EVALUATORS)}); "
            "a classifier of another dataset would score it meaninglessly, so the metric is refused"
        ) from None


def evaluator_path(root: Path, dataset: str = "mnist") -> Path:
    return Path(root).expanduser() / "evaluators" / f"{spec_for(dataset).name}-v{FORMAT_VERSION}.pt"
