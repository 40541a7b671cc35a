"""Plugins are found through real entry points; a broken one is reported and isolated."""

from __future__ import annotations

from ganbench.api import API_VERSION, ModelSpec
from ganbench.hookspecs import hookimpl
from ganbench.plugins import load_registry


def test_first_party_gan_found_through_its_entry_point(registry):
    assert "gan" in registry.models
    owner = registry.model_owner["gan"]
    assert owner.distribution == "ganbench-gan" and owner.version
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

    class Future:
        __name__ = "future"

        @hookimpl
        def ganbench_models(self):
            return [ModelSpec(name="from-the-future", build=lambda ctx: None, api_version=f"{major + 1}.0")]

    reg = load_registry(extra_plugins=[Future()])
    assert "from-the-future" not in reg.models
    assert any("targets plugin API" in p for p in reg.problems)


def test_name_clash_keeps_first_and_reports():
    class Clash:
        __name__ = "clash"

        @hookimpl
        def ganbench_models(self):
            return [ModelSpec(name="gan", build=lambda ctx: None)]

    reg = load_registry(extra_plugins=[Clash()])
    assert reg.model_owner["gan"].distribution == "ganbench-gan"
    assert any("clashes" in p for p in reg.problems)
