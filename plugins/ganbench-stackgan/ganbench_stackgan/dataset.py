"""The ``captioned-mnist`` dataset provider (task ``text-to-image``): built offline from MNIST."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.api import Dataset, DatasetRequest, DatasetSpec, Requirement, check_params

from . import captions

NAME = "captioned-mnist"
DEFAULTS: dict[str, Any] = {"n_images": 20000, "two_digit_share": 0.5, "seed": 0, "split": "train"}
FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
TASK = "text-to-image"


def files(root: Path, split: str = "train") -> list[Path]:
    return [Path(root) / "MNIST" / "raw" / f for f in FILES[split]]


def check(params: Mapping[str, Any]) -> dict[str, Any]:
    p = check_params(dict(params), DEFAULTS, NAME)
    if isinstance(p["n_images"], bool) or not isinstance(p["n_images"], int) or not 1 <= p["n_images"] <= 200_000:
        raise ValueError(f"dataset {NAME!r}: n_images must be an integer in [1, 200000], got {p['n_images']!r}")
    if not isinstance(p["two_digit_share"], (int, float)) or not 0 <= p["two_digit_share"] <= 1:
        raise ValueError(f"dataset {NAME!r}: two_digit_share must be in [0, 1], got {p['two_digit_share']!r}")
    if isinstance(p["seed"], bool) or not isinstance(p["seed"], int):
        raise ValueError(f"dataset {NAME!r}: seed must be an integer, got {p['seed']!r}")
    if p["split"] not in FILES:
        raise ValueError(f"dataset {NAME!r}: split must be 'train' or 'test', got {p['split']!r}")
    return p


def read_idx(path: Path) -> np.ndarray:
    """An uncompressed IDX file (MNIST's format) as an array."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileNotFoundError(f"dataset {NAME!r}: cannot read MNIST file {path} ({exc.strerror}); "
                                "run `ganbench data prepare mnist`") from None
    if len(raw) < 8 or raw[:2] != b"\0\0" or raw[2] != 8:
        raise ValueError(f"dataset {NAME!r}: {path} is not an unsigned-byte IDX file")
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    body = np.frombuffer(raw, np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"dataset {NAME!r}: {path} holds {body.size} values, its header says {shape}")
    return body.reshape(shape)


def load(req: DatasetRequest) -> Dataset:
    p = check(req.params)
    img_path, lab_path = files(req.root, p["split"])
    images, labels = read_idx(img_path), read_idx(lab_path)
    canvases, tokens, _ = captions.build(images, labels, p["n_images"], p["seed"], float(p["two_digit_share"]))
    data = torch.from_numpy(canvases).float().div(127.5).sub(1).unsqueeze(1).to(req.device)
    info = {"evaluator": None, "resolution": captions.CANVAS, "params": p, "root": str(req.root),
            "extra": {"vocab": captions.VOCAB, "caption_grammar": captions.GRAMMAR, "task": TASK}}
    # labels are the captions' token ids (N, MAX_TOKENS); num_classes is the vocabulary size
    return Dataset(NAME, "image", data, torch.from_numpy(tokens).to(req.device), len(captions.VOCAB), info)


def requirements(root: Path, params: Mapping[str, Any]) -> list[Requirement]:
    split = str(params.get("split", "train"))
    return [Requirement(f"MNIST {split} file {f.name}", f, f.is_file(), "ganbench data prepare mnist")
            for f in files(root, split if split in FILES else "train")]


SPEC = DatasetSpec(
    name=NAME, kind="image", load=load, task=TASK, defaults=DEFAULTS, check_params=check, requirements=requirements,
    files=lambda root: files(root), default_metrics=("caption-fidelity",), version="1", api_version="1.4",
    description="MNIST digits (1-2) on a 60x60 canvas with a caption naming digits and positions (alignDRAW); "
                "built deterministically from MNIST",
)
