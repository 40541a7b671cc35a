"""A metric plugin gets ganbench's feature networks and cached reference statistics from ganbench.api."""

from __future__ import annotations

import numpy as np
import torch

from ganbench.api import MetricContext, feature_extractor, image_features, reference_statistics
from ganbench.metrics.refstats import subset_indices


def test_feature_extractor_and_reference_statistics(stub_mnist, mnist_like, tmp_path):
    ext = feature_extractor(mnist_like, "cpu")
    assert ext.name == "ganbench-mnist-cnn"  # the dataset's own classifier, never Inception
    feats = image_features(ext, mnist_like.data[:10], batch_size=4)
    assert tuple(feats.shape) == (10, 128)
    ctx = MetricContext(mnist_like, mnist_like.data[:10], None, torch.device("cpu"), tmp_path)
    stats = reference_statistics(ctx, ext, n=300, n_features=50)
    rows = image_features(ext, mnist_like.data[subset_indices(len(mnist_like), 300)]).double().numpy()
    np.testing.assert_allclose(stats.mu, rows.mean(axis=0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(stats.sigma, np.cov(rows, rowvar=False), rtol=1e-6, atol=1e-8)
    assert stats.features.shape == (50, 128) and stats.n == 300
    assert list((tmp_path / "refstats").glob("*.npz"))  # cached for the next evaluation
