"""``image-folder``: your own images as a benchmark dataset.

A folder of PNG/JPEG files, or one subfolder per class (then the runs get labels, class names
sorted as torchvision's ``ImageFolder`` sorts them). Each image is converted to RGB (or grayscale
with ``channels: 1``), resized so its shorter side is ``resolution`` and centre-cropped to a square,
as the DCGAN/SNGAN/StyleGAN data pipelines prepare CelebA and LSUN.

The dataset's content hash (every file's relative path and bytes, plus the parameters that change
the pixels) is the key of its FID/KID/precision-recall reference statistics
(:mod:`ganbench.metrics.refstats`), so they are computed once per folder content and recomputed
when a file changes. A file that cannot be read is skipped and named, with the count, in a
warning and in ``info.extra["skipped"]`` (``on_bad: error`` refuses the folder instead); a folder
with no readable image is an error.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.contract import Dataset, DatasetRequest, DatasetSpec, Requirement
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION
from ganbench.data import check_params
from ganbench.data.images import to_unit_range

log = logging.getLogger(__name__)

NAME = "image-folder"
EXTENSIONS = (".png", ".jpg", ".jpeg")
DEFAULTS: dict[str, Any] = {"path": None, "resolution": 64, "channels": 3, "labels": "auto", "on_bad": "skip",
                            "max_images": None}
RESOLUTIONS = (16, 28, 32, 64, 128, 256)
MAX_PIXELS = 40_000_000
"""Largest image decoded (width x height). A benchmark resizes to at most 256 px, and a small file
can declare a huge canvas (a 164 KB PNG of 169 megapixels decodes to 800 MiB): larger ones are
skipped, and named, before their pixels are decoded."""


def check(params: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the parameters (without reading the folder): a suite typo fails at load."""
    p = check_params(params, DEFAULTS, NAME)
    if not p["path"] or not isinstance(p["path"], str):
        raise ValueError(f"dataset {NAME!r}: params.path (the image folder) is required")
    if p["resolution"] not in RESOLUTIONS:
        raise ValueError(f"dataset {NAME!r}: resolution must be one of {RESOLUTIONS}, got {p['resolution']!r}")
    if p["channels"] not in (1, 3):
        raise ValueError(f"dataset {NAME!r}: channels must be 1 or 3, got {p['channels']!r}")
    if p["labels"] not in ("auto", True, False):
        raise ValueError(f"dataset {NAME!r}: labels must be auto, true or false, got {p['labels']!r}")
    if p["on_bad"] not in ("skip", "error"):
        raise ValueError(f"dataset {NAME!r}: on_bad must be skip or error, got {p['on_bad']!r}")
    if p["max_images"] is not None and (not isinstance(p["max_images"], int) or p["max_images"] < 1):
        raise ValueError(f"dataset {NAME!r}: max_images must be a positive integer, got {p['max_images']!r}")
    return p


def folder(params: Mapping[str, Any], root: Path) -> Path:
    """``path`` as given (``~`` expanded); a relative path is taken from the data root."""
    p = Path(str(params["path"])).expanduser()
    return p if p.is_absolute() else Path(root).expanduser() / p


def list_images(base: Path, labels: Any = "auto") -> tuple[list[Path], list[int] | None, tuple[str, ...] | None]:
    """The image files (sorted), their class indices and the class names; classes are the
    subfolders that hold images when ``labels`` is auto/true."""
    if not base.is_dir():
        raise FileNotFoundError(f"dataset {NAME!r}: {base} is not a folder (params.path)")
    files = sorted(p for p in base.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS)
    if not files:
        raise FileNotFoundError(f"dataset {NAME!r}: no .png/.jpg/.jpeg files under {base}")
    top = [p for p in files if p.parent == base]
    subdirs = sorted({p.relative_to(base).parts[0] for p in files if p.parent != base})
    use = labels is True or (labels == "auto" and subdirs and not top)
    if not use:
        return files, None, None
    if top:
        raise ValueError(f"dataset {NAME!r}: labels from subfolders, but {len(top)} image(s) lie directly in {base} "
                         f"(e.g. {top[0].name}); move them into a class folder or set labels: false")
    index = {name: i for i, name in enumerate(subdirs)}
    return files, [index[p.relative_to(base).parts[0]] for p in files], tuple(subdirs)


