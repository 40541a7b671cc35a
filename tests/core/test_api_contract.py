"""Everything a plugin needs is importable from ``ganbench.api``, typed, and works outside the harness."""

from __future__ import annotations

import pytest
import torch

import ganbench.api as api
from ganbench.api import BuildContext, Dataset, DatasetInfo, ModelSpec, ReplicaGroup, hookimpl
from ganbench.plugins import load_registry


def test_every_public_name_is_importable():
    missing = [name for name in api.__all__ if not hasattr(api, name)]
    assert not missing
    for name in ("hookimpl", "check_params", "default_root", "DatasetInfo", "ReplicaGroup",
                 "feature_extractor", "image_features", "reference_statistics"):
        assert name in api.__all__, name


def test_api_hookimpl_is_recognised_by_discovery():
    class OnlyApi:
        __name__ = "only-api"

        @hookimpl
        def ganbench_models(self):
            return [ModelSpec(name="from-api-only", build=lambda ctx: None)]

    assert "from-api-only" in load_registry(extra_plugins=[OnlyApi()]).models


def test_data_helpers(monkeypatch, tmp_path):
    monkeypatch.setenv("GANBENCH_DATA", str(tmp_path))
    assert api.default_root() == tmp_path
    assert api.check_params({"n": 3}, {"n": 1, "std": 0.1}, "mine") == {"n": 3, "std": 0.1}
    with pytest.raises(ValueError, match="unknown parameter.*nn.*dataset 'mine'"):
        api.check_params({"nn": 3}, {"n": 1}, "mine")


def test_build_context_for_tests_defaults_and_overrides():
    ctx = BuildContext.for_tests()
    assert (ctx.data_shape, ctx.data_kind, ctx.pack, ctx.num_classes, ctx.device.type, ctx.seed) == (
        (2,), "vector", 1, None, "cpu", 0)
    img = BuildContext.for_tests((3, 32, 32), num_classes=10, pack=2, hparams={"lr": 1e-3})
    assert img.data_kind == "image" and img.d_input_shape == (6, 32, 32) and img.hp("lr", 0) == 1e-3
    with pytest.raises(ValueError, match="data_kind 'audio'"):
        BuildContext.for_tests(data_kind="audio")


def test_a_first_party_model_trains_outside_the_harness(registry):
    """The documented path for a plugin's own unit tests: build from ``for_tests`` and step by hand."""
    ctx = BuildContext.for_tests((2,), pack=2, batch_size=16)
    model = registry.models["gan"].build(ctx)
    real = torch.randn(ctx.batch_size * ctx.pack, *ctx.data_shape)
    losses = model.train_step(real, None)
    assert losses and all(torch.isfinite(torch.as_tensor(float(v))) for v in losses.values())
    assert tuple(model.sample(5).shape) == (5, 2)


def test_gan_replicas_satisfy_the_replica_protocol(registry):
    spec = registry.models["gan"]
    models = [spec.build(BuildContext.for_tests(seed=s, batch_size=8)) for s in (0, 1)]
    group = spec.build_replicas(models)
    assert isinstance(group, ReplicaGroup)
    out = group.train_step(torch.randn(2, 8, 2), None)
    assert len(out) == 2 and len(group.unstack()) == 2


def test_dataset_info_is_typed_and_reads_like_the_old_dict():
    centres = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    ds = Dataset("two", "vector", torch.zeros(4, 2), info={"centers": centres, "std": 0.05, "moon": 1})
    info = ds.info
    assert isinstance(info, DatasetInfo) and info.std == 0.05 and info.extra == {"moon": 1}
    assert info["centers"] is centres and info["moon"] == 1 and "std" in info
    assert "evaluator" not in info and info.get("evaluator") is None  # unset fields are absent
    with pytest.raises(KeyError):
        info["evaluator"]
    with pytest.raises(TypeError):
        info["std"] = 1.0  # read-only: the harness keeps its own state elsewhere
    typed = Dataset("m", "image", torch.zeros(1, 1, 2, 2), info=DatasetInfo(evaluator="mnist", classes=("a", "b")))
    assert typed.info["evaluator"] == "mnist" and typed.info.classes == ("a", "b")
    assert Dataset("e", "vector", torch.zeros(1, 2)).info.get("centers") is None
