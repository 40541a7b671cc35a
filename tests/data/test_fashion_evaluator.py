"""Fashion-MNIST is scored by its own classifier, never by the digit classifier."""

from __future__ import annotations

import pytest
import torch

from ganbench.api import Dataset
from ganbench.metrics import extractors, fidelity
from ganbench.metrics.evaluator import EVALUATORS, EvaluatorUnavailable, spec_for

CPU = torch.device("cpu")


def _ds(name: str, tag: str | None) -> Dataset:
    return Dataset(name, "image", torch.zeros(4, 1, 28, 28), None, 10, {"evaluator": tag} if tag else {})


@pytest.fixture
def loaded(monkeypatch) -> list[str]:
    """Which dataset's evaluator the fidelity family asked for (nothing is really loaded)."""
    calls: list[str] = []

    def load(root, device, dataset="mnist"):
        calls.append(dataset)
        return "extractor"

    monkeypatch.setattr(extractors, "load_mnist_extractor", load)
    return calls


def test_each_dataset_gets_its_own_classifier(loaded, tmp_path):
    assert spec_for("fashion-mnist").name == "ganbench-fashion-mnist-cnn" != spec_for("mnist").name
    for name in ("mnist", "fashion-mnist"):
        fidelity.choose_extractor(_ds(name, name), CPU, {"evaluator_root": str(tmp_path)})
    assert loaded == ["mnist", "fashion-mnist"]


def test_the_fashion_provider_is_tagged_fashion(registry, fashion_root):
    from ganbench.api import DatasetRequest

    ds = registry.dataset("fashion-mnist").load(DatasetRequest({"split": "test"}, fashion_root, CPU))
    assert ds.info["evaluator"] == "fashion-mnist"


def test_another_datasets_classifier_is_refused(loaded, tmp_path):
    opts = {"evaluator_root": str(tmp_path), "fidelity_extractor": "ganbench-mnist-cnn"}
    with pytest.raises(EvaluatorUnavailable, match="never score one dataset with another's classifier"):
        fidelity.choose_extractor(_ds("fashion-mnist", "fashion-mnist"), CPU, opts)
    with pytest.raises(EvaluatorUnavailable, match="no ganbench evaluator is trained on 'celeba'"):
        fidelity.choose_extractor(_ds("celeba", "celeba"), CPU, {"evaluator_root": str(tmp_path)})
    assert loaded == []
    assert set(EVALUATORS) == {"mnist", "fashion-mnist"}


def test_fashion_evaluator_reaches_90_percent(fashion_evaluator, fashion_root):
    """Accuracy on the 10,000 test images, measured here (through the same uint8 input path the
    metrics use), not read from the checkpoint."""
    from ganbench.data.mnist import load_split
    from ganbench.metrics.preprocess import quantise

    x, y = load_split(fashion_root, "fashion-mnist", "test", download_ok=False)
    images = quantise(x.unsqueeze(1).float().div(127.5).sub(1))
    acc = float((fashion_evaluator.predict_uint8(images) == y).double().mean())
    assert acc >= 0.90, acc
    assert fashion_evaluator.test_accuracy == pytest.approx(acc, abs=1e-4)
