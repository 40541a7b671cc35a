"""Every classifier-based metric sees the same images: the fidelity family and the mode counts are
given identical classifier inputs for the same generated samples (uint8-quantised)."""

from __future__ import annotations

import torch

from ganbench.api import Dataset, MetricContext
from ganbench.metrics import evaluator as ev_mod
from ganbench.metrics import fidelity, stacked_modes


def _random_evaluator_root(tmp_path):
    """An untrained evaluator checkpoint in the real format (no MNIST needed)."""
    torch.manual_seed(0)
    state = {k: v.contiguous() for k, v in ev_mod.MnistEvaluator().state_dict().items()}
    path = ev_mod.evaluator_path(tmp_path)
    path.parent.mkdir(parents=True)
    torch.save({"format": ev_mod.FORMAT_VERSION, "name": ev_mod.EVALUATOR_NAME, "state_dict": state,
                "test_accuracy": 0.5, "sha256": ev_mod.weights_hash(state)}, path)
    return tmp_path


def test_fidelity_and_mode_counts_get_identical_inputs(tmp_path, monkeypatch):
    root = _random_evaluator_root(tmp_path / "root")
    g = torch.Generator().manual_seed(1)
    samples = torch.rand(64, 1, 28, 28, generator=g) * 2 - 1  # off the uint8 grid
    real = (torch.randint(0, 256, (200, 1, 28, 28), generator=g).float() / 127.5 - 1)
    ds = Dataset("mnist", "image", real, torch.zeros(200, dtype=torch.long), 10,
                 {"evaluator": "mnist", "digit_channels": 1, "root": str(root), "params": {"split": "train"}})
    model = ev_mod.load_evaluator(root, "cpu")
    seen: list[torch.Tensor] = []
    original = model.features

    def spy(x):
        seen.append(x.detach().clone())
        return original(x)

    monkeypatch.setattr(model, "features", spy)
    opts = {"evaluator_root": str(root), "fid_n_real": 200, "prdc_n_real": 100, "kid_subset_size": 50}
    fidelity.compute_fidelity(MetricContext(ds, samples, None, torch.device("cpu"), tmp_path / "cache", opts, final=True))
    fid_input = seen[0]  # the generated samples come first, the real images after
    seen.clear()
    stacked_modes.compute(MetricContext(ds, samples, None, torch.device("cpu"), tmp_path / "cache", opts, final=True))
    modes_input = torch.cat(seen)
    assert fid_input.shape == modes_input.shape == samples.shape
    assert torch.equal(fid_input, modes_input)
    # and that input is the samples as a uint8 image holds them (independent rounding: numpy)
    import numpy as np

    u8 = np.clip(np.floor((samples.numpy().astype(np.float64) + 1) * 127.5 + 0.5), 0, 255)
    np.testing.assert_allclose(modes_input.numpy(), u8 / 127.5 - 1, atol=1e-6)
