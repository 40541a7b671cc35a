"""Plugins are found through real entry points; a broken one is reported and isolated."""

from __future__ import annotations

from ganbench.api import API_VERSION, ModelSpec
from ganbench.contract.hookspecs import hookimpl
from ganbench.plugins import load_registry


def test_first_party_gan_found_through_its_entry_point(registry):
    assert "gan" in registry.models
    owner = registry.model_owner["gan"]
    assert owner.distribution == "ganbench-zoo-gan" and owner.version
    assert registry.models["gan"].capabilities.packing


def test_entry_point_from_dist_info_and_broken_import(plugin_site):
    reg = load_registry()
    assert {"tiny-ok", "tiny-nan", "gan"} <= set(reg.models)
    assert reg.model_owner["tiny-ok"].distribution == "ganbench-test-tiny"
    assert reg.model_owner["tiny-ok"].version == "9.9"
    broken = [p for p in reg.plugins if p.broken]
    assert [p.name for p in broken] == ["broken"]
    assert "ModuleNotFoundError" in broken[0].error and "a_module_that_does_not_exist" in broken[0].error


def test_raising_hook_breaks_only_its_plugin():
    class Raising:
        __name__ = "raising"

        @hookimpl
        def ganbench_models(self):
            raise RuntimeError("boom")

    reg = load_registry(extra_plugins=[Raising()])
    assert "gan" in reg.models
    assert any("raising" in p and "boom" in p for p in reg.problems)


def test_api_major_mismatch_is_refused_with_a_message():
    major = int(API_VERSION.split(".")[0])

    future = ModelSpec(name="from-the-future", build=lambda ctx: None, api_version=f"{major + 1}.0")
    reg = load_registry(extra_plugins=[_plugin("future", "ganbench_models", [future])])
    assert "from-the-future" not in reg.models
    assert any("targets plugin API" in p for p in reg.problems)


def test_name_clash_keeps_first_and_reports():
    reg = load_registry(extra_plugins=[_plugin("clash", "ganbench_models", [_model("gan")])])
    assert reg.model_owner["gan"].distribution == "ganbench-zoo-gan"
    assert any("clashes" in p for p in reg.problems)


# --- every hook's return is validated: a bad one breaks its own plugin, with a message naming it ---

import pytest  # noqa: E402

from ganbench.api import DatasetSpec, MetricSpec, MetricValue  # noqa: E402
from tests.core.conftest import write_dist  # noqa: E402


def _plugin(name: str, hook: str, returns):
    """A plugin object whose ``hook`` returns ``returns`` (called lazily, so a spec may be built late)."""
    def impl(self):
        return returns() if callable(returns) else returns

    impl.__name__ = hook
    return type(name, (), {"__name__": name, hook: hookimpl(impl)})()


def _dataset(name: str, **kw) -> DatasetSpec:
    return DatasetSpec(name=name, kind="vector", load=lambda req: None, **kw)


def _metric(name: str, **kw) -> MetricSpec:
    return MetricSpec(name=name, compute=lambda ctx: {"x": MetricValue(0.0)}, **kw)


def _model(name: str) -> ModelSpec:
    return ModelSpec(name=name, build=lambda ctx: None)


def _broken(reg, name):
    [info] = [p for p in reg.plugins if p.name == name]
    assert info.broken, f"{name} should be broken; problems: {reg.problems}"
    return info.error


