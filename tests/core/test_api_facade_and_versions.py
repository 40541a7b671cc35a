"""The public facade and the contract's versioning: ``ganbench.api`` re-exports the contract (the
same objects ganbench's own modules use) and the FID helpers built-in metrics use; an undeclared
``api_version`` reads as 1.0 and loads; a newer one is refused at discovery with one line naming
the plugin, both versions and "upgrade ganbench"; sinks are discovered by the one registry, where
a raising sink plugin breaks only itself."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ganbench.api as api
import ganbench.contract as contract
from ganbench.api import API_VERSION, DatasetSpec, MetricSpec, ModelSpec, SinkSpec, hookimpl
from ganbench.plugins import load_registry

MAJOR, MINOR = (int(x) for x in API_VERSION.split("."))

BEFORE_THE_SPLIT = (  # every public name ganbench.api exported before the contract moved to ganbench.contract
    "API_VERSION BuildContext Capabilities DATA_KINDS Dataset DatasetInfo DatasetRequest DatasetSpec EMA Encoding "
    "GANModel LatentCode MetricContext MetricSpec MetricValue ModelSpec ReplicaGroup Requirement Sink SinkContext "
    "SinkEvent SinkSpec StructuredCodes TrainingBudget TrainingProgress TranslationBatch TranslationDataset "
    "TranslationEval TranslationModel api_compatible can_encode check_params default_root feature_extractor "
    "has_codes hookimpl image_features lr_factor pack pack_labels reference_statistics set_lr"
).split()


def test_the_facade_keeps_every_name_and_reexports_the_contract_objects():
    assert not [n for n in BEFORE_THE_SPLIT if not hasattr(api, n)]
    assert not [n for n in api.__all__ if not hasattr(api, n)]
    for name in contract.__all__:
        if hasattr(api, name):
            assert getattr(api, name) is getattr(contract, name), name
    from ganbench.hookspecs import hookimpl as compat  # the API-1.0 spelling still works

    assert compat is api.hookimpl is contract.hookimpl


def _plugin(name: str, hook: str, specs):
    class P:
        __name__ = name

    def impl(self):
        return specs()

    impl.__name__ = hook
    setattr(P, hook, hookimpl(impl))
    return P()


def _model(name: str, **kw) -> ModelSpec:
    return ModelSpec(name=name, build=lambda ctx: None, **kw)


def test_an_undeclared_api_version_reads_as_1_0_and_loads():
    spec = _model("undeclared")
    assert spec.api_version == "1.0" and not contract.api_declared(spec)
    assert contract.api_declared(_model("declared", api_version="1.0"))
    for undeclared in (DatasetSpec("d", "vector", load=lambda req: None), MetricSpec("m", compute=lambda ctx: {}),
                       SinkSpec("s", open=lambda ctx: None)):
        assert undeclared.api_version == "1.0" and not contract.api_declared(undeclared)
    reg = load_registry([_plugin("old-plugin", "ganbench_models", lambda: [spec])])
    assert "undeclared" in reg.models and not reg.problems


@pytest.mark.parametrize("version", [f"{MAJOR}.{MINOR + 5}", f"{MAJOR + 1}.0"])
def test_a_newer_api_version_is_refused_with_upgrade_ganbench(version):
    reg = load_registry([_plugin("needs-newer", "ganbench_models", lambda: [_model("future", api_version=version)])])
    assert "future" not in reg.models
    lines = [p for p in reg.problems if "needs-newer" in p]
    assert len(lines) == 1 and "\n" not in lines[0]
    line = lines[0]
    assert f"targets plugin API {version}" in line and f"provides {API_VERSION}" in line and "upgrade ganbench" in line
    assert "'future'" in line and "needs-newer" in line


def test_an_older_minor_of_the_same_major_loads():
    reg = load_registry([_plugin("older", "ganbench_models", lambda: [_model("old-minor", api_version=f"{MAJOR}.0")])])
    assert "old-minor" in reg.models and not reg.problems


def test_a_raising_sink_plugin_breaks_only_itself():
    good = _plugin("good-sinks", "ganbench_sinks", lambda: [SinkSpec("good", open=lambda ctx: None)])
    raising = _plugin("raising-sinks", "ganbench_sinks", lambda: (_ for _ in ()).throw(RuntimeError("tracker down")))
    wrong = _plugin("wrong-sinks", "ganbench_sinks", lambda: "tensorboard")
    reg = load_registry([good, raising, wrong])
    assert {"tensorboard", "good"} <= set(reg.sinks)
    broken = {p.name: p.error for p in reg.plugins if p.broken}
    assert set(broken) == {"raising-sinks", "wrong-sinks"}
    assert "ganbench_sinks raised RuntimeError: tracker down" in broken["raising-sinks"]
    assert "not a list of SinkSpec" in broken["wrong-sinks"]
    assert len(reg.sink_problems) == 2 and all("\n" not in p for p in reg.sink_problems)


def _gaussian_moments(rng: np.random.Generator, d: int) -> tuple[np.ndarray, np.ndarray]:
    a = rng.standard_normal((d, d))
    return rng.standard_normal(d), a @ a.T / d + 0.5 * np.eye(d)


def test_frechet_distance_matches_scipy_sqrtm():
    scipy_linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(0)
    (mu1, s1), (mu2, s2) = _gaussian_moments(rng, 6), _gaussian_moments(rng, 6)
    covmean = scipy_linalg.sqrtm(s1 @ s2).real
    expected = float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))
    assert api.frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-9)
    assert api.frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-9)


def test_fid_from_features_against_scipy_on_known_gaussians():
    scipy_linalg = pytest.importorskip("scipy.linalg")
    g = torch.Generator().manual_seed(0)
    d, n = 4, 20_000
    a = torch.randn(n, d, generator=g, dtype=torch.float64)
    b = torch.randn(n, d, generator=g, dtype=torch.float64) * 2.0 + 1.0
    # known answer of N(0, I) vs N(1, 4I): ||1||² + tr(I + 4I - 2·2I) = d + d = 2d
    fid = api.fid_from_features(a, b)
    assert fid == pytest.approx(2 * d, rel=0.05)
    an, bn = a.numpy(), b.numpy()
    s1, s2 = np.cov(an, rowvar=False), np.cov(bn, rowvar=False)
    covmean = scipy_linalg.sqrtm(s1 @ s2).real
    expected = float(((an.mean(0) - bn.mean(0)) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))
    assert fid == pytest.approx(expected, rel=1e-6)


def test_the_kit_fails_a_spec_that_does_not_declare_its_api_version():
    from ganbench.testing import check_model

    undeclared = load_registry().models["gan"]
    import dataclasses

    undeclared = dataclasses.replace(undeclared, api_version=contract.UNDECLARED_API_VERSION)
    failures = check_model(undeclared, checks=["spec"], raise_on_failure=False).failures
    assert "declares no api_version" in failures["spec"]
    declared = dataclasses.replace(undeclared, api_version="1.0")  # an API-1.0 plugin of the old guide passes
    assert "spec" not in check_model(declared, checks=["spec"], raise_on_failure=False).failures
