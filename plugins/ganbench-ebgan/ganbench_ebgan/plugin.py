"""ganbench plugin module: announces EBGAN through the ``ganbench_models`` hook; its description, paper,
capabilities and defaults (with their sources) are data, in models.yaml beside this file."""

from __future__ import annotations

from ganbench_layers.spec import zoo_models_from

from . import __version__
from .model import EBGAN

ganbench_models = zoo_models_from(__package__, builds={"ebgan": EBGAN}, version=__version__)
