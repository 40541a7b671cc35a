"""The real images behind KID / precision / recall / density / coverage are a uniform random subset
of the split, whatever order the split is stored in."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import stats

from ganbench.api import Dataset
from ganbench.metrics import refstats

N_CLASSES, PER_CLASS = 10, 200


def _sorted_split() -> Dataset:
    """A split stored sorted by class (class 0 first), the worst case for a low-index subset."""
    labels = torch.arange(N_CLASSES).repeat_interleave(PER_CLASS)
    data = labels.float().view(-1, 1, 1, 1).expand(-1, 1, 2, 2).contiguous()
    return Dataset("sorted-split", "image", data, labels, N_CLASSES, {"params": {"split": "train"}})


def _one_hot_features(ds: Dataset):
    def features_of(idx: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.one_hot(ds.labels[idx], N_CLASSES).double() + 1e-3 * torch.randn(len(idx), N_CLASSES, dtype=torch.float64)

    return features_of


@pytest.mark.parametrize("n", [N_CLASSES * PER_CLASS, 1200])  # the whole split, and a subset of it
def test_feature_subset_has_the_splits_class_histogram(tmp_path, n):
    ds = _sorted_split()
    st, cached = refstats.reference_stats(tmp_path, ds, "onehot", "w", n, 300, _one_hot_features(ds))
    assert not cached and st.n_features == 300
    observed = np.bincount(st.features.argmax(1), minlength=N_CLASSES)
    expected = np.full(N_CLASSES, 300 / N_CLASSES)  # the split's histogram (uniform), scaled
    p = stats.chisquare(observed, expected).pvalue
    assert p > 0.01, (observed, p)


def test_subset_seed_and_indices_are_recorded(tmp_path):
    ds = _sorted_split()
    st, _ = refstats.reference_stats(tmp_path, ds, "onehot", "w", 1200, 300, _one_hot_features(ds))
    path = refstats.cache_path(tmp_path, ds, "onehot", "w", 1200, 300)
    with np.load(path, allow_pickle=False) as z:
        assert int(z["subset_seed"]) == refstats.SUBSET_SEED == st.subset_seed
        recorded = str(z["subset_sha256"])
    idx = refstats.subset_indices(len(ds), 1200)
    assert len(set(idx.tolist())) == 1200 and recorded == st.subset_sha256 == refstats.indices_hash(idx)
    # the stored features are the features of the first 300 of those indices, in that order
    assert np.array_equal(st.features.argmax(1), ds.labels[idx[:300]].numpy())
    again, cached = refstats.reference_stats(tmp_path, ds, "onehot", "w", 1200, 300, _one_hot_features(ds))
    assert cached and again.subset_sha256 == recorded
