"""torch and torchvision: a range in the package metadata (so plugins installed beside ganbench are not
forced onto one build), the exact tested builds in constraints.txt, which CI and the README install with."""

from __future__ import annotations

import tomllib
from packaging.requirements import Requirement
from packaging.version import Version


def _pins(repo):
    pins = {}
    for line in (repo / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"constraints.txt: {line} is not an exact pin"
            pins[req.name] = Version(spec.version)
    return pins


def test_torch_is_a_range_that_admits_the_constrained_builds(repo):
    deps = {Requirement(d).name: Requirement(d) for d in
            tomllib.loads((repo / "pyproject.toml").read_text())["project"]["dependencies"]}
    pins = _pins(repo)
    assert set(pins) >= {"torch", "torchvision"}
    for name in ("torch", "torchvision"):
        spec = deps[name].specifier
        assert not any(s.operator == "==" for s in spec), f"{name} is pinned exactly in pyproject.toml"
        assert pins[name] in spec, f"constraints.txt's {name} {pins[name]} is outside pyproject's {spec}"
        assert Version(f"{pins[name].major}.{pins[name].minor + 1}") not in spec  # untested minors stay out


def test_ci_and_the_readme_install_with_the_constraints(repo):
    readme = (repo / "README.md").read_text()
    ci = (repo / ".ci" / "run").read_text()
    installs = [line for line in readme.splitlines() if "pip install" in line and line.startswith("python3 -m venv")]
    assert len(installs) == 2 and all("-c constraints.txt" in line for line in installs)
    assert "pip install -c constraints.txt -e '.[dev]'" in ci
