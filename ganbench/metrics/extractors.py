"""Feature extractors for image-quality metrics, and where the Inception weights come from.

Two extractors, both torch-fidelity ``FeatureExtractorBase`` subclasses taking uint8 images:

* ``inception-v3``: torch-fidelity's ``FeatureExtractorInceptionV3`` with the 2015 TF Inception
  weights every paper's IS/FID uses (2048-d pool features, 1008 logits).
* ``ganbench-mnist-cnn``: the MNIST evaluator's 128-d penultimate layer and 10 logits
  (:mod:`ganbench.metrics.evaluator`), registered with torch-fidelity under that name so that
  ``torch_fidelity.calculate_metrics(feature_extractor="ganbench-mnist-cnn", ...)`` works too.
  Inception features of 28x28 digits upscaled to 299 px say little; a domain classifier says more,
  and its name is stored with every number so it is never read as a paper's Inception FID.

Inception weights are resolved, in order, from: ``$GANBENCH_INCEPTION_WEIGHTS`` (which
``ganbench run --inception-weights PATH`` sets; a machine-local path beats the portable suite), the
suite's ``eval.options.inception_weights``, torch-fidelity's
cache ``$TORCH_HOME/hub/checkpoints/weights-inception-2015-12-05-6726825d.pth`` (or pytorch-fid's
copy of the same file, ``pt_inception-2015-12-05-6726825d.pth``), then a download. Offline and
missing, :class:`InceptionWeightsMissing` says which file, its SHA-256 and where to put it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import urllib.error
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch_fidelity.feature_extractor_base import FeatureExtractorBase
from torch_fidelity.feature_extractor_inceptionv3 import URL_INCEPTION_V3, FeatureExtractorInceptionV3
from torch_fidelity.registry import FEATURE_EXTRACTORS_REGISTRY, register_feature_extractor

from ganbench.util.atomic import write_atomic_path

log = logging.getLogger(__name__)

INCEPTION_NAME = "inception-v3"
MNIST_NAME = "ganbench-mnist-cnn"
INCEPTION_FILENAME = URL_INCEPTION_V3.rsplit("/", 1)[-1]  # weights-inception-2015-12-05-6726825d.pth
PYTORCH_FID_FILENAME = "pt_inception-2015-12-05-6726825d.pth"  # pytorch-fid's copy (same hash prefix)
INCEPTION_SHA256 = "6726825d0af5f729cebd5821db510b11b1cfad8faad88a03f1befd49fb9129b2"
INCEPTION_SIZE_TEXT = "about 95.6 MB (23.9 M float32 parameters)"
ENV_WEIGHTS = "GANBENCH_INCEPTION_WEIGHTS"
DOWNLOAD_TIMEOUT_S = 30.0
INCEPTION_FEATURES = ("2048", "logits_unbiased")


class InceptionWeightsMissing(FileNotFoundError):
    """The Inception weights are not on disk and cannot be downloaded."""


class InceptionWeightsInvalid(ValueError):
    """A weights file that is not a state dict of torch-fidelity's Inception-v3."""


def checkpoints_dir() -> Path:
    """torch hub's checkpoint folder (``$TORCH_HOME/hub/checkpoints``), where torch-fidelity caches."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def _missing_message(tried: list[str], why: str = "") -> str:
    target = checkpoints_dir() / INCEPTION_FILENAME
    return (
        f"Inception-v3 weights {INCEPTION_FILENAME} not found (looked in: {'; '.join(tried)}){why}. "
        f"Download {URL_INCEPTION_V3} ({INCEPTION_SIZE_TEXT}, SHA-256 {INCEPTION_SHA256}) and put it at "
        f"{target}, or pass --inception-weights PATH / eval.options.inception_weights / ${ENV_WEIGHTS}"
    )


def download_inception(target: Path) -> None:
    """Fetch torch-fidelity's weights into ``target`` with torch hub's hash check (needs internet)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)  # offline, a stalled connection must not hang a run
    try:
        torch.hub.download_url_to_file(URL_INCEPTION_V3, str(target), hash_prefix=INCEPTION_SHA256[:8], progress=True)
    finally:
        socket.setdefaulttimeout(old)


