"""Fixtures of the image-quality metric tests: random-weight Inception files, a stand-in MNIST
evaluator, tiny image datasets."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from ganbench.api import Dataset


@pytest.fixture(scope="session")
def random_inception_file(tmp_path_factory) -> Path:
    """Torch-fidelity's Inception-v3 with random weights, saved in the real file format (once)."""
    from ganbench.metrics.extractors import INCEPTION_FILENAME, random_inception_weights

    return random_inception_weights(tmp_path_factory.mktemp("inception") / INCEPTION_FILENAME, seed=0)


@pytest.fixture
def torch_home(tmp_path, monkeypatch) -> Path:
    """An empty TORCH_HOME, no GANBENCH_INCEPTION_WEIGHTS, and no network: downloads fail fast."""
    import urllib.error

    from ganbench.metrics import extractors

    home = tmp_path / "torch-home"
    monkeypatch.setenv("TORCH_HOME", str(home))
    monkeypatch.delenv(extractors.ENV_WEIGHTS, raising=False)

    def offline(*a, **k):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(extractors, "download_inception", offline)
    return home


class StubEvaluator(nn.Module):
    """Stands in for the MNIST evaluator (same interface: features (N,128), logits (N,10))."""

    feature_dim = 128

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.proj = nn.Linear(28 * 28, 128)
        self.fc2 = nn.Linear(128, 10)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=g) * 0.05)
        self.sha256 = "stub" + "0" * 60
        self.test_accuracy = float("nan")

    def features(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] == 32:
            x = x[..., 2:30, 2:30]
        return torch.relu(self.proj(x.float().flatten(1)))

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.features(x))


@pytest.fixture
def stub_mnist(monkeypatch):
    """Route the MNIST-family extractor to :class:`StubEvaluator` (no trained weights needed)."""
    from ganbench.metrics import extractors

    stub = StubEvaluator()

    def load(root, device, dataset="mnist"):
        module = extractors.FeatureExtractorMnistCNN(extractors.MNIST_NAME, ["128", "logits"], evaluator=stub.to(device))
        return extractors.Extractor(extractors.MNIST_NAME, module, "128", "logits", 1, "stub-weights")

    monkeypatch.setattr(extractors, "load_mnist_extractor", load)
    return stub


def blobs(n: int, seed: int, shift: float = 0.0, channels: int = 1, size: int = 28) -> torch.Tensor:
    """Smooth random images in [-1, 1] (a blurred noise field), optionally brightened by ``shift``."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, channels, size // 4, size // 4, generator=g)
    x = nn.functional.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    return (torch.tanh(x) * 0.8 + shift).clamp(-1, 1)


@pytest.fixture
def make_images():
    """:func:`blobs` as a fixture (test modules cannot import conftest under importlib mode)."""
    return blobs


@pytest.fixture
def mnist_like() -> Dataset:
    return Dataset("mnist", "image", blobs(400, 1), torch.zeros(400, dtype=torch.long), 10,
                   {"evaluator": "mnist", "params": {"split": "train"}})
