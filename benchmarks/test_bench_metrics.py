"""Speed of the image-quality metrics (pytest-benchmark; not part of the CI test run).

    python -m pytest benchmarks/test_bench_metrics.py --benchmark-only

* feature extraction throughput (images/s) of Inception-v3 (random weights of the real
  architecture: throughput does not depend on the weights) and of the MNIST CNN;
* FID from 2048-d statistics (the eigen-decomposition of a 2048 x 2048 product) and the float64
  moments of 10,000 x 2048 features.

Runs on CUDA when present (``GANBENCH_BENCH_DEVICE`` overrides).
"""

from __future__ import annotations

import os

import pytest
import torch

DEVICE = torch.device(os.environ.get("GANBENCH_BENCH_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu"))
ON_GPU = DEVICE.type == "cuda"


def _sync() -> None:
    if ON_GPU:
        torch.cuda.synchronize()


@pytest.fixture(scope="module")
def inception(tmp_path_factory):
    from ganbench.metrics.extractors import INCEPTION_FILENAME, load_inception, random_inception_weights

    path = random_inception_weights(tmp_path_factory.mktemp("inc") / INCEPTION_FILENAME)
    return load_inception(path, DEVICE)


def test_bench_inception_extraction(benchmark, inception):
    n = 1000 if ON_GPU else 32
    images = torch.randint(0, 256, (n, 3, 32, 32), dtype=torch.uint8, device=DEVICE)
    inception.extract(images[:8], batch_size=8)  # warm-up

    def run():
        out = inception.extract(images, batch_size=250 if ON_GPU else 32)
        _sync()
        return out

    feats, logits = benchmark.pedantic(run, rounds=3, iterations=1)
    assert feats.shape == (n, 2048) and logits.shape == (n, 1008)
    benchmark.extra_info.update(device=str(DEVICE), images=n, images_per_s=n / benchmark.stats.stats.mean)


def test_bench_mnist_cnn_extraction(benchmark):
    evaluator = pytest.importorskip("ganbench.metrics.evaluator")
    from ganbench.metrics.extractors import MNIST_NAME, Extractor, FeatureExtractorMnistCNN

    module = FeatureExtractorMnistCNN(MNIST_NAME, ["128", "logits"], evaluator=evaluator.MnistEvaluator().to(DEVICE))
    ext = Extractor(MNIST_NAME, module, "128", "logits", 1, "random")
    n = 10_000
    images = torch.randint(0, 256, (n, 1, 28, 28), dtype=torch.uint8, device=DEVICE)

    def run():
        out = ext.extract(images, batch_size=2048)
        _sync()
        return out

    feats, logits = benchmark.pedantic(run, rounds=3, iterations=1)
    assert feats.shape == (n, 128) and logits.shape == (n, 10)
    benchmark.extra_info.update(device=str(DEVICE), images=n, images_per_s=n / benchmark.stats.stats.mean)


@pytest.fixture(scope="module")
def stats_2048():
    from ganbench.metrics.fidelity import feature_stats

    g = torch.Generator().manual_seed(0)
    a = torch.randn(5000, 2048, generator=g)
    b = torch.randn(5000, 2048, generator=g) * 1.1 + 0.1
    return (*feature_stats(a), *feature_stats(b))


def test_bench_fid_2048(benchmark, stats_2048):
    from ganbench.metrics.fidelity import fid_from_stats

    fid = benchmark.pedantic(fid_from_stats, args=stats_2048, rounds=3, iterations=1)
    assert fid > 0
    benchmark.extra_info.update(feature_dim=2048)


def test_bench_feature_moments_10k_2048(benchmark):
    from ganbench.metrics.fidelity import feature_stats

    feats = torch.randn(10_000, 2048, generator=torch.Generator().manual_seed(1))
    mu, sigma = benchmark.pedantic(feature_stats, args=(feats,), rounds=3, iterations=1)
    assert sigma.shape == (2048, 2048)