def content_hash(base: Path, files: list[Path], params: Mapping[str, Any]) -> str:
    """SHA-256 of every file's relative path and bytes and of the pixel-changing parameters."""
    h = hashlib.sha256(repr(sorted((k, params[k]) for k in ("resolution", "channels", "labels", "max_images"))).encode())
    for f in files:
        h.update(str(f.relative_to(base)).encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


@contextmanager
def _quiet_bomb_warning() -> Iterator[None]:
    """PIL warns above its own 89 MP limit; this module bounds pixels itself (:data:`MAX_PIXELS`)."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield


def load_image(path: Path, resolution: int, channels: int) -> np.ndarray:
    """One image, resized (shorter side to ``resolution``, bicubic, antialiased) and centre-cropped:
    ``(C, resolution, resolution)`` uint8."""
    from PIL import Image

    with _quiet_bomb_warning(), Image.open(path) as im:  # the header only: the size before any pixel is decoded
        w, h = im.size
        if w * h > MAX_PIXELS:
            raise ValueError(f"{w}x{h} = {w * h / 1e6:.0f} megapixels, over the {MAX_PIXELS / 1e6:.0f} MP bound; "
                             "not decoded")
        im = im.convert("RGB" if channels == 3 else "L")
        w, h = im.size
        s = resolution / min(w, h)
        nw, nh = max(resolution, round(w * s)), max(resolution, round(h * s))
        im = im.resize((nw, nh), Image.Resampling.BICUBIC)
        left, top = (nw - resolution) // 2, (nh - resolution) // 2
        im = im.crop((left, top, left + resolution, top + resolution))
        arr = np.asarray(im, dtype=np.uint8)
    return arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)


def load(req: DatasetRequest) -> Dataset:
    p = check(req.params)
    base = folder(p, req.root)
    files, labels, classes = list_images(base, p["labels"])
    if p["max_images"]:
        keep = files[: p["max_images"]]
        labels = labels[: len(keep)] if labels is not None else None
        files = keep
    res, ch = int(p["resolution"]), int(p["channels"])
    images, kept_labels, bad = [], [], []
    for i, f in enumerate(files):
        try:
            images.append(load_image(f, res, ch))
        except Exception as exc:  # PIL raises many kinds for a broken file
            bad.append(f"{f.relative_to(base)} ({type(exc).__name__}: {exc})")
            continue
        if labels is not None:
            kept_labels.append(labels[i])
    if bad:
        msg = f"dataset {NAME!r} ({base}): {len(bad)} of {len(files)} image(s) unreadable: " + "; ".join(bad[:10]) + (
            f"; ... and {len(bad) - 10} more" if len(bad) > 10 else "")
        if p["on_bad"] == "error" or not images:
            raise ValueError(msg + ("" if images else "; no readable image left"))
        log.warning("%s; skipped them", msg)
    data = to_unit_range(torch.from_numpy(np.stack(images))).to(req.device)
    y = torch.tensor(kept_labels, dtype=torch.int64, device=req.device) if labels is not None else None
    info = {"evaluator": "inception", "resolution": res, "params": p, "root": str(base), "classes": classes,
            "extra": {"folder": str(base), "content_hash": content_hash(base, files, p), "n_files": len(files),
                      "skipped": bad}}
    ds = Dataset(NAME, "image", data, y, len(classes) if classes else None, info)
    # the reference statistics' cache key (refstats.dataset_hash): the folder's content, not the tensor
    setattr(ds, "_content_hash", info["extra"]["content_hash"])  # noqa: B010
    return ds


def first_readable(base: Path) -> tuple[Path | None, str]:
    """The first file under ``base`` whose image header reads (size within the pixel bound), or
    None and why not: what the preflight asks, so an empty folder, or one holding only non-images,
    fails before training instead of failing every run."""
    from PIL import Image

    try:
        files, _, _ = list_images(base, False)
    except (FileNotFoundError, ValueError) as exc:
        return None, str(exc).split(": ", 1)[-1]
    for f in files:
        try:
            with _quiet_bomb_warning(), Image.open(f) as im:
                w, h = im.size
            if w * h <= MAX_PIXELS:
                return f, ""
        except Exception:  # PIL raises many kinds for a file that is not an image
            continue
    return None, f"none of its {len(files)} .png/.jpg/.jpeg file(s) is a readable image within {MAX_PIXELS / 1e6:.0f} MP"


def requirements(root: Path, params: Mapping[str, Any]) -> list[Requirement]:
    base = folder(check(params), root)
    fix = "set the dataset's params.path to a folder of PNG/JPEG images"
    if not base.is_dir():
        return [Requirement(f"image folder {base}", base, False, fix)]
    found, why = first_readable(base)
    return [Requirement(f"image folder {base} ({why})" if found is None else f"image folder {base}", base,
                        found is not None, fix)]


@hookimpl
def ganbench_datasets() -> list[DatasetSpec]:
    description = ("your own PNG/JPEG folder (optionally one subfolder per class), resized and centre-cropped "
                   "to params.resolution; reference statistics cached by the folder's content")
    return [DatasetSpec(NAME, "image", load, description=description, defaults=DEFAULTS, check_params=check,
                        requirements=requirements, files=lambda root: [], version="1", api_version=API_VERSION)]