def resolve_inception_weights(explicit: str | os.PathLike[str] | None = None, download: bool = True) -> Path:
    """The path of the Inception weights file (see the module docstring for the search order).
    ``explicit`` is the suite's ``eval.options.inception_weights``.

    An explicit path or the environment variable must exist: a typo there is an error, never a
    silent fallback to other weights.
    """
    # the environment (also what --inception-weights sets) is machine-local, so it overrides the suite
    for origin, value in ((f"${ENV_WEIGHTS}", os.environ.get(ENV_WEIGHTS)), ("inception_weights", explicit)):
        if value:
            p = Path(value).expanduser()
            if not p.is_file():
                raise InceptionWeightsMissing(f"{origin}: Inception weights file {p} does not exist")
            return p
    tried = []
    for name in (INCEPTION_FILENAME, PYTORCH_FID_FILENAME):
        p = checkpoints_dir() / name
        tried.append(str(p))
        if p.is_file():
            return p
    target = checkpoints_dir() / INCEPTION_FILENAME
    if not download:
        raise InceptionWeightsMissing(_missing_message(tried, " and downloading is disabled"))
    try:
        download_inception(target)
    except (urllib.error.URLError, OSError, RuntimeError) as exc:  # offline, or a bad download
        first = str(exc).splitlines()[0][:160] if str(exc) else ""
        raise InceptionWeightsMissing(_missing_message(tried, f"; download failed: {type(exc).__name__}: {first}")) from None
    return target


_sha_cache: dict[tuple, str] = {}


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, memoised per (path, mtime, size): weights are hashed once per process."""
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _sha_cache:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                h.update(block)
        _sha_cache[key] = h.hexdigest()
    return _sha_cache[key]


# --------------------------------------------------------------------------------------------
# The MNIST evaluator as a torch-fidelity feature extractor
# --------------------------------------------------------------------------------------------


class FeatureExtractorMnistCNN(FeatureExtractorBase):
    """torch-fidelity adapter for :class:`ganbench.metrics.evaluator.MnistEvaluator`.

    Takes uint8 ``(N, 1, 28|32, 28|32)`` images like every torch-fidelity extractor; provides
    ``"128"`` (penultimate features, for FID/KID/PR) and ``"logits"`` (for IS). Built either from
    a loaded evaluator (``evaluator=``, what ganbench does) or from its checkpoint file
    (``feature_extractor_weights_path=``, what a torch-fidelity user does).
    """

    def __init__(self, name: str, features_list: list[str], evaluator: nn.Module | None = None,
                 feature_extractor_weights_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(name, features_list)
        if evaluator is None:
            from ganbench.metrics.evaluator import MnistEvaluator

            if not feature_extractor_weights_path:
                raise ValueError(f"{name}: give feature_extractor_weights_path (the evaluator checkpoint)")
            ckpt = torch.load(feature_extractor_weights_path, map_location="cpu", weights_only=True)
            state = ckpt["state_dict"] if "state_dict" in ckpt else ckpt
            evaluator = MnistEvaluator(batchnorm="bn1.weight" in state)
            evaluator.load_state_dict(state)
        self.evaluator = evaluator.eval().requires_grad_(False)

    @staticmethod
    def get_provided_features_list() -> tuple[str, ...]:
        return ("128", "logits")

    @staticmethod
    def get_default_feature_layer_for_metric(metric: str) -> str:
        return {"isc": "logits"}.get(metric, "128")

    @staticmethod
    def can_be_compiled() -> bool:
        return False

    @staticmethod
    def get_dummy_input_for_compile() -> torch.Tensor:
        return torch.zeros(1, 1, 28, 28, dtype=torch.uint8)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        if x.dtype != torch.uint8 or x.ndim != 4 or x.shape[1] != 1:
            raise ValueError(f"{self.name}: expects uint8 (N, 1, H, W) images, got {x.dtype} {tuple(x.shape)}")
        from ganbench.metrics.preprocess import dequantise

        xf = dequantise(x)
        feats = self.evaluator.features(xf)
        head = getattr(self.evaluator, "fc2", None)  # eval mode: dropout is identity, so logits = fc2(features)
        out = {"128": feats, "logits": head(feats) if head is not None else self.evaluator.logits(xf)}
        return tuple(out[k].float() for k in self.features_list)


if MNIST_NAME not in FEATURE_EXTRACTORS_REGISTRY:
    register_feature_extractor(MNIST_NAME, FeatureExtractorMnistCNN)


# --------------------------------------------------------------------------------------------
# What the metrics use
# --------------------------------------------------------------------------------------------


@dataclass
class Extractor:
    """A loaded extractor: its name (stored with every metric), the torch-fidelity module, which
    of its outputs are features and logits, and an id of its weights (part of cache keys)."""

    name: str
    module: FeatureExtractorBase
    feature_key: str
    logits_key: str
    channels: int
    weights_id: str
    note: str | None = None
    """Set when the weights are not the reference ones (numbers not comparable with papers)."""

    @property
    def feature_dim(self) -> int:
        return {"2048": 2048, "128": 128}[self.feature_key]

    @torch.no_grad()
    def extract(self, images_u8: torch.Tensor, batch_size: int = 256, progress: Any = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Features and logits of uint8 ``(N, C, H, W)`` images, batch by batch, on the module's device."""
        device = next(self.module.parameters()).device
        feats, logits = [], []
        for i in range(0, images_u8.shape[0], batch_size):
            batch = images_u8[i : i + batch_size].to(device, non_blocking=True)
            out = self.module.convert_features_tuple_to_dict(self.module(batch))
            feats.append(out[self.feature_key].float())
            logits.append(out[self.logits_key].float())
            if progress is not None:
                progress(batch.shape[0])
        return torch.cat(feats), torch.cat(logits)


