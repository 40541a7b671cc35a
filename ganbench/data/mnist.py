"""MNIST and Fashion-MNIST providers (torchvision's layout, loaders and download).

Files live under ``ROOT/MNIST/raw`` and ``ROOT/FashionMNIST/raw`` exactly as
``torchvision.datasets.MNIST(ROOT)`` expects them, so an existing torchvision cache is reused.
When they are missing and cannot be downloaded, the error names the files and the fix
(``ganbench data prepare mnist``). Images are held on the run's device in [-1, 1].
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from ganbench.contract import Dataset, DatasetRequest, DatasetSpec, Requirement
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION
from ganbench.data import check_params
from ganbench.data.images import (
    DatasetFileCorrupt,
    check_idx_file,
    check_resolution,
    missing_error,
    pad_to,
    to_unit_range,
)
from ganbench.data.requirements import MNIST_MIRRORS, _evaluator

FAMILIES = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
DEFAULTS: dict[str, Any] = {"split": "train", "resolution": 28}
DOWNLOAD_TIMEOUT_S = 30.0

_cache: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}
_lock = threading.Lock()


def raw_dir(root: Path, dataset: str = "mnist") -> Path:
    return Path(root) / FAMILIES[dataset] / "raw"


def mnist_files(root: Path, dataset: str = "mnist") -> list[Path]:
    """The four uncompressed IDX files torchvision reads (train and test)."""
    d = raw_dir(root, dataset)
    return [d / f for split in ("train", "test") for f in SPLIT_FILES[split]]


def mnist_family(dataset: str, source: str | None = None) -> Callable[[Path, Mapping[str, Any]], list[Requirement]]:
    """``dataset``'s needs: the IDX files of ``source`` (the dataset it is built from) and the
    evaluator of ``source``."""
    source = source or dataset

    def requirements(root: Path, params: Mapping[str, Any]) -> list[Requirement]:
        root = Path(root).expanduser()
        fix = f"run `ganbench data prepare {source}` with internet access"
        reqs = [Requirement(f"{source} file {p.name}", p, p.is_file(), fix, MNIST_MIRRORS.get(source))
                for p in mnist_files(root, source)]
        return reqs + [_evaluator(root, source)]

    return requirements


@contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    """torchvision downloads without a timeout; offline, a stalled connection must not hang a run."""
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(old)


def download(root: Path, dataset: str = "mnist") -> None:
    """Fetch the files with torchvision's own downloader (needs internet)."""
    from torchvision import datasets

    cls = datasets.MNIST if dataset == "mnist" else datasets.FashionMNIST
    root = Path(root)
    with _socket_timeout(DOWNLOAD_TIMEOUT_S):
        for train in (True, False):
            cls(str(root), train=train, download=True)


def ensure_files(root: Path, dataset: str = "mnist", download_ok: bool = True) -> None:
    """Raise a clear error when files are missing (after trying a download if allowed)."""
    root = Path(root)
    missing = [p for p in mnist_files(root, dataset) if not p.is_file()]
    if not missing:
        return
    why = ""
    if download_ok:
        try:
            download(root, dataset)
            missing = [p for p in mnist_files(root, dataset) if not p.is_file()]
            if not missing:
                return
        except Exception as exc:  # offline: fall through to the clear message
            why = f" (download failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''})"
    fix = (
        f"run `ganbench data prepare {dataset}` with internet access, or copy torchvision's "
        f"{FAMILIES[dataset]}/raw files there{why}"
    )
    raise missing_error(dataset, root, missing, fix)


