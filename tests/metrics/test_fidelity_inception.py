"""Inception-v3 weight resolution and loading, with a random-weight file in the real format."""

from __future__ import annotations

import math
import shutil

import pytest
import torch

from ganbench.api import Dataset, MetricContext
from ganbench.metrics import extractors
from ganbench.metrics.extractors import (
    INCEPTION_FILENAME,
    INCEPTION_SHA256,
    InceptionWeightsInvalid,
    InceptionWeightsMissing,
    load_inception,
    resolve_inception_weights,
)


def test_offline_and_missing_names_file_hash_and_place(torch_home):
    with pytest.raises(InceptionWeightsMissing) as info:
        resolve_inception_weights()
    msg = str(info.value)
    assert INCEPTION_FILENAME in msg and INCEPTION_SHA256 in msg
    assert str(torch_home / "hub" / "checkpoints" / INCEPTION_FILENAME) in msg
    assert "URLError" in msg and "--inception-weights" in msg
    with pytest.raises(InceptionWeightsMissing, match="downloading is disabled"):
        resolve_inception_weights(download=False)


def test_resolution_order(torch_home, random_inception_file, monkeypatch, tmp_path):
    with pytest.raises(InceptionWeightsMissing, match="inception_weights: .*nope.pth does not exist"):
        resolve_inception_weights(tmp_path / "nope.pth")
    monkeypatch.setenv(extractors.ENV_WEIGHTS, str(tmp_path / "missing.pth"))
    with pytest.raises(InceptionWeightsMissing, match="GANBENCH_INCEPTION_WEIGHTS"):
        resolve_inception_weights()
    monkeypatch.setenv(extractors.ENV_WEIGHTS, str(random_inception_file))
    assert resolve_inception_weights() == random_inception_file
    # the machine-local environment (what --inception-weights sets) beats the suite's path
    assert resolve_inception_weights(tmp_path / "suite-path.pth") == random_inception_file
    monkeypatch.delenv(extractors.ENV_WEIGHTS)
    assert resolve_inception_weights(random_inception_file) == random_inception_file
    cache = torch_home / "hub" / "checkpoints"
    cache.mkdir(parents=True)
    shutil.copy(random_inception_file, cache / extractors.PYTORCH_FID_FILENAME)  # pytorch-fid's copy
    assert resolve_inception_weights() == cache / extractors.PYTORCH_FID_FILENAME
    shutil.copy(random_inception_file, cache / INCEPTION_FILENAME)  # torch-fidelity's own name wins
    assert resolve_inception_weights() == cache / INCEPTION_FILENAME


def test_not_a_state_dict_is_rejected(tmp_path):
    bad = tmp_path / INCEPTION_FILENAME
    bad.write_bytes(b"<html>404</html>")
    with pytest.raises(InceptionWeightsInvalid, match="unreadable"):
        load_inception(bad, torch.device("cpu"))
    torch.save({"fc.weight": torch.zeros(3, 3)}, bad)
    with pytest.raises(InceptionWeightsInvalid, match="not a state dict"):
        load_inception(bad, torch.device("cpu"))


def test_loading_preprocessing_and_shapes(random_inception_file):
    ext = load_inception(random_inception_file, torch.device("cpu"))
    assert ext.name == "inception-v3" and ext.channels == 3 and ext.feature_dim == 2048
    assert ext.note and "not the reference" in ext.note  # random weights are flagged
    seen = {}

    def record_input(module, inputs, output) -> None:
        seen.setdefault("x", inputs[0].detach())

    hook = ext.module.Conv2d_1a_3x3.register_forward_hook(record_input)
    try:
        u8 = torch.zeros(2, 3, 32, 32, dtype=torch.uint8)
        u8[:, :, :16] = 255
        feats, logits = ext.extract(u8, batch_size=1)
    finally:
        hook.remove()
    assert feats.shape == (2, 2048) and logits.shape == (2, 1008)
    x = seen["x"]
    assert x.shape[-2:] == (299, 299)  # resized to Inception's input
    assert float(x.min()) == -1.0 and float(x.max()) == pytest.approx(127 / 128)  # uint8 -> (x-128)/128
    assert load_inception(random_inception_file, torch.device("cpu")) is ext  # loaded once per process


@pytest.mark.slow
def test_metric_family_end_to_end_with_inception(random_inception_file, tmp_path, make_images):
    from ganbench.metrics.fidelity import compute_fidelity

    ds = Dataset("tiny-rgb", "image", make_images(8, 1, channels=3, size=16), None, None, {})
    fake = make_images(6, 2, shift=0.1, channels=3, size=16)
    opts = {"inception_weights": str(random_inception_file), "fid_n_real": 8, "prdc_n_real": 8,
            "kid_subset_size": 5, "kid_subsets": 5}
    ctx = MetricContext(ds, fake, None, torch.device("cpu"), tmp_path, opts, final=True)
    out = compute_fidelity(ctx)
    assert set(out) == {"is", "fid", "kid", "precision", "recall", "density", "coverage"}
    assert all(v.extractor == "inception-v3" and v.n_samples == 6 for v in out.values())
    assert out["is"].value >= 1.0 and out["is"].direction == "higher"
    assert math.isfinite(out["fid"].value) and "biased upward: 6 samples ≤ 2048 feature dims" in out["fid"].note
    assert out["fid"].n_real == 8
    assert math.isfinite(out["kid"].value) and out["kid"].direction == "lower"
    assert "not the reference" in out["kid"].note


def test_cli_flag_rejects_missing_file(tiny_suite, tmp_path, capsys):
    from ganbench.cli import main

    code = main(["run", str(tiny_suite), "--out", str(tmp_path / "out"), "--inception-weights", str(tmp_path / "x.pth")])
    assert code == 2
    assert "--inception-weights" in capsys.readouterr().err


def test_cli_flag_sets_the_environment(tmp_path, monkeypatch, random_inception_file):
    import os

    from ganbench.cli import main

    monkeypatch.setenv(extractors.ENV_WEIGHTS, "restored-after-the-test")
    # a missing suite fails fast (exit 2) after the flag has been applied
    code = main(["run", str(tmp_path / "no-suite.yaml"), "--inception-weights", str(random_inception_file)])
    assert code == 2
    assert os.environ[extractors.ENV_WEIGHTS] == str(random_inception_file.resolve())
