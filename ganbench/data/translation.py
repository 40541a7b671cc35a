"""``mnist-translate``: image-to-image tasks built from MNIST, deterministically and offline.

Every domain is a fixed, pixel-exact transform of the same MNIST digit, so the dataset knows what
a perfect translation of any input is (per-pixel L1 against the ground truth is defined for
every task, paired or not) and which digit it shows (the digit evaluator checks that the content
survives). Domains (``params.domains``, at least two):

``digits``    the MNIST digit itself
``edges``     its outline: dilation minus erosion (3x3), the "edges -> photo" task of pix2pix
``thick``     thick strokes: 3x3 dilation (the evaluator still reads 95 % of them)
``inverted``  black on white (``1 - x``); read back exactly for the evaluator
``rot90``     rotated a quarter turn anticlockwise; read back exactly for the evaluator

The transforms act on the padded 32x32 image (so ``inverted`` has a white border too). Training contents are a fixed-seed subset
of ``n_train`` MNIST training digits; with ``paired: false`` they are split into one disjoint part
per domain (a content is shown in one domain only), so an unpaired model never sees a pair.
Evaluation contents come from the MNIST test split: the first ``n_eval`` of a fixed permutation are
the inputs the harness translates, the rest are each domain's FID reference (disjoint contents).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from ganbench.contract import DatasetRequest, DatasetSpec
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.translation import TranslationDataset
from ganbench.contract.versions import API_VERSION
from ganbench.data import check_params
from ganbench.data.images import check_resolution, pad_to, to_unit_range
from ganbench.data.mnist import load_split, mnist_family, mnist_files

NAME = "mnist-translate"
DEFAULTS: dict[str, Any] = {
    "domains": ["edges", "digits"],
    "paired": True,
    "n_train": 20000,
    "n_eval": 5000,
    "resolution": 32,
}
SPLIT_SEED = 0
TEST_SIZE = 10_000
TRAIN_SIZE = 60_000


def _dilate(x: torch.Tensor) -> torch.Tensor:
    return F.max_pool2d(x, 3, 1, 1)


def _erode(x: torch.Tensor) -> torch.Tensor:
    return -F.max_pool2d(-x, 3, 1, 1)


Transform = Callable[[torch.Tensor], torch.Tensor]
DOMAINS: dict[str, Transform] = {
    "digits": lambda x: x,
    "edges": lambda x: (_dilate(x) - _erode(x) - 1.0).clamp(-1, 1),  # (dilate - erode) on [0, 1] pixels
    "thick": _dilate,
    "inverted": lambda x: -x,
    "rot90": lambda x: torch.rot90(x, 1, (2, 3)),
}
"""Domain name -> transform of ``(N, 1, H, W)`` digits in [-1, 1] (background -1). Max-pooling
commutes with the map to [0, 1], so these are the [0, 1] operations named in the module docstring,
computed where inverting (negation, rotation back) is exact in floating point."""

CANONICAL: dict[str, Transform] = {
    "inverted": lambda x: -x,
    "rot90": lambda x: torch.rot90(x, -1, (2, 3)),
}
"""Exact inverses (on [-1, 1] images) that turn a domain's image back into a plain digit, so the
digit evaluator can read it; domains not listed are read as they are."""


def check(params: Mapping[str, Any]) -> dict[str, Any]:
    """Suite ``params`` checked before anything loads (unknown names, domains, sizes)."""
    p = check_params(dict(params), DEFAULTS, NAME)
    doms = p["domains"]
    if not isinstance(doms, (list, tuple)) or len(doms) < 2:
        raise ValueError(f"dataset {NAME!r}: domains must be a list of at least 2 of {', '.join(DOMAINS)}, got {doms!r}")
    unknown = [d for d in doms if d not in DOMAINS]
    if unknown:
        raise ValueError(f"dataset {NAME!r}: unknown domain(s) {unknown}; known: {', '.join(DOMAINS)}")
    if len(set(doms)) != len(doms):
        raise ValueError(f"dataset {NAME!r}: domains must be distinct, got {list(doms)}")
    if not isinstance(p["paired"], bool):
        raise ValueError(f"dataset {NAME!r}: paired must be true or false, got {p['paired']!r}")
    for key, hi in (("n_train", TRAIN_SIZE), ("n_eval", TEST_SIZE - 1)):
        v = p[key]
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= hi:
            raise ValueError(f"dataset {NAME!r}: {key} must be an integer in 1..{hi}, got {v!r}")
    if not p["paired"] and p["n_train"] < len(doms):
        raise ValueError(f"dataset {NAME!r}: n_train {p['n_train']} cannot be split into {len(doms)} unpaired parts")
    check_resolution(p, NAME)
    p["domains"] = list(doms)
    return p


def render(images_u8: torch.Tensor, domains: list[str], resolution: int) -> torch.Tensor:
    """``(N, 28, 28)`` uint8 digits -> ``(D, N, 1, R, R)`` float32 in [-1, 1], one view per domain."""
    x = pad_to(to_unit_range(images_u8.unsqueeze(1)), resolution)
    return torch.stack([DOMAINS[d](x) for d in domains]).contiguous()


def load(req: DatasetRequest) -> TranslationDataset:
    p = check(req.params)
    domains, res = list(p["domains"]), int(p["resolution"])
    g = torch.Generator().manual_seed(SPLIT_SEED)
    train_x, train_y = load_split(req.root, "mnist", "train", req.download)
    idx = torch.randperm(train_x.shape[0], generator=g)[: int(p["n_train"])]
    views = render(train_x[idx], domains, res).to(req.device)
    labels = train_y[idx]
    part = None if p["paired"] else (torch.arange(idx.numel()) % len(domains)).to(req.device)
    test_x, test_y = load_split(req.root, "mnist", "test", req.download)
    tidx = torch.randperm(test_x.shape[0], generator=torch.Generator().manual_seed(SPLIT_SEED + 1))
    eval_views = render(test_x[tidx], domains, res).to(req.device)
    d, n = views.shape[:2]
    info = {"evaluator": "mnist", "resolution": res, "params": p, "root": str(req.root),
            "extra": {"n_eval": int(p["n_eval"])}}
    return TranslationDataset(
        NAME, "image", views.reshape(d * n, *views.shape[2:]), labels.repeat(d).to(req.device), 10, info,
        domains=tuple(domains), views=views, part=part, eval_views=eval_views,
        eval_labels=test_y[tidx].to(req.device), canonical={k: v for k, v in CANONICAL.items() if k in domains},
    )


def prepare(root: Path) -> None:
    """What ``mnist-translate`` is built from: MNIST's files (``ganbench data prepare`` then trains
    the MNIST evaluator it is scored with)."""
    from ganbench.data import mnist

    spec = next(s for s in mnist.ganbench_datasets() if s.name == "mnist")
    assert spec.prepare is not None
    spec.prepare(root)


@hookimpl
def ganbench_datasets() -> list[DatasetSpec]:
    description = ("MNIST in several domains (digits, edges, thick, inverted, rot90), paired or unpaired, "
                   "for image-to-image models; 1x32x32")
    return [DatasetSpec(NAME, "image", load, task="translate", description=description, defaults=DEFAULTS,
                        files=lambda root: mnist_files(root, "mnist"), check_params=check,
                        requirements=mnist_family(NAME, source="mnist"), prepare=prepare,
                        default_metrics=("translation",), version="1", api_version=API_VERSION)]