@pytest.mark.parametrize("hook, returns, expect", [
    ("ganbench_models", 42, "returned int 42, not a list of ModelSpec"),
    ("ganbench_models", "gan", "returned str 'gan', not a list of ModelSpec"),
    ("ganbench_models", lambda: _model("single"), "one spec: wrap it in a list"),
    ("ganbench_models", lambda: [_model("ok-one"), _dataset("wrong")], "a DatasetSpec"),
    ("ganbench_datasets", 42, "returned int 42, not a list of DatasetSpec"),
    ("ganbench_datasets", "mog", "returned str 'mog', not a list of DatasetSpec"),
    ("ganbench_datasets", lambda: _dataset("single-ds"), "one spec: wrap it in a list"),
    ("ganbench_datasets", lambda: [_model("not-a-dataset")], "a ModelSpec"),
    ("ganbench_metrics", 42, "returned int 42, not a list of MetricSpec"),
    ("ganbench_metrics", "fid", "returned str 'fid', not a list of MetricSpec"),
    ("ganbench_metrics", lambda: _metric("single-metric"), "one spec: wrap it in a list"),
    ("ganbench_metrics", lambda: [{"name": "dict-metric"}], "a dict"),
])
def test_malformed_hook_return_breaks_only_that_plugin(hook, returns, expect):
    reg = load_registry(extra_plugins=[_plugin("badhook", hook, returns)])
    error = _broken(reg, "badhook")
    assert expect in error and hook in error
    assert any(p.startswith("plugin 'badhook':") for p in reg.problems)
    # the healthy plugins are untouched
    assert {"gan", "dcgan"} <= set(reg.models) and "mog-ring8" in reg.datasets and "mog-modes" in reg.metrics
    assert [p.name for p in reg.plugins if p.broken] == ["badhook"]


def test_well_typed_specs_of_a_partly_wrong_list_are_kept():
    reg = load_registry(extra_plugins=[_plugin("half", "ganbench_models", lambda: [_model("ok-one"), 7])])
    assert "ok-one" in reg.models and "int" in _broken(reg, "half")


def test_system_exit_in_a_hook_is_contained():
    def leave():
        raise SystemExit(3)

    reg = load_registry(extra_plugins=[_plugin("quitter", "ganbench_datasets", leave)])
    assert "SystemExit(3)" in _broken(reg, "quitter") and "mog-ring8" in reg.datasets


def test_system_exit_at_import_is_contained(tmp_path, monkeypatch):
    site = tmp_path / "site"
    mod = tmp_path / "exiting_plugin.py"
    mod.write_text("import sys\nsys.exit('no thanks')\n")
    write_dist(site, "ganbench-test-exit", "1.0", {"exiting": "exiting_plugin"}, [mod])
    monkeypatch.syspath_prepend(str(site))
    reg = load_registry()  # must not raise SystemExit
    error = _broken(reg, "exiting")
    assert "SystemExit('no thanks')" in error and "sys.exit" in error
    assert "gan" in reg.models


@pytest.mark.parametrize("hook, make, builtin", [
    ("ganbench_datasets", _dataset, "mog-ring8"),
    ("ganbench_metrics", _metric, "mog-modes"),
])
def test_clashing_dataset_or_metric_name_breaks_the_newcomer(hook, make, builtin):
    original = (load_registry().datasets if hook == "ganbench_datasets" else load_registry().metrics)[builtin]
    reg = load_registry(extra_plugins=[_plugin("clasher", hook, lambda: [make(builtin)])])
    kept = reg.datasets if hook == "ganbench_datasets" else reg.metrics
    assert kept[builtin].load if hook == "ganbench_datasets" else kept[builtin].compute
    assert kept[builtin].description == original.description  # the core's provider kept
    error = _broken(reg, "clasher")
    assert f"name {builtin!r} clashes with plugin" in error


@pytest.mark.parametrize("hook, make", [("ganbench_datasets", _dataset), ("ganbench_metrics", _metric)])
def test_dataset_and_metric_specs_are_versioned_like_models(hook, make):
    major = int(API_VERSION.split(".")[0])
    reg = load_registry(extra_plugins=[
        _plugin("future", hook, lambda: [make("from-the-future", version="2.1", api_version=f"{major + 1}.0")]),
        _plugin("current", hook, lambda: [make("of-today", version="2.1")]),
    ])
    kept = reg.datasets if hook == "ganbench_datasets" else reg.metrics
    assert "from-the-future" not in kept and "targets plugin API" in _broken(reg, "future")
    assert kept["of-today"].version == "2.1"