_lock = threading.Lock()
_loaded: dict[tuple, Extractor] = {}


def _check_state_dict(path: Path) -> None:
    """Load with ``weights_only=True`` first: torch-fidelity itself unpickles with
    ``weights_only=False``, which must never see a file that is not a plain state dict."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise InceptionWeightsInvalid(f"Inception weights {path}: unreadable ({type(exc).__name__}: {str(exc)[:160]})") from None
    if not isinstance(state, Mapping) or "fc.weight" not in state or tuple(state["fc.weight"].shape) != (1008, 2048):
        raise InceptionWeightsInvalid(
            f"Inception weights {path}: not a state dict of torch-fidelity's Inception-v3 (expected {INCEPTION_FILENAME})"
        )


def load_inception(weights: Path, device: torch.device) -> Extractor:
    """torch-fidelity's Inception-v3 with the given weights on ``device``, loaded once per process."""
    weights = Path(weights)
    st = weights.stat()
    key = (INCEPTION_NAME, str(weights.resolve()), st.st_mtime_ns, st.st_size, str(device))
    with _lock:
        if key in _loaded:
            return _loaded[key]
        _check_state_dict(weights)
        try:
            module = FeatureExtractorInceptionV3(
                "inception-v3-compat", list(INCEPTION_FEATURES), feature_extractor_weights_path=str(weights)
            )
        except RuntimeError as exc:  # load_state_dict: missing/unexpected keys or shapes
            raise InceptionWeightsInvalid(f"Inception weights {weights}: {str(exc).splitlines()[0][:200]}") from None
        digest = file_sha256(weights)
        note = None
        if digest != INCEPTION_SHA256:
            # the wording is matched by ganbench.report.comparability (banner, "not comparable" verdicts)
            note = f"Inception weights {weights.name} (SHA-256 {digest[:12]}…) are not the reference TF weights; not comparable with papers"
            log.warning(note)
        ext = Extractor(INCEPTION_NAME, module.to(device), "2048", "logits_unbiased", 3, digest[:16], note)
        _loaded[key] = ext
        return ext


def load_mnist_extractor(root: Path, device: torch.device, dataset: str = "mnist") -> Extractor:
    """The evaluator of an MNIST-family ``dataset`` (``mnist`` or ``fashion-mnist``, see
    :func:`ganbench.metrics.evaluator.load_evaluator`) as an extractor; raises its
    ``EvaluatorMissing`` with the fix when it has not been trained yet."""
    from ganbench.metrics.evaluator import load_evaluator, spec_for

    name = spec_for(dataset).name
    evaluator = load_evaluator(root, device, dataset)
    digest = str(getattr(evaluator, "sha256", "") or "unknown")
    key = (name, digest, str(device), id(evaluator))
    with _lock:
        if key not in _loaded:
            module = FeatureExtractorMnistCNN(name, ["128", "logits"], evaluator=evaluator)
            acc = getattr(evaluator, "test_accuracy", None)
            note = f"evaluator test accuracy {100 * acc:.2f}%" if isinstance(acc, float) and acc == acc else None
            _loaded[key] = Extractor(name, module, "128", "logits", 1, digest[:16], note)
        return _loaded[key]


class _RandomInceptionV3(FeatureExtractorInceptionV3):
    """torch-fidelity's Inception-v3 that keeps its freshly initialised (random) weights."""

    def load_state_dict(self, state_dict: Any, strict: bool = True, assign: bool = False) -> Any:
        return None  # nothing to load: the random initialisation is the point


def random_inception_weights(path: Path, seed: int = 0) -> Path:
    """Write a state dict of torch-fidelity's Inception-v3 with *random* weights to ``path``.

    Same architecture and file format as the real weights, so loading, preprocessing and shapes can
    be tested (and throughput timed) on machines without the real file. Never use it for numbers.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    empty = path.with_suffix(path.suffix + ".empty")
    torch.save({}, empty)  # torch-fidelity loads *some* file; ours holds nothing, so nothing is fetched
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = _RandomInceptionV3("inception-v3-compat", list(INCEPTION_FEATURES),
                                        feature_extractor_weights_path=str(empty))
    finally:
        empty.unlink(missing_ok=True)
    return write_atomic_path(path, lambda tmp: torch.save(module.state_dict(), tmp), tmp_name=f"{path.name}.tmp")
