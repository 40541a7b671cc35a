"""The kit's pytest11 entry loads in every pytest session of any environment with ganbench: it must
not import torch (seconds, and a CUDA probe) unless a ganbench option asks for the kit."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["ganbench.testing.pytest_plugin", "ganbench.testing"])
def test_entry_imports_no_torch(module: str) -> None:
    code = f"import {module}, sys; assert 'torch' not in sys.modules, sorted(m for m in sys.modules if 'torch' in m)[:5]"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr


def test_entry_point_names_the_light_module() -> None:
    from importlib.metadata import entry_points

    eps = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert eps.get("ganbench") == "ganbench.testing.pytest_plugin"


def test_package_exports_resolve_lazily() -> None:
    import ganbench.testing as kit
    from ganbench.testing.model_check import check_model

    assert kit.check_model is check_model
    for name in kit.__all__:
        assert getattr(kit, name) is not None
    with pytest.raises(AttributeError):
        kit.no_such_name  # noqa: B018
