"""Reference-statistics cache and the `fidelity` metric family on MNIST-family data."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ganbench.api import Dataset, MetricContext
from ganbench.metrics import fidelity
from ganbench.metrics.refstats import cache_path, dataset_hash, reference_stats


def test_dataset_hash_tracks_content(mnist_like):
    h = dataset_hash(mnist_like)
    assert len(h) == 64 and dataset_hash(mnist_like) == h  # cached on the object, not in info
    assert "content_hash" not in mnist_like.info
    other = Dataset("mnist", "image", mnist_like.data.clone(), None, 10, {})
    assert dataset_hash(other) == h  # same bytes, same hash
    changed = Dataset("mnist", "image", mnist_like.data.clone(), None, 10, {})
    changed.data[7, 0, 3, 3] += 0.01
    assert dataset_hash(changed) != h


def test_reference_stats_cached_on_disk(mnist_like, tmp_path):
    calls = []

    def features_of(idx):
        calls.append(len(idx))
        return mnist_like.data[idx].flatten(1)[:, :20] * 3

    first, hit1 = reference_stats(tmp_path, mnist_like, "toy", "w1", 300, 100, features_of)
    second, hit2 = reference_stats(tmp_path, mnist_like, "toy", "w1", 300, 100, features_of)
    assert (hit1, hit2) == (False, True) and calls == [300]
    assert first.mu.dtype == np.float64 and first.sigma.shape == (20, 20) and first.features.shape == (100, 20)
    np.testing.assert_array_equal(first.sigma, second.sigma)
    np.testing.assert_array_equal(first.features, second.features)
    path = cache_path(tmp_path, mnist_like, "toy", "w1", 300, 100)
    with np.load(path, allow_pickle=False) as z:  # plain arrays, no pickles
        assert int(z["n"]) == 300 and str(z["extractor"]) == "toy"
    assert not list(path.parent.glob("*.tmp"))  # atomic write leaves no temporary file
    # another sample count or extractor is another entry
    reference_stats(tmp_path, mnist_like, "toy", "w1", 200, 100, features_of)
    reference_stats(tmp_path, mnist_like, "toy", "w2", 300, 100, features_of)
    assert calls == [300, 200, 300]
    # a corrupt file is recomputed, not trusted
    path.write_bytes(b"garbage")
    again, hit3 = reference_stats(tmp_path, mnist_like, "toy", "w1", 300, 100, features_of)
    assert not hit3 and calls[-1] == 300
    np.testing.assert_allclose(again.mu, first.mu)


def ctx_for(ds, samples, tmp_path, final=True, **opts):
    return MetricContext(ds, samples, None, torch.device("cpu"), tmp_path, opts, final=final)


def test_mnist_family_uses_the_mnist_cnn_and_records_counts(stub_mnist, mnist_like, make_images, tmp_path):
    fake = make_images(250, 7, shift=0.05)
    first = fidelity.Timing()
    out = fidelity.compute_fidelity(ctx_for(mnist_like, fake, tmp_path, fid_n_real=400, prdc_n_real=300,
                                            kid_subset_size=100, kid_subsets=10), first)
    assert set(out) == {"is", "fid", "kid", "precision", "recall", "density", "coverage"}
    for v in out.values():
        assert v.extractor == "ganbench-mnist-cnn" and v.n_samples == 250 and math.isfinite(v.value)
    assert out["fid"].n_real == 400 and out["kid"].n_real == 300 and out["precision"].n_real == 300
    assert out["fid"].direction == "lower" and out["recall"].direction == "higher"
    assert "vs mnist train split (random subset, seed 0)" in out["fid"].note
    assert not first.reference_cached and first.reference_s > 0
    assert not hasattr(fidelity, "last_timing")  # no module-level state
    # real data scored against itself (the very rows of the reference's random feature subset): FID
    # far below that of the shifted samples, precision/recall ~1
    from ganbench.metrics.refstats import subset_indices

    rows = mnist_like.data[subset_indices(len(mnist_like), 400)[:300]]
    second = fidelity.Timing()
    same = fidelity.compute_fidelity(ctx_for(mnist_like, rows, tmp_path, fid_n_real=400,
                                             prdc_n_real=300, kid_subset_size=100, kid_subsets=10), second)
    assert second.reference_cached  # second evaluation reuses the cached statistics
    assert same["fid"].value < out["fid"].value / 5
    assert same["precision"].value == 1.0 and same["coverage"].value > 0.9


def test_intermediate_sample_count_and_switch(stub_mnist, mnist_like, make_images, tmp_path):
    fake = make_images(300, 3)
    opts = dict(fid_n_real=400, prdc_n_real=200, kid_subset_size=50, kid_subsets=5)
    mid = fidelity.compute_fidelity(ctx_for(mnist_like, fake, tmp_path, final=False,
                                            fid_n_samples_intermediate=150, **opts))
    assert mid["fid"].n_samples == 150
    final = fidelity.compute_fidelity(ctx_for(mnist_like, fake, tmp_path, fid_n_samples=1000, **opts))
    assert final["fid"].n_samples == 300 and "only 300 drawn" in final["fid"].note
    assert fidelity.compute_fidelity(ctx_for(mnist_like, fake, tmp_path, final=False,
                                             fidelity_intermediate=False, **opts)) == {}


def test_fid_flagged_biased_when_fewer_samples_than_feature_dims(stub_mnist, mnist_like, make_images, tmp_path):
    out = fidelity.compute_fidelity(ctx_for(mnist_like, make_images(60, 3), tmp_path, fid_n_real=400,
                                            prdc_n_real=100, kid_subset_size=50, kid_subsets=5))
    assert math.isfinite(out["fid"].value) and "biased upward: 60 samples ≤ 128 feature dims" in out["fid"].note
    assert math.isfinite(out["kid"].value)  # the other numbers stay available


def test_bad_samples_are_errors_not_numbers(stub_mnist, mnist_like, tmp_path):
    nan = torch.zeros(50, 1, 28, 28)
    nan[3] = math.nan
    with pytest.raises(fidelity.FidelityInputError, match="NaN"):
        fidelity.compute_fidelity(ctx_for(mnist_like, nan, tmp_path))
    with pytest.raises(fidelity.FidelityInputError, match=r"\[-1, 1\]"):
        fidelity.compute_fidelity(ctx_for(mnist_like, torch.full((50, 1, 28, 28), 3.0), tmp_path))
    with pytest.raises(fidelity.FidelityInputError, match="3 channels, the extractor takes 1"):
        fidelity.compute_fidelity(ctx_for(mnist_like, torch.zeros(50, 3, 28, 28), tmp_path))
    with pytest.raises(ValueError, match="fidelity_extractor"):
        fidelity.compute_fidelity(ctx_for(mnist_like, torch.zeros(50, 1, 28, 28), tmp_path, fidelity_extractor="vgg"))


def test_registered_and_applies_to_image_data_only(registry, mnist_like):
    spec = registry.metrics["fidelity"]
    assert spec.applies_to(mnist_like)
    stacked = Dataset("stacked-mnist", "image", torch.zeros(2, 3, 28, 28), None, 1000, {"evaluator": "mnist"})
    vectors = Dataset("mog", "vector", torch.zeros(2, 2), None, None, {})
    cifar_like = Dataset("cifar10", "image", torch.zeros(2, 3, 32, 32), None, 10, {})
    assert not spec.applies_to(stacked) and not spec.applies_to(vectors) and spec.applies_to(cifar_like)


def test_mnist_extractor_is_registered_with_torch_fidelity(stub_mnist):
    from torch_fidelity.registry import FEATURE_EXTRACTORS_REGISTRY

    from ganbench.metrics.extractors import FeatureExtractorMnistCNN

    cls = FEATURE_EXTRACTORS_REGISTRY["ganbench-mnist-cnn"]
    assert cls is FeatureExtractorMnistCNN
    m = cls("ganbench-mnist-cnn", ["128", "logits"], evaluator=stub_mnist)
    f, logits = m(torch.zeros(5, 1, 28, 28, dtype=torch.uint8))
    assert f.shape == (5, 128) and logits.shape == (5, 10)
    with pytest.raises(ValueError, match="uint8"):
        m(torch.zeros(5, 1, 28, 28))
