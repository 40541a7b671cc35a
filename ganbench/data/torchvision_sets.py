"""CelebA, LSUN and STL-10, the natural-image datasets GAN papers use beyond CIFAR-10, read through
torchvision's own dataset classes.

Each image is resized (shorter side to ``resolution``) and centre-cropped, as the DCGAN, SNGAN and
StyleGAN pipelines prepare them (CelebA: the aligned 178x218 faces; LSUN: one scene category;
STL-10: 96 px, SNGAN trains at 48). The whole set is held on the run's device as float32 in [-1, 1],
so ``max_images`` (default 50,000, the count FID references use) bounds the memory: 50,000 images at
64 px are 2.4 GiB. Missing files raise the same clear message as CIFAR-10: which files, where, and
how to get them (``ganbench data prepare NAME`` where torchvision can download them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.contract import Dataset, DatasetRequest, DatasetSpec, Requirement
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION
from ganbench.data import check_params
from ganbench.data.images import missing_error, to_unit_range

RESOLUTIONS = (32, 48, 64, 128)
BASE = {"resolution": 64, "max_images": 50_000}

CELEBA_FILES = ("list_eval_partition.txt", "list_attr_celeba.txt", "identity_CelebA.txt", "list_bbox_celeba.txt",
                "list_landmarks_align_celeba.txt")
CELEBA_FIX = ("run `ganbench data prepare celeba` with internet access (torchvision's Google Drive download is often "
              "refused; then download img_align_celeba.zip and the list_*.txt / identity_CelebA.txt files from "
              "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html by hand) and unzip under ROOT/celeba/")
LSUN_FIX = ("download the category with the LSUN script (https://github.com/fyu/lsun: "
            "python download.py -c bedroom), unzip it under the data root, and pip install lmdb")
STL_FILES = {"train": ("train_X.bin", "train_y.bin"), "test": ("test_X.bin", "test_y.bin"), "unlabeled": ("unlabeled_X.bin",)}
STL_FIX = "run `ganbench data prepare stl10` with internet access (2.6 GB from cs.stanford.edu), or put stl10_binary/ under the data root"


def _check(name: str, defaults: Mapping[str, Any], params: Mapping[str, Any],
           more: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    p = check_params(params, defaults, name)
    if p["resolution"] not in RESOLUTIONS:
        raise ValueError(f"dataset {name!r}: resolution must be one of {RESOLUTIONS}, got {p['resolution']!r}")
    if p["max_images"] is not None and (not isinstance(p["max_images"], int) or p["max_images"] < 1):
        raise ValueError(f"dataset {name!r}: max_images must be a positive integer or null, got {p['max_images']!r}")
    if more:
        more(p)
    return p


def _choice(key: str, allowed: tuple[str, ...], name: str) -> Callable[[dict[str, Any]], None]:
    def check(p: dict[str, Any]) -> None:
        if p[key] not in allowed:
            raise ValueError(f"dataset {name!r}: {key} must be one of {', '.join(allowed)}, got {p[key]!r}")
    return check


def _transform(resolution: int) -> Callable[[Any], torch.Tensor]:
    from torchvision import transforms

    return transforms.Compose([transforms.Resize(resolution, antialias=True), transforms.CenterCrop(resolution),
                               transforms.PILToTensor()])


def _materialise(ds: Any, max_images: int | None, with_labels: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The first ``max_images`` items of a torchvision dataset as one uint8 tensor (and labels)."""
    n = len(ds) if max_images is None else min(len(ds), max_images)
    images = torch.empty((0,), dtype=torch.uint8)
    labels = np.empty(n, dtype=np.int64)
    for i in range(n):
        x, y = ds[i]
        if i == 0:
            images = torch.empty((n, *x.shape), dtype=torch.uint8)
        images[i] = x
        labels[i] = int(y) if with_labels else 0
    return images, (torch.from_numpy(labels) if with_labels else None)


def _finish(name: str, images: torch.Tensor, labels: torch.Tensor | None, classes: tuple[str, ...] | None,
            p: Mapping[str, Any], root: Path, device: torch.device) -> Dataset:
    info = {"evaluator": "inception", "resolution": int(p["resolution"]), "params": dict(p), "root": str(root),
            "classes": classes}
    return Dataset(name, "image", to_unit_range(images).to(device), None if labels is None else labels.to(device),
                   len(classes) if classes and labels is not None else None, info)


# -- CelebA ---------------------------------------------------------------------------------------

CELEBA_DEFAULTS = {**BASE, "split": "train"}


def celeba_check(params: Mapping[str, Any]) -> dict[str, Any]:
    return _check("celeba", CELEBA_DEFAULTS, params, _choice("split", ("train", "valid", "test", "all"), "celeba"))


def celeba_files(root: Path) -> list[Path]:
    d = Path(root).expanduser() / "celeba"
    return [d / "img_align_celeba", *(d / f for f in CELEBA_FILES)]


def celeba_load(req: DatasetRequest) -> Dataset:
    from torchvision.datasets import CelebA

    p = celeba_check(req.params)
    root = Path(req.root).expanduser()
    missing = [f for f in celeba_files(root) if not f.exists()]
    if missing:
        raise missing_error("celeba", root, missing, CELEBA_FIX)
    try:
        ds = CelebA(str(root), split=p["split"], target_type=[], transform=_transform(p["resolution"]), download=False)
    except RuntimeError as exc:  # torchvision: "Dataset not found or corrupted"
        raise missing_error("celeba", root, celeba_files(root), f"{exc}; {CELEBA_FIX}") from None
    images, _ = _materialise(ds, p["max_images"], with_labels=False)
    return _finish("celeba", images, None, None, p, root, req.device)


