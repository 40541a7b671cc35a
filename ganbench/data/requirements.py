"""What the built-in image datasets need on disk, for the preflight (``DatasetSpec.requirements``).

MNIST-family files are downloaded by the run when missing (so they only need a reachable mirror);
the MNIST-family evaluator, which their mode and fidelity metrics use, is trained once by
``ganbench data prepare`` and never on the fly, so it must be present.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ganbench.api import Requirement

MNIST_MIRRORS = {
    "mnist": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "fashion-mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
}
CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


def _evaluator(root: Path, dataset: str) -> Requirement:
    from ganbench.metrics import evaluator as ev

    try:
        path = ev.evaluator_path(root, dataset)  # one classifier per dataset family
    except TypeError:
        path = ev.evaluator_path(root)
    except (ValueError, LookupError):
        path = ev.evaluator_path(root, "mnist")
    return Requirement(f"{dataset} evaluator", path, path.is_file(), f"run `ganbench data prepare {dataset}` (trains it once)")


def mnist_family(dataset: str, source: str | None = None) -> Callable[[Path, Mapping[str, Any]], list[Requirement]]:
    """``dataset``'s needs: the IDX files of ``source`` (the dataset it is built from) and the
    evaluator of ``source``."""
    source = source or dataset

    def requirements(root: Path, params: Mapping[str, Any]) -> list[Requirement]:
        from ganbench.data.mnist import mnist_files

        root = Path(root).expanduser()
        fix = f"run `ganbench data prepare {source}` with internet access"
        reqs = [Requirement(f"{source} file {p.name}", p, p.is_file(), fix, MNIST_MIRRORS.get(source))
                for p in mnist_files(root, source)]
        return reqs + [_evaluator(root, source)]

    return requirements


def cifar10(root: Path, params: Mapping[str, Any]) -> list[Requirement]:
    from ganbench.data.cifar import FIX, cifar_files

    root = Path(root).expanduser()
    return [Requirement(f"cifar10 file {p.name}", p, p.is_file(), FIX, CIFAR_URL) for p in cifar_files(root)]
