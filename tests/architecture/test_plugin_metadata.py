"""Every first-party plugin declares the API it is written against, and its metadata requires a core
release that provides that API (0.2.0 is the first whose version names its API: 1.5)."""

from __future__ import annotations

from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.version import Version

from ganbench.contract.versions import API_VERSION, api_declared

FIRST_CORE_NAMING_ITS_API = Version("0.2.0")


def _pyprojects(repo: Path) -> list[Path]:
    return sorted(p for p in (repo / "plugins").glob("*/pyproject.toml"))


def test_every_plugin_requires_a_core_that_provides_its_api(repo: Path) -> None:
    assert len(_pyprojects(repo)) >= 20
    for p in _pyprojects(repo):
        deps = [Requirement(d) for d in tomllib.loads(p.read_text())["project"]["dependencies"]]
        (core,) = [d for d in deps if d.name == "ganbench"]
        lows = [Version(s.version) for s in core.specifier if s.operator in (">=", "==", "~=")]
        assert lows and max(lows) >= FIRST_CORE_NAMING_ITS_API, f"{p}: {core} may install a core whose API is unknown"


def test_every_first_party_spec_declares_an_api_the_core_provides(registry) -> None:
    have = tuple(int(x) for x in API_VERSION.split("."))
    specs = [*registry.models.values(), *registry.datasets.values(), *registry.metrics.values()]
    first_party = {n for n, o in registry.model_owner.items() if o.first_party}
    assert first_party, "no first-party models found"
    for spec in specs:
        owner = (registry.model_owner.get(spec.name) or registry.dataset_owner.get(spec.name)
                 or registry.metric_owner.get(spec.name))
        if owner is None or not (owner.first_party or owner.distribution is None):
            continue
        if owner.distribution is None:  # built into the core: declared by the core's own modules
            continue
        assert api_declared(spec), f"{spec.name} ({owner.describe()}) declares no api_version"
        want = tuple(int(x) for x in str(spec.api_version).split("."))
        assert want <= have, f"{spec.name} targets {spec.api_version}, the core provides {API_VERSION}"