def celeba_prepare(root: Path) -> None:
    from torchvision.datasets import CelebA

    root = Path(root).expanduser()
    try:
        CelebA(str(root), split="all", target_type=[], download=True)
    except Exception as exc:
        raise missing_error("celeba", root, [f for f in celeba_files(root) if not f.exists()],
                            f"download failed ({type(exc).__name__}); {CELEBA_FIX}") from None


# -- LSUN -----------------------------------------------------------------------------------------

LSUN_CATEGORIES = ("bedroom", "bridge", "church_outdoor", "classroom", "conference_room", "dining_room", "kitchen",
                   "living_room", "restaurant", "tower")
LSUN_DEFAULTS = {**BASE, "category": "bedroom", "split": "train"}


def lsun_check(params: Mapping[str, Any]) -> dict[str, Any]:
    def more(p: dict[str, Any]) -> None:
        _choice("category", LSUN_CATEGORIES, "lsun")(p)
        _choice("split", ("train", "val"), "lsun")(p)
    return _check("lsun", LSUN_DEFAULTS, params, more)


def lsun_folder(root: Path, p: Mapping[str, Any]) -> Path:
    return Path(root).expanduser() / f"{p['category']}_{p['split']}_lmdb"


def lsun_load(req: DatasetRequest) -> Dataset:
    p = lsun_check(req.params)
    root = Path(req.root).expanduser()
    folder = lsun_folder(root, p)
    if not folder.is_dir():
        raise missing_error("lsun", root, [folder], LSUN_FIX)
    try:
        import lmdb  # noqa: F401  (torchvision's LSUN reads through it)
    except ImportError:
        raise ImportError(f"dataset 'lsun': reading {folder} needs the lmdb package: pip install lmdb") from None
    from torchvision.datasets import LSUN

    ds = LSUN(str(root), classes=[f"{p['category']}_{p['split']}"], transform=_transform(p["resolution"]))
    images, _ = _materialise(ds, p["max_images"], with_labels=False)
    return _finish("lsun", images, None, None, p, root, req.device)


# -- STL-10 ---------------------------------------------------------------------------------------

STL_DEFAULTS = {"resolution": 48, "max_images": 50_000, "split": "unlabeled"}


def stl_check(params: Mapping[str, Any]) -> dict[str, Any]:
    return _check("stl10", STL_DEFAULTS, params, _choice("split", ("unlabeled", "train", "test", "train+unlabeled"), "stl10"))


def stl_files(root: Path, split: str = "unlabeled") -> list[Path]:
    d = Path(root).expanduser() / "stl10_binary"
    names = [f for s in split.split("+") for f in STL_FILES[s]]
    return [d / n for n in names]


def stl_load(req: DatasetRequest) -> Dataset:
    from torchvision.datasets import STL10

    p = stl_check(req.params)
    root = Path(req.root).expanduser()
    missing = [f for f in stl_files(root, p["split"]) if not f.is_file()]
    if missing:
        raise missing_error("stl10", root, missing, STL_FIX)
    try:
        ds = STL10(str(root), split=p["split"], transform=_transform(p["resolution"]), download=False)
    except RuntimeError as exc:
        raise missing_error("stl10", root, stl_files(root, p["split"]), f"{exc}; {STL_FIX}") from None
    labelled = p["split"] in ("train", "test")
    images, labels = _materialise(ds, p["max_images"], with_labels=labelled)
    return _finish("stl10", images, labels, tuple(ds.classes) if labelled else None, p, root, req.device)


def stl_prepare(root: Path) -> None:
    from torchvision.datasets import STL10

    root = Path(root).expanduser()
    try:
        STL10(str(root), split="unlabeled", download=True)
    except Exception as exc:
        raise missing_error("stl10", root, [f for f in stl_files(root, "train+unlabeled") if not f.is_file()],
                            f"download failed ({type(exc).__name__}); {STL_FIX}") from None


# -- preflight ------------------------------------------------------------------------------------


def celeba_requirements(root: Path, params: Mapping[str, Any]) -> list[Requirement]:
    return [Requirement(f"celeba {f.name}", f, f.exists(), CELEBA_FIX) for f in celeba_files(root)]


def lsun_requirements(root: Path, params: Mapping[str, Any]) -> list[Requirement]:
    f = lsun_folder(root, lsun_check(params))
    return [Requirement(f"lsun {f.name}", f, f.is_dir(), LSUN_FIX)]


def stl_requirements(root: Path, params: Mapping[str, Any]) -> list[Requirement]:
    return [Requirement(f"stl10 {f.name}", f, f.is_file(), STL_FIX, "https://ai.stanford.edu/~acoates/stl10/")
            for f in stl_files(root, stl_check(params)["split"])]


@hookimpl
def ganbench_datasets() -> list[DatasetSpec]:
    return [
        DatasetSpec("celeba", "image", celeba_load, "CelebA aligned faces (torchvision), resized + centre-cropped, "
                    "first max_images of the split", CELEBA_DEFAULTS, celeba_files, celeba_prepare,
                    check_params=celeba_check, requirements=celeba_requirements, version="1", api_version=API_VERSION),
        DatasetSpec("lsun", "image", lsun_load, "LSUN scene category (torchvision, lmdb), resized + centre-cropped",
                    LSUN_DEFAULTS, lambda root: [lsun_folder(root, LSUN_DEFAULTS)], None,
                    check_params=lsun_check, requirements=lsun_requirements, version="1", api_version=API_VERSION),
        DatasetSpec("stl10", "image", stl_load, "STL-10 (torchvision), 96 px resized to 48 by default (SNGAN); "
                    "unlabeled split by default", STL_DEFAULTS, stl_files, stl_prepare,
                    check_params=stl_check, requirements=stl_requirements, version="1", api_version=API_VERSION),
    ]
