"""Reference statistics of real images, computed once and cached on disk.

Every FID of every run compares against the same real images, so their features (for KID and
precision/recall) and their mean and covariance (for FID) are computed once per dataset content,
extractor (and its weights) and sample count, then read back. The key is a hash of the dataset
tensor itself, not its name, so a changed dataset never meets stale statistics.

Files are plain ``.npz`` (no pickles: loaded with ``allow_pickle=False``; torch-fidelity's own
cache pickles NumPy arrays with ``torch.save``, which a NumPy-1 process cannot read back from a
NumPy-2 one) and written atomically (temporary file + ``os.replace``).

Which real images: a uniformly random subset of the split, drawn from a fixed seed (the same for
every run), in random order, so the first ``n_features`` of them (KID, precision/recall,
density/coverage) are a uniform random subset too. The seed and a SHA-256 of the indices are stored
with the statistics. (Sorting the indices before truncating, as format 1 did, kept the low-index end
of the split, which is biased wherever a split is ordered, e.g. by class.)
"""

from __future__ import annotations

import hashlib
import logging
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ganbench.contract import Dataset
from ganbench.util.atomic import write_atomic

log = logging.getLogger(__name__)

FORMAT = 2
SUBSET_SEED = 0


def dataset_hash(ds: Dataset) -> str:
    """SHA-256 of the dataset tensor's shape, dtype and bytes, cached on the dataset object
    (not in ``ds.info``, which is the provider's)."""
    cached = getattr(ds, "_content_hash", None)
    if isinstance(cached, str):
        return cached
    h = hashlib.sha256(f"{tuple(ds.data.shape)}|{ds.data.dtype}".encode())
    data = ds.data.detach()
    step = 4096  # chunks keep the host copy small for GPU-resident datasets
    for i in range(0, data.shape[0], step):
        h.update(data[i : i + step].contiguous().cpu().numpy().tobytes())
    digest = h.hexdigest()
    setattr(ds, "_content_hash", digest)  # noqa: B010 - a private cache, not a Dataset field
    return digest


def subset_indices(n_total: int, n: int, seed: int = SUBSET_SEED) -> torch.Tensor:
    """The real images used, in random order: a fixed-seed uniform subset of ``min(n, n_total)``
    rows (the same for every run). Any prefix of it is a uniform random subset as well."""
    g = torch.Generator().manual_seed(seed)
    return torch.randperm(n_total, generator=g)[: min(n, n_total)]


def indices_hash(idx: torch.Tensor) -> str:
    """SHA-256 of the indices as little-endian int64: which real rows were used."""
    return hashlib.sha256(idx.to(torch.int64).numpy().astype("<i8").tobytes()).hexdigest()


@dataclass
class RefStats:
    mu: np.ndarray
    """float64 mean of the features of ``n`` real images."""
    sigma: np.ndarray
    """float64 covariance (``np.cov``, unbiased) of the same."""
    features: np.ndarray
    """float32 features of the first ``n_features`` of those images (KID, precision/recall)."""
    n: int
    extractor: str
    subset_seed: int = SUBSET_SEED
    """Seed of the random subset of real rows (:func:`subset_indices`)."""
    subset_sha256: str = ""
    """SHA-256 of those row indices (:func:`indices_hash`), recorded with the statistics."""

    @property
    def n_features(self) -> int:
        return int(self.features.shape[0])


def save_npz_atomic(path: Path, **arrays: np.ndarray) -> None:
    """``np.savez`` written atomically (see :mod:`ganbench.util.atomic`)."""
    write_atomic(path, lambda fh: np.savez(fh, **arrays), mode=0o644)  # a shared data root: readable by its other users


def cache_path(cache_dir: Path, ds: Dataset, extractor: str, weights_id: str, n: int, n_features: int) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in ds.name)
    return Path(cache_dir) / "refstats" / f"{safe}-{dataset_hash(ds)[:16]}-{extractor}-{weights_id[:12]}-n{n}-f{n_features}.npz"


def _load(path: Path, ds: Dataset, extractor: str, n: int, n_features: int) -> RefStats | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            meta_ok = (
                int(z["format"]) == FORMAT
                and str(z["dataset_hash"]) == dataset_hash(ds)
                and str(z["extractor"]) == extractor
                and int(z["n"]) == n
                and int(z["subset_seed"]) == SUBSET_SEED
                and str(z["subset_sha256"]) == indices_hash(subset_indices(len(ds), n))
            )
            stats = RefStats(z["mu"], z["sigma"], z["features"], int(z["n"]), str(z["extractor"]),
                             int(z["subset_seed"]), str(z["subset_sha256"]))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        log.warning("reference statistics %s unreadable (%s); recomputing", path, exc)
        return None
    d = stats.mu.shape[0] if stats.mu.ndim == 1 else -1
    if not meta_ok or stats.sigma.shape != (d, d) or stats.features.shape != (min(n, n_features), d):
        log.warning("reference statistics %s do not match their key; recomputing", path)
        return None
    return stats


def reference_stats(
    cache_dir: Path,
    ds: Dataset,
    extractor: str,
    weights_id: str,
    n: int,
    n_features: int,
    features_of: Callable[[torch.Tensor], torch.Tensor],
) -> tuple[RefStats, bool]:
    """The reference statistics of ``n`` real images of ``ds``, from the cache or computed.

    ``features_of(indices)`` returns the extractor's features of those dataset rows. Returns the
    statistics and whether they came from the cache.
    """
    from torch_fidelity.metric_fid import fid_features_to_statistics

    n = min(n, len(ds))
    n_features = min(n_features, n)
    path = cache_path(cache_dir, ds, extractor, weights_id, n, n_features)
    if path.is_file():
        stats = _load(path, ds, extractor, n, n_features)
        if stats is not None:
            return stats, True
    t0 = time.perf_counter()
    idx = subset_indices(len(ds), n)
    feats = features_of(idx).detach().cpu()
    # float64 before the moments: torch-fidelity keeps the mean in the features' dtype.
    st = fid_features_to_statistics(feats.double())
    stats = RefStats(
        np.asarray(st["mu"], np.float64), np.asarray(st["sigma"], np.float64),
        feats[:n_features].float().numpy(), n, extractor, SUBSET_SEED, indices_hash(idx),
    )
    save_npz_atomic(
        path, mu=stats.mu, sigma=stats.sigma, features=stats.features, n=np.int64(n),
        extractor=np.str_(extractor), dataset_hash=np.str_(dataset_hash(ds)), format=np.int64(FORMAT),
        subset_seed=np.int64(SUBSET_SEED), subset_sha256=np.str_(stats.subset_sha256),
    )
    log.info("reference statistics of %s (%s, n=%d) computed in %.1f s -> %s", ds.name, extractor, n,
             time.perf_counter() - t0, path)
    return stats, False
