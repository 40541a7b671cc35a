"""``gauss-mix-1d``: a univariate mixture of Gaussians, f-GAN's synthetic target.

Nowozin et al. 2016 (f-GAN, Sec. 4, Table 3) fit a single Gaussian to a univariate mixture under
several f-divergences and compare with the Gaussian that minimises each divergence exactly. The
paper does not print the mixture's parameters; the defaults here were recovered by inverting the
table's direct-minimisation columns (the five best-fit means and standard deviations and the five
divergence values it reports): the two-component mixture below reproduces all fifteen numbers to
within 0.003 (``tests/data/test_mixture_1d.py`` recomputes them with scipy). Any other mixture is
one ``params`` away.

Training samples are drawn once from ``data_seed`` (``n_samples`` of them, a million by default:
the paper samples p(x) afresh every step, and a million draws make repeats rare at batch 1024).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch

from ganbench.contract import Dataset, DatasetRequest, DatasetSpec
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION
from ganbench.data import check_params

NAME = "gauss-mix-1d"
DEFAULTS: dict[str, Any] = {
    "weights": [0.3322, 0.6678],
    "means": [-0.9928, 2.0054],
    "stds": [0.2565, 1.4143],
    "n_samples": 1_000_000,
    "data_seed": 0,
}
MAX_SAMPLES = 10_000_000
MAX_COMPONENTS = 64


def _numbers(p: dict[str, Any], name: str, positive: bool) -> list[float]:
    v = p[name]
    if not isinstance(v, (list, tuple)) or not v or len(v) > MAX_COMPONENTS:
        raise ValueError(f"dataset {NAME} parameter {name!r} must be a list of 1 to {MAX_COMPONENTS} numbers, got {v!r}")
    out = []
    for x in v:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or (positive and x <= 0):
            kind = "positive finite numbers" if positive else "finite numbers"
            raise ValueError(f"dataset {NAME} parameter {name!r} must hold {kind}, got {x!r}")
        out.append(float(x))
    return out


def check(params: Mapping[str, Any]) -> dict[str, Any]:
    """The suite's params, checked before anything is sampled; weights are normalised."""
    p = check_params(dict(params), DEFAULTS, NAME)
    w = _numbers(p, "weights", True)
    m = _numbers(p, "means", False)
    s = _numbers(p, "stds", True)
    if not len(w) == len(m) == len(s):
        raise ValueError(f"dataset {NAME}: weights, means and stds must have the same length, got {len(w)}, {len(m)}, {len(s)}")
    n = p["n_samples"]
    if isinstance(n, bool) or not isinstance(n, int) or not 0 < n <= MAX_SAMPLES:
        raise ValueError(f"dataset {NAME} parameter 'n_samples' must be an integer in 1..{MAX_SAMPLES:,}, got {n!r}")
    if isinstance(p["data_seed"], bool) or not isinstance(p["data_seed"], int):
        raise ValueError(f"dataset {NAME} parameter 'data_seed' must be an integer, got {p['data_seed']!r}")
    total = sum(w)
    return {**p, "weights": [x / total for x in w], "means": m, "stds": s}


def sample(params: Mapping[str, Any], n: int, seed: int) -> torch.Tensor:
    """``n`` draws of the mixture, shape ``(n, 1)``, float32 (component, then its Gaussian)."""
    g = torch.Generator().manual_seed(int(seed))
    w = torch.tensor(params["weights"], dtype=torch.float64)
    comp = torch.multinomial(w, n, replacement=True, generator=g)
    mu = torch.tensor(params["means"], dtype=torch.float64)[comp]
    sd = torch.tensor(params["stds"], dtype=torch.float64)[comp]
    return (mu + sd * torch.randn(n, generator=g, dtype=torch.float64)).float().unsqueeze(1)


def load(req: DatasetRequest) -> Dataset:
    p = check(req.params)
    data = sample(p, p["n_samples"], p["data_seed"]).to(req.device)
    mixture = {"weights": p["weights"], "means": p["means"], "stds": p["stds"]}
    return Dataset(NAME, "vector", data, info={"modes": len(p["weights"]), "params": p, "extra": {"mixture_1d": mixture}})


@hookimpl
def ganbench_datasets() -> list[DatasetSpec]:
    description = "univariate mixture of Gaussians (f-GAN's synthetic target, Nowozin et al. 2016 Table 3)"
    return [DatasetSpec(NAME, "vector", load, description=description, defaults=DEFAULTS, check_params=check,
                        default_metrics=("gaussian-fit",), version="1", api_version=API_VERSION)]
