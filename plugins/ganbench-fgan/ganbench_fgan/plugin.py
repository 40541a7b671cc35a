"""ganbench plugin module: announces f-GAN through the ``ganbench_models`` hook; its paper,
capabilities and defaults (with their sources) are data, in models.yaml beside this file, and its
description is computed here so it always lists the divergences the code implements."""

from __future__ import annotations

from ganbench_layers.spec import zoo_models_from

from . import __version__
from .divergences import DIVERGENCES
from .model import FGAN

DESCRIPTION = "f-GAN: variational divergence minimisation; hparam divergence = " + " | ".join(DIVERGENCES)

ganbench_models = zoo_models_from(__package__, builds={"fgan": FGAN}, version=__version__,
                                  extra={"fgan": {"description": DESCRIPTION}})
DEFAULTS = ganbench_models()[0].defaults
"""The model's defaults (the tests build with them)."""
