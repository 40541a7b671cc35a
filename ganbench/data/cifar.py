"""CIFAR-10 from the official ``cifar-10-batches-py`` pickles, read without arbitrary code.

The batches are Python pickles; a plain ``pickle.load`` of a downloaded file can run any code.
:class:`SafeUnpickler` resolves only the globals numpy needs to rebuild an array (and
``_codecs.encode``, which Python 3 uses for bytes in protocol-2 pickles); anything else is refused
with the file's name. Files: ``ROOT/cifar-10-batches-py/{data_batch_1..5, test_batch}``, the layout
``torchvision.datasets.CIFAR10(ROOT, download=True)`` creates (used by ``ganbench data prepare``).
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.contract import Dataset, DatasetRequest, DatasetSpec, Requirement
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION
from ganbench.data import check_params
from ganbench.data.images import DatasetFileCorrupt, missing_error, to_unit_range
from ganbench.data.numpy_pickle import NumpyOnlyUnpickler
from ganbench.data.requirements import CIFAR_URL

FOLDER = "cifar-10-batches-py"
TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_FILES = ("test_batch",)
DEFAULTS: dict[str, Any] = {"split": "train"}
FIX = (
    "run `ganbench data prepare cifar10` with internet access, or put the extracted "
    f"cifar-10-python.tar.gz (folder {FOLDER}/) under the data root"
)

class SafeUnpickler(NumpyOnlyUnpickler):
    what = "a CIFAR-10 batch"


def cifar_files(root: Path) -> list[Path]:
    d = Path(root) / FOLDER
    return [d / f for f in (*TRAIN_FILES, *TEST_FILES)]


def read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``(N, 3, 32, 32)`` uint8 images and int64 labels of one batch file."""
    fix = f"delete it and {FIX}"
    try:
        with open(path, "rb") as f:
            d = SafeUnpickler(f, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError) as exc:
        raise DatasetFileCorrupt(f"{path}: not a readable CIFAR-10 batch ({type(exc).__name__}: {exc}); {fix}") from None
    if not isinstance(d, dict):
        raise DatasetFileCorrupt(f"{path}: expected a dict, found {type(d).__name__}; {fix}")
    data = d.get(b"data", d.get("data"))
    labels = d.get(b"labels", d.get("labels"))
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.shape[1] != 3072 or labels is None:
        shape = getattr(data, "shape", None)
        raise DatasetFileCorrupt(f"{path}: no (N, 3072) 'data' array with 'labels' (data shape {shape}); {fix}")
    labels = np.asarray(labels, dtype=np.int64)
    if labels.shape != (data.shape[0],) or (labels.size and (labels.min() < 0 or labels.max() > 9)):
        raise DatasetFileCorrupt(f"{path}: {labels.size} labels for {data.shape[0]} images, or labels outside 0..9; {fix}")
    return data.astype(np.uint8, copy=False).reshape(-1, 3, 32, 32), labels


def load_cifar(root: Path, split: str = "train") -> tuple[torch.Tensor, torch.Tensor]:
    if split not in ("train", "test"):
        raise ValueError(f"dataset 'cifar10': split must be 'train' or 'test', got {split!r}")
    root = Path(root).expanduser()
    names = TRAIN_FILES if split == "train" else TEST_FILES
    paths = [root / FOLDER / n for n in names]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise missing_error("cifar10", root, missing, FIX)
    parts = [read_batch(p) for p in paths]
    images = torch.from_numpy(np.concatenate([p[0] for p in parts]))
    labels = torch.from_numpy(np.concatenate([p[1] for p in parts]))
    return images, labels


def load(req: DatasetRequest) -> Dataset:
    p = check_params(dict(req.params), DEFAULTS, "cifar10")
    root = Path(req.root).expanduser()
    if req.download and any(not f.is_file() for f in cifar_files(root)):
        try:
            prepare(root)
        except Exception:
            pass  # offline: load_cifar raises the clear message
    images, labels = load_cifar(root, str(p["split"]))
    data = to_unit_range(images).to(req.device)
    info = {"evaluator": "inception", "resolution": 32, "params": p, "root": str(root)}
    return Dataset("cifar10", "image", data, labels.to(req.device), 10, info)


def prepare(root: Path) -> None:
    """Download with torchvision (the only use of its CIFAR loader: reading is ours, restricted)."""
    from torchvision.datasets.utils import download_and_extract_archive

    from ganbench.data.mnist import DOWNLOAD_TIMEOUT_S, _socket_timeout

    root = Path(root).expanduser()
    if all(f.is_file() for f in cifar_files(root)):
        return
    try:
        with _socket_timeout(DOWNLOAD_TIMEOUT_S):
            download_and_extract_archive(
                "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", str(root),
                filename="cifar-10-python.tar.gz", md5="c58f30108f718f92721af3b95e74349a",
            )
    except Exception as exc:
        raise missing_error("cifar10", root, [f for f in cifar_files(root) if not f.is_file()],
                            f"download failed ({type(exc).__name__}); {FIX}") from None


def cifar10(root: Path, params: Mapping[str, Any]) -> list[Requirement]:
    """The five training batches and the test batch, for the preflight."""
    root = Path(root).expanduser()
    return [Requirement(f"cifar10 file {p.name}", p, p.is_file(), FIX, CIFAR_URL) for p in cifar_files(root)]


@hookimpl
def ganbench_datasets() -> list[DatasetSpec]:
    description = "CIFAR-10, 50k train / 10k test, 3x32x32 (official python pickles, read safely)"
    return [DatasetSpec("cifar10", "image", load, description=description, defaults=DEFAULTS, files=cifar_files,
                        requirements=cifar10, prepare=prepare, api_version=API_VERSION)]
