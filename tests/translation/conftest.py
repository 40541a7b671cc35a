"""Fixtures of the image-to-image tests: small MNIST translation datasets, built once."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ganbench.api import DatasetRequest


def load_translate(root: Path, **params) -> object:
    from ganbench.data.translation import DEFAULTS, load

    return load(DatasetRequest(params={**DEFAULTS, "n_train": 300, "n_eval": 9000, **params}, root=root,
                               device=torch.device("cpu"), download=False))


@pytest.fixture(scope="session")
def digits_inverted(mnist_root):
    """Paired [digits, inverted]: the inverse of each domain is known exactly."""
    return load_translate(mnist_root, domains=["digits", "inverted"])


@pytest.fixture(scope="session")
def four_domains(mnist_root):
    return load_translate(mnist_root, domains=["digits", "thick", "inverted", "rot90"], paired=False)


@pytest.fixture(scope="session")
def refstats_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("translation-cache")
