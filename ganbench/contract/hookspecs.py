"""Hook specifications: the public plugin contract.

A plugin is a plain module with ``@hookimpl`` functions, registered under the ``ganbench``
entry-point group of its distribution::

    [project.entry-points.ganbench]
    my_gan = "my_gan_package.plugin"

ganbench's own datasets and metrics are registered through these same hooks, so a plugin can do
anything the core does.
"""

from __future__ import annotations

from ganbench.contract.data import DatasetSpec
from ganbench.contract.markers import PROJECT, hookimpl, hookspec
from ganbench.contract.metric import MetricSpec
from ganbench.contract.model import ModelSpec
from ganbench.contract.sink import SinkSpec

__all__ = ["PROJECT", "hookimpl", "hookspec", "ganbench_datasets", "ganbench_metrics", "ganbench_models", "ganbench_sinks"]


@hookspec
def ganbench_models() -> list[ModelSpec]:
    """Return the models this plugin provides.

    Each :class:`~ganbench.api.ModelSpec` names the model, its version, the paper it implements,
    its capabilities (vector/image data, conditional, packing) and a ``build(ctx)`` callable
    that returns a :class:`~ganbench.api.GANModel`.

    Called once per process, when the registry is built (``ganbench plugins``, ``ganbench run``,
    the conformance kit, and every worker process of ``--isolate``/Ray/``--jobs``).

    Returns a list (or tuple) of :class:`~ganbench.api.ModelSpec`. Anything else -- one spec not
    in a list, an int, a string, an element of another type -- marks this plugin broken with a
    message naming it (shown by ``ganbench plugins``); other plugins are unaffected. A name that
    another plugin already provides, or a spec whose ``api_version`` has another major version,
    is refused and marks this plugin broken too.

    If it raises (``SystemExit`` included), this plugin is broken with the error and provides
    nothing from this hook; every other plugin keeps working.
    """
    raise NotImplementedError  # a specification; plugins implement it


@hookspec
def ganbench_datasets() -> list[DatasetSpec]:
    """Return dataset providers.

    A provider loads a dataset into memory on the run's device and may tell which files it needs
    (``files``) and how to get them (``prepare``), for ``ganbench datasets`` and
    ``ganbench data prepare``.

    Called once per process, when the registry is built. Returns a list of
    :class:`~ganbench.api.DatasetSpec`; validated like :func:`ganbench_models` (a wrong type, a
    name clash with another provider -- the first registered, e.g. the core's, is kept -- or
    another major ``api_version`` marks this plugin broken). If it raises, this plugin is broken
    and the other providers keep working.
    """
    raise NotImplementedError  # a specification; plugins implement it


@hookspec
def ganbench_metrics() -> list[MetricSpec]:
    """Return metric families.

    A metric receives generated samples and the dataset at every evaluation point and returns
    ``{key: MetricValue}``. It declares which datasets it applies to; the suite can name metrics
    explicitly, otherwise every applicable metric runs.

    Called once per process, when the registry is built. Returns a list of
    :class:`~ganbench.api.MetricSpec`; validated like :func:`ganbench_models`. If it raises, this
    plugin is broken and the other metrics keep working. (A metric's ``compute`` that raises at an
    evaluation is recorded as ``NAME.error`` for that run; the run goes on.)
    """
    raise NotImplementedError  # a specification; plugins implement it


@hookspec
def ganbench_sinks() -> list[SinkSpec]:
    """Return tracker sinks (TensorBoard, wandb, MLflow, ...), enabled by ``ganbench run --sink NAME``.

    Each :class:`ganbench.api.SinkSpec` names a sink; its ``open`` receives a
    :class:`ganbench.api.SinkContext` and returns an object whose ``write(event)`` gets every
    metric, loss point, sample grid and status change as it is recorded, and whose ``close()`` is
    called at the end. Sinks run in a process of their own (this hook is called there again, so
    provide it from an installed plugin), each on its own thread: ``open`` has a deadline, a sink
    that raises (``SystemExit`` included) is one warning line and, after repeated failures,
    switched off, and one that hangs is abandoned: it never stops or slows a run.

    Discovered and validated like :func:`ganbench_models`, by the same registry: a wrong return, a
    name clash or a raise here marks this plugin broken with one line; the other plugins' sinks
    keep working. See docs/sinks.md.
    """
    raise NotImplementedError  # a specification; plugins implement it