def load_split(root: Path, dataset: str = "mnist", split: str = "train", download_ok: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 images ``(N, 28, 28)`` and int64 labels of one split, cached in-process.

    Each file's header is checked against its size first, so a truncated file is named.
    """
    if split not in SPLIT_FILES:
        raise ValueError(f"dataset {dataset!r}: split must be 'train' or 'test', got {split!r}")
    root = Path(root).expanduser()
    ensure_files(root, dataset, download_ok)
    paths = [raw_dir(root, dataset) / f for f in SPLIT_FILES[split]]
    key = (dataset, split, *((str(p.resolve()), p.stat().st_mtime_ns, p.stat().st_size) for p in paths))
    with _lock:
        if key in _cache:
            return _cache[key]
        img_dims = check_idx_file(paths[0], dataset)
        lab_dims = check_idx_file(paths[1], dataset)
        if len(img_dims) != 3 or img_dims[1:] != (28, 28) or lab_dims != img_dims[:1]:
            raise DatasetFileCorrupt(
                f"{paths[0]}: images {img_dims} / labels {lab_dims} are not an MNIST-format split; "
                f"delete them and run `ganbench data prepare {dataset}`"
            )
        from torchvision import datasets

        cls = datasets.MNIST if dataset == "mnist" else datasets.FashionMNIST
        tv = cls(str(root), train=(split == "train"), download=False)
        images, labels = tv.data.to(torch.uint8).contiguous(), tv.targets.to(torch.int64).contiguous()
        if int(labels.max()) > 9 or int(labels.min()) < 0:
            raise DatasetFileCorrupt(f"{paths[1]}: labels outside 0..9; delete it and run `ganbench data prepare {dataset}`")
        _cache[key] = (images, labels)
        return images, labels


def _checker(dataset: str):
    def check(params: Mapping[str, Any]) -> dict[str, Any]:
        """Params checked when the suite loads (unknown names, resolution, split)."""
        p = check_params(dict(params), DEFAULTS, dataset)
        check_resolution(p, dataset)
        if p["split"] not in ("train", "test"):
            raise ValueError(f"dataset {dataset!r}: split must be 'train' or 'test', got {p['split']!r}")
        return p

    return check


def _loader(dataset: str):
    def load(req: DatasetRequest) -> Dataset:
        p = check_params(dict(req.params), DEFAULTS, dataset)
        res = check_resolution(p, dataset)
        images, labels = load_split(req.root, dataset, str(p["split"]), req.download)
        data = pad_to(to_unit_range(images.unsqueeze(1)), res).to(req.device)
        # each dataset is scored by its own classifier (ganbench.metrics.evaluator.EVALUATORS)
        info: dict[str, Any] = {"evaluator": dataset, "resolution": res, "params": p, "root": str(req.root)}
        if dataset == "mnist":
            info["digit_channels"] = 1  # the mode metric: 10 modes, one per digit
        return Dataset(dataset, "image", data, labels.to(req.device), 10, info)

    return load


def _prepare(dataset: str):
    """Fetch and check the files. The evaluator the dataset is scored with is trained after this by
    ``ganbench data prepare`` (:func:`ganbench.metrics.evaluator_training.prepare_evaluator`):
    data/ never imports metrics/."""

    def prepare(root: Path) -> None:
        ensure_files(Path(root), dataset, download_ok=True)
        load_split(Path(root), dataset, "train", download_ok=False)
        load_split(Path(root), dataset, "test", download_ok=False)

    return prepare


def built_from(source: str, dataset: str | None = None) -> dict[str, Any]:
    """``files``, ``requirements`` and ``prepare`` of a dataset built from the ``source`` IDX files:
    every MNIST-backed provider needs the same three, so they are spelled once."""
    return {
        "files": lambda root: mnist_files(root, source),
        "requirements": mnist_family(dataset or source, source),
        "prepare": _prepare(source),
    }


def _family_spec(dataset: str, description: str) -> DatasetSpec:
    """MNIST and Fashion-MNIST differ only in their files and evaluator, both keyed by the name."""
    return DatasetSpec(dataset, "image", _loader(dataset), description=description, defaults=DEFAULTS,
                       check_params=_checker(dataset), **built_from(dataset), api_version=API_VERSION)


@hookimpl
def ganbench_datasets() -> list[DatasetSpec]:
    return [
        _family_spec("mnist", "MNIST digits, 60k train / 10k test, 1x28x28 (or padded to 32x32)"),
        _family_spec("fashion-mnist", "Fashion-MNIST, 60k train / 10k test, 1x28x28 (or padded to 32x32)"),
    ]
