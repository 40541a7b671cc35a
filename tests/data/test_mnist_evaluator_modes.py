"""The MNIST evaluator and the (stacked-)MNIST mode metric, against real data.

Acceptance checks of the evaluator: the evaluator reaches >= 99 % test accuracy; real stacked MNIST
scores about 1000 modes with KL near 0; a generator that always emits one digit triple scores
1 mode and KL = log 1000.
"""

from __future__ import annotations

import math
import shutil

import pytest
import torch

from ganbench.api import DatasetRequest, MetricContext
from ganbench.metrics.evaluator import (
    EVALUATOR_NAME,
    EvaluatorCorrupt,
    EvaluatorMissing,
    evaluator_path,
    load_evaluator,
)
from ganbench.metrics.stacked_modes import compute, score_modes

CPU = torch.device("cpu")


def test_evaluator_accuracy_and_identity(evaluator, mnist_root):
    from ganbench.data.mnist import load_split

    assert evaluator.test_accuracy >= 0.99
    assert len(evaluator.sha256) == 64
    # the stored accuracy is the real one (recomputed here on the test split)
    x, y = load_split(mnist_root, "mnist", "test")
    acc = float((evaluator.predict(x.unsqueeze(1).float() / 127.5 - 1) == y).float().mean())
    assert abs(acc - evaluator.test_accuracy) < 1e-6
    assert evaluator.features(x[:5].unsqueeze(1).float() / 127.5 - 1).shape == (5, 128)
    assert evaluator.logits(torch.zeros(2, 1, 32, 32) - 1).shape == (2, 10)  # 32x32: center-cropped
    assert load_evaluator(mnist_root, CPU) is load_evaluator(mnist_root, CPU)  # cached in-process


def test_missing_evaluator_says_how_to_build_it(tmp_path):
    with pytest.raises(EvaluatorMissing) as e:
        load_evaluator(tmp_path, CPU)
    assert isinstance(e.value, FileNotFoundError)
    assert str(evaluator_path(tmp_path)) in str(e.value) and "run `ganbench data prepare mnist`" in str(e.value)


def test_tampered_evaluator_fails_its_hash(evaluator, mnist_root, tmp_path):
    dst = evaluator_path(tmp_path)
    dst.parent.mkdir(parents=True)
    shutil.copy(evaluator_path(mnist_root), dst)
    assert load_evaluator(tmp_path, CPU).sha256 == evaluator.sha256
    ckpt = torch.load(dst, weights_only=True)
    ckpt["state_dict"]["fc2.bias"] += 0.5
    torch.save(ckpt, dst)
    with pytest.raises(EvaluatorCorrupt, match="fails its content hash") as e:
        load_evaluator(tmp_path, CPU)
    assert str(dst) in str(e.value) and "ganbench data prepare mnist" in str(e.value)
    dst.write_bytes(b"not a checkpoint")
    with pytest.raises(EvaluatorCorrupt, match="unreadable"):
        load_evaluator(tmp_path, CPU)


@pytest.fixture(scope="module")
def stacked(registry, mnist_root):
    return registry.dataset("stacked-mnist").load(
        DatasetRequest({"n_samples": 26_000, "data_seed": 1}, mnist_root, CPU)
    )


def test_real_stacked_mnist_covers_all_modes(stacked, evaluator):
    modes, kl, k = score_modes(stacked.data, evaluator)
    assert k == 1000
    assert modes >= 995, modes
    # 26,000 draws from a uniform 1000-way histogram: sampling noise alone gives KL ~ 0.02
    assert kl < 0.06, kl


def test_one_triple_generator_scores_one_mode(stacked, evaluator):
    # pick a sample whose three digits the evaluator gets right, and repeat it
    digits = evaluator.predict(stacked.data[:200].reshape(600, 1, 28, 28)).reshape(200, 3)
    truth = torch.stack([stacked.labels[:200] // 100, stacked.labels[:200] // 10 % 10, stacked.labels[:200] % 10], 1)
    i = int((digits == truth).all(1).nonzero()[0])
    collapsed = stacked.data[i : i + 1].expand(26_000, -1, -1, -1)
    modes, kl, _ = score_modes(collapsed, evaluator)
    assert modes == 1
    assert kl == pytest.approx(math.log(1000))


def test_metric_values_carry_extractor_and_accuracy(stacked, evaluator, registry, mnist_root):
    ctx = MetricContext(dataset=stacked, samples=stacked.data[:2000], labels=None, device=CPU, cache_dir=mnist_root)
    out = compute(ctx)
    assert set(out) == {"modes", "kl"}
    assert out["modes"].direction == "higher" and out["kl"].direction == "lower"
    assert out["modes"].extractor == EVALUATOR_NAME and out["modes"].n_samples == 2000
    assert "out of 1000" in out["modes"].note and f"evaluator acc {100 * evaluator.test_accuracy:.2f}%" in out["kl"].note
    assert 800 < out["modes"].value <= 1000
    spec = registry.metrics["mnist-modes"]
    assert spec.applies_to(stacked)
    mnist = registry.dataset("mnist").load(DatasetRequest({"split": "test"}, mnist_root, CPU))
    assert spec.applies_to(mnist)
    res = compute(MetricContext(dataset=mnist, samples=mnist.data, labels=None, device=CPU, cache_dir=mnist_root))
    assert res["modes"].value == 10 and "out of 10" in res["modes"].note and res["kl"].value < 0.01


def test_label_agreement_scores_conditioning_against_known_answers(registry, evaluator, mnist_root):
    """Real test digits with their own labels agree as often as the evaluator is right; the same
    digits with every label shifted by one agree only where the evaluator errs that way; a model
    without labels gets no agreement row (it has nothing to agree with)."""
    mnist = registry.dataset("mnist").load(DatasetRequest({"split": "test"}, mnist_root, CPU))
    x, y = mnist.data[:3000], mnist.labels[:3000]

    def run(labels):
        return compute(MetricContext(dataset=mnist, samples=x, labels=labels, device=CPU, cache_dir=mnist_root))

    right = run(y)["label_agreement"]
    expected = float((evaluator.predict(x) == y).float().mean())  # the float path, an independent oracle
    assert right.value == pytest.approx(expected, abs=2e-3) and right.value > 0.98
    assert right.direction == "higher" and right.n_samples == 3000 and "chance 0.10" in right.note
    assert run((y + 1) % 10)["label_agreement"].value < 0.02
    assert "label_agreement" not in run(None)
