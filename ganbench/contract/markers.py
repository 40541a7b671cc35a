"""The pluggy markers of the ``ganbench`` project.

Why alone: plugins mark their hooks with :data:`hookimpl` (imported from :mod:`ganbench.api`),
the hook specifications use :data:`hookspec`, and both must be the same project's markers.
"""

from __future__ import annotations

import pluggy

PROJECT = "ganbench"

hookimpl = pluggy.HookimplMarker(PROJECT)
"""Marks a plugin's hook implementations (``@hookimpl def ganbench_models(): ...``)."""

hookspec = pluggy.HookspecMarker(PROJECT)
"""Marks the hook specifications in :mod:`ganbench.contract.hookspecs`."""
