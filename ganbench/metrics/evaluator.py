"""The MNIST and Fashion-MNIST evaluators: small CNNs that ganbench trains itself, used to label
generated images and as the feature extractor of their image-quality metrics.

Mode counting on (stacked) MNIST needs a digit classifier; the papers used a CNN of "2 conv
32/64 + dense 128 + dropout" at about 99.25 % test accuracy. Shipping weights is not possible
offline, so ganbench trains one from a fixed seed (3 epochs, a few minutes on 2 CPU cores), saves it
atomically under the data root with its test accuracy and a SHA-256 of its weights, and loads it
with ``torch.load(weights_only=True)``, checking the hash. Reports show its accuracy beside every
number it produced.

Architecture (v1): conv 3x3 32 + ReLU + maxpool 2, conv 3x3 64 + ReLU + maxpool 2, dropout 0.25,
dense 128 + ReLU (the 128-d ``features``), dropout 0.5, dense 10 (``logits``). The pooling after
each conv (rather than once after both, as in the Keras example) makes it 2.6x cheaper on CPU at
the same accuracy. Input: ``(N, 1, 28, 28)`` in [-1, 1]; 32x32 inputs are center-cropped to 28x28,
the inverse of the 2-pixel padding the 32x32 datasets use.

Fashion-MNIST gets its own classifier (``ganbench-fashion-mnist-cnn``: the same architecture
with batch norm after each conv, 4 epochs, at least 90 % test accuracy, 91.12 % measured; digit
features say nothing about shirts and shoes). Each dataset is scored only by its own classifier: :func:`spec_for` refuses a
dataset for which none exists instead of falling back to another dataset's.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.data.evaluator_files import (  # the table of evaluators and where they live, re-exported
    EPOCHS,
    EVALUATOR_NAME,
    EVALUATORS,
    FORMAT_VERSION,
    MIN_ACCURACY,
    EvaluatorSpec,
    EvaluatorUnavailable,
    evaluator_path,
    spec_for,
)
from ganbench.util.atomic import write_atomic

log = logging.getLogger(__name__)


class EvaluatorMissing(FileNotFoundError):
    """No evaluator checkpoint under the data root."""


class EvaluatorCorrupt(ValueError):
    """An evaluator checkpoint that cannot be read or fails its content hash."""


class MnistEvaluator(nn.Module):
    """Digit classifier with a 128-d penultimate layer (``features``) for feature-based metrics."""

    feature_dim = 128

    def __init__(self, batchnorm: bool = False) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn1: nn.Module = nn.BatchNorm2d(32) if batchnorm else nn.Identity()
        self.bn2: nn.Module = nn.BatchNorm2d(64) if batchnorm else nn.Identity()
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)
        self.drop1 = nn.Dropout(0.25)
        self.drop2 = nn.Dropout(0.5)
        self.test_accuracy: float = float("nan")
        self.sha256: str = ""
        self.name: str = EVALUATOR_NAME
        self.dataset: str = "mnist"

    @staticmethod
    def _prep(x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != 1 or x.shape[-1] not in (28, 32) or x.shape[-2] != x.shape[-1]:
            raise ValueError(f"{EVALUATOR_NAME} expects (N, 1, 28|32, 28|32) images, got {tuple(x.shape)}")
        if x.shape[-1] == 32:
            x = x[..., 2:30, 2:30]  # undo the 2-pixel padding of the 32x32 datasets
        return x.float()

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The 128-d penultimate activations (after ReLU, before the last dropout)."""
        x = self._prep(x)
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = self.drop1(x).flatten(1)
        return F.relu(self.fc1(x))

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.drop2(self.features(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logits(x)

    @torch.no_grad()
    def predict_uint8(self, images: torch.Tensor, batch: int = 4096) -> torch.Tensor:
        """Predicted classes of uint8 images (:mod:`ganbench.metrics.preprocess`), what the metrics use."""
        from ganbench.metrics.preprocess import dequantise

        return torch.cat([self.predict(dequantise(images[i : i + batch]), batch) for i in range(0, images.shape[0], batch)])

    @torch.no_grad()
    def predict(self, x: torch.Tensor, batch: int = 4096) -> torch.Tensor:
        """Predicted classes of float images in [-1, 1], in chunks (eval mode)."""
        was = self.training
        self.eval()
        try:
            return torch.cat([self.logits(x[i : i + batch]).argmax(1) for i in range(0, x.shape[0], batch)])
        finally:
            self.train(was)


def weights_hash(state: dict[str, torch.Tensor]) -> str:
    """SHA-256 over the names, shapes and bytes of the weights (independent of pickling)."""
    h = hashlib.sha256()
    for name in sorted(state):
        t = state[name].detach().cpu().contiguous()
        h.update(name.encode())
        h.update(str(tuple(t.shape)).encode())
        h.update(t.numpy().tobytes())
    return h.hexdigest()


def _atomic_save(obj: object, path: Path) -> None:
    write_atomic(path, lambda fh: torch.save(obj, fh), mode=0o644)  # a shared data root: readable by its other users


_cache: dict[tuple, MnistEvaluator] = {}
_lock = threading.Lock()


def load_evaluator(root: Path, device: torch.device | str = "cpu", dataset: str = "mnist") -> MnistEvaluator:
    """The trained evaluator of ``dataset``, loaded once per process and device (weights_only,
    hash checked)."""
    spec = spec_for(dataset)
    path = evaluator_path(root, dataset)
    fix = f"run `ganbench data prepare {dataset}`"
    what = f"{dataset} evaluator {spec.name}"
    if not path.is_file():
        raise EvaluatorMissing(f"{what}: {path} not found; {fix} to train it (a few minutes on CPU)")
    device = torch.device(device)
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size, str(device))
    with _lock:
        if key in _cache:
            return _cache[key]
        try:
            ckpt = torch.load(path, map_location="cpu", weights_only=True)
            state, acc, digest = ckpt["state_dict"], float(ckpt["test_accuracy"]), str(ckpt["sha256"])
            if int(ckpt.get("format", 0)) != FORMAT_VERSION:
                raise ValueError(f"format {ckpt.get('format')!r}, expected {FORMAT_VERSION}")
        except Exception as exc:
            raise EvaluatorCorrupt(f"{what}: {path} is unreadable ({type(exc).__name__}: {exc}); delete it and {fix}") from None
        actual = weights_hash(state)
        if actual != digest:
            raise EvaluatorCorrupt(
                f"{what}: {path} fails its content hash (stored {digest[:12]}…, actual {actual[:12]}…); "
                f"delete it and {fix}"
            )
        model = MnistEvaluator(batchnorm=spec.batchnorm)
        model.load_state_dict(state)
        model.test_accuracy, model.sha256, model.name, model.dataset = acc, digest, spec.name, dataset
        model.eval().requires_grad_(False)
        _cache[key] = model.to(device)
        return _cache[key]


__all__ = [
    "EPOCHS", "EVALUATOR_NAME", "EVALUATORS", "FORMAT_VERSION", "MIN_ACCURACY", "EvaluatorCorrupt",
    "EvaluatorMissing", "EvaluatorSpec", "EvaluatorUnavailable", "MnistEvaluator", "evaluator_path",
    "load_evaluator", "spec_for", "weights_hash",
]
