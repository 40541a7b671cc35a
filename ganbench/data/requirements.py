"""What the built-in image datasets need on disk, for the preflight (``DatasetSpec.requirements``):
the mirrors their files come from and the evaluator requirement they share. Each dataset module
builds its own requirements from these (:func:`ganbench.data.mnist.mnist_family`,
:func:`ganbench.data.cifar.cifar10`), so this module imports none of them.

MNIST-family files are downloaded by the run when missing (so they only need a reachable mirror);
the MNIST-family evaluator, which their mode and fidelity metrics use, is trained once by
``ganbench data prepare`` and never on the fly, so it must be present.
"""

from __future__ import annotations

from pathlib import Path

from ganbench.contract import Requirement

MNIST_MIRRORS = {
    "mnist": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "fashion-mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
}
CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


def _evaluator(root: Path, dataset: str) -> Requirement:
    from ganbench.data import evaluator_files as ev

    try:
        path = ev.evaluator_path(root, dataset)  # one classifier per dataset family
    except TypeError:
        path = ev.evaluator_path(root)
    except (ValueError, LookupError):
        path = ev.evaluator_path(root, "mnist")
    return Requirement(f"{dataset} evaluator", path, path.is_file(), f"run `ganbench data prepare {dataset}` (trains it once)")
