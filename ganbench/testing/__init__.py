"""The conformance kit: does a model plugin keep the contract the harness relies on?

Two ways in, one set of checks:

* ``pytest --ganbench-plugin=NAME`` (:mod:`ganbench.testing.pytest_plugin`, registered through
  pytest's ``pytest11`` entry point) adds one test per check for every model of plugin/model ``NAME``;
* from Python, :func:`check_model` runs every check and raises :class:`ConformanceError` listing
  each failure, and :class:`ModelConformance` is a test class to subclass (``model = "my-gan"``).

The checks run on the CPU with small synthetic data, so a plugin author gets an answer in seconds
instead of discovering a broken ``state_dict`` halfway through an overnight suite. Each check is
a plain function ``check_x(kit)`` in :data:`CHECKS`; they mirror what ``ganbench.train.loop`` does
with a model (seeding, batch sizes, packing, the validity checks on samples and losses).

The package is split by job (:mod:`~ganbench.testing.synthetic` data, the :mod:`~ganbench.testing.kit`,
the :mod:`~ganbench.testing.checks`, the :mod:`~ganbench.testing.model_check` runner, the
:mod:`~ganbench.testing.model_conformance` test class, the :mod:`~ganbench.testing.collect` pytest
items); every name they export is importable from here, loaded on first use, so importing the
package (as pytest's entry does) does not import torch.
"""

from __future__ import annotations

import importlib
from typing import Any

# The hooks stay reachable here for an environment whose installed metadata still names this package as the entry.
from ganbench.testing.pytest_plugin import pytest_addoption as pytest_addoption
from ganbench.testing.pytest_plugin import pytest_collection_modifyitems as pytest_collection_modifyitems
from ganbench.testing.pytest_plugin import pytest_ignore_collect as pytest_ignore_collect

__all__ = [
    "CHECKS",
    "ConformanceError",
    "Kit",
    "KitReport",
    "ModelConformance",
    "check_model",
    "checks_for",
    "not_applicable",
    "resolve_models",
    "tiny_hparams",
]

_SUBMODULE = {
    "errors": ("ConformanceError", "not_applicable"),
    "synthetic": ("MARKOV_STAY", "SEQUENCE_LENGTH", "SEQUENCE_VOCAB", "image_data", "markov_next", "markov_nll",
                  "ring_data", "sequence_data", "sliced_wasserstein", "vector_data"),
    "kit": ("BuildContext", "Capabilities", "DEFAULT_IMAGE_RESOLUTION", "IMAGE_RANGE_TOL", "Kit", "ModelSpec",
            "one_thread"),
    "checks": ("API_VERSION", "CHECKS", "DATA_KINDS", "api_compatible",
               "can_encode", "has_codes", "_finite_tensor", "_float_params", "_improves_sequence", "_numel",
               "_skip_untrainable", "_tensors", "check_codes", "check_conditional", "check_cpu", "check_determinism",
               "check_encoding", "check_improves", "check_losses", "check_packing", "check_range", "check_shapes",
               "check_spec", "check_state_dict", "check_updates"),
    "model_check": ("KitReport", "WIDTH_HPARAMS", "check_model", "checks_for", "make_kit", "resolve_models",
                    "tiny_hparams"),
    "model_conformance": ("ModelConformance",),
    "collect": ("ConformanceItem", "_parse_shape"),
}
_HOME = {name: module for module, names in _SUBMODULE.items() for name in names}


def __getattr__(name: str) -> Any:
    """Load the submodule that defines ``name`` on first use (PEP 562): torch only when the kit is used."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})
