"""Hook specifications: the public plugin contract.

A plugin is a plain module with ``@hookimpl`` functions, registered under the ``ganbench``
entry-point group of its distribution::

    [project.entry-points.ganbench]
    my_gan = "my_gan_package.plugin"

ganbench's own datasets and metrics are registered through these same hooks, so a plugin can do
anything the core does.
"""

from __future__ import annotations

import pluggy

from ganbench.api import DatasetSpec, MetricSpec, ModelSpec

PROJECT = "ganbench"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def ganbench_models() -> list[ModelSpec]:
    """Return the models this plugin provides.

    Each :class:`~ganbench.api.ModelSpec` names the model, its version, the paper it implements,
    its capabilities (vector/image data, conditional, packing) and a ``build(ctx)`` callable
    that returns a :class:`~ganbench.api.GANModel`. Names must be unique across all plugins;
    a clash is reported by ``ganbench plugins``.
    """


@hookspec
def ganbench_datasets() -> list[DatasetSpec]:
    """Return dataset providers.

    A provider loads a dataset into memory on the run's device and may tell which files it needs
    (``files``) and how to get them (``prepare``), for ``ganbench datasets`` and
    ``ganbench data prepare``.
    """


@hookspec
def ganbench_metrics() -> list[MetricSpec]:
    """Return metric families.

    A metric receives generated samples and the dataset at every evaluation point and returns
    ``{key: MetricValue}``. It declares which datasets it applies to; the suite can name metrics
    explicitly, otherwise every applicable metric runs.
    """
