"""ganbench plugin module: SeqGAN, its MLE baseline and a random generator (token sequences); their
metadata and defaults (with their sources) are data, in models.yaml beside this file."""

from __future__ import annotations

from ganbench_layers.spec import zoo_models_from

from . import __version__
from .models import MLE, RandomGenerator, SeqGAN

ganbench_models = zoo_models_from(__package__, builds={"seqgan": SeqGAN, "seq-mle": MLE, "seq-random": RandomGenerator},
                                  version=__version__)
