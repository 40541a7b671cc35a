"""``mnist-pairs``: two MNIST domains without correspondence, CoGAN's tasks (Liu & Tuzel 2016).

CoGAN learns a joint distribution of two domains from samples of each marginal: it never sees a
pair. The paper's MNIST tasks are digits / their edge images (task A) and digits / their
negatives (task B). As in the authors' code (``dataset_mnistedge.py``), MNIST's 60,000 training
digits are shuffled (``split_seed``) and cut in two halves: the first half gives domain 1's
images, the second half domain 2's images after the domain's transform, so no digit appears in
both domains.

One sample is ``(2, 28, 28)``: channel 0 an image of domain 1, channel 1 an image of domain 2 of
an *unrelated* digit (row i of each half; the halves hold different digits). A coupled model
reads the channels as its two domains; a model that treats the sample as a 2-channel image
learns no correspondence, which the pixel-agreement metric then shows.

Transforms on [0, 1] pixels (as the authors' code), returned in [-1, 1]:
``digits`` the digit; ``edges`` 3x3 dilation minus the digit (``cv2.dilate(img) - img``);
``negative`` 1 - digit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from ganbench.contract import Dataset, DatasetRequest, DatasetSpec, Requirement
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION
from ganbench.data import check_params
from ganbench.data.mnist import load_split, mnist_files

NAME = "mnist-pairs"
DEFAULTS: dict[str, Any] = {"domains": ["digits", "edges"], "split_seed": 0}


def _edges(x01: torch.Tensor) -> torch.Tensor:
    return (F.max_pool2d(x01, 3, 1, 1) - x01).clamp(0, 1)


TRANSFORMS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "digits": lambda x: x,
    "edges": _edges,
    "negative": lambda x: 1.0 - x,
}
"""Domain name -> transform of ``(N, 1, H, W)`` digits in [0, 1] (background 0)."""


def check(params: Mapping[str, Any]) -> dict[str, Any]:
    p = check_params(dict(params), DEFAULTS, NAME)
    doms = p["domains"]
    if not isinstance(doms, (list, tuple)) or len(doms) != 2:
        raise ValueError(f"dataset {NAME!r}: domains must be a list of exactly 2 of {', '.join(TRANSFORMS)}, got {doms!r}")
    unknown = [d for d in doms if d not in TRANSFORMS]
    if unknown:
        raise ValueError(f"dataset {NAME!r}: unknown domain(s) {unknown}; known: {', '.join(TRANSFORMS)}")
    if doms[0] == doms[1]:
        raise ValueError(f"dataset {NAME!r}: the two domains must differ, got {list(doms)}")
    if isinstance(p["split_seed"], bool) or not isinstance(p["split_seed"], int):
        raise ValueError(f"dataset {NAME!r}: split_seed must be an integer, got {p['split_seed']!r}")
    return {**p, "domains": list(doms)}


def transform(domain: str, images: torch.Tensor) -> torch.Tensor:
    """Apply ``domain``'s transform to ``(N, 1, H, W)`` images in [-1, 1]; the result in [-1, 1]."""
    return TRANSFORMS[domain]((images + 1) / 2) * 2 - 1


def build(images_u8: torch.Tensor, domains: list[str], seed: int) -> torch.Tensor:
    """``(N, 28, 28)`` uint8 digits -> ``(N // 2, 2, 28, 28)`` unpaired samples in [-1, 1]."""
    perm = torch.randperm(images_u8.shape[0], generator=torch.Generator().manual_seed(seed))
    half = images_u8.shape[0] // 2
    x = images_u8[perm].float().div(255).unsqueeze(1)
    a = TRANSFORMS[domains[0]](x[:half])
    b = TRANSFORMS[domains[1]](x[half : 2 * half])
    return (torch.cat([a, b], dim=1) * 2 - 1).contiguous()


def load(req: DatasetRequest) -> Dataset:
    p = check(req.params)
    images, _labels = load_split(req.root, "mnist", "train", req.download)
    data = build(images, p["domains"], int(p["split_seed"])).to(req.device)
    info = {"resolution": 28, "params": p, "root": str(req.root), "extra": {"domain_pair": list(p["domains"])}}
    return Dataset(NAME, "image", data, None, None, info)


def requirements(root: Path, params: Mapping[str, Any]) -> list[Requirement]:
    fix = "run `ganbench data prepare mnist` with internet access"
    return [Requirement(f"mnist file {f.name}", f, f.is_file(), fix) for f in mnist_files(Path(root).expanduser(), "mnist")]


@hookimpl
def ganbench_datasets() -> list[DatasetSpec]:
    description = "two MNIST domains without pairs (digits/edges, digits/negative), CoGAN's tasks; 2x28x28"
    return [DatasetSpec(NAME, "image", load, description=description, defaults=DEFAULTS,
                        files=lambda root: mnist_files(root, "mnist"), check_params=check,
                        requirements=requirements, default_metrics=("pixel-agreement",), version="1", api_version=API_VERSION)]
