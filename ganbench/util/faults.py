"""Test-only fault injection, so tests can kill the process at the worst possible moment.

``GANBENCH_FAULT=POINT:N`` makes the N-th arrival at ``fault_point(POINT)`` SIGKILL the process
(``N`` defaults to 1). Points: ``store-commit`` (inside a store transaction, before COMMIT) and
``checkpoint-rename`` (checkpoint written to its temp file, not yet renamed). Unset, a fault point
costs one attribute check.
"""

from __future__ import annotations

import os
import signal

_SPEC = os.environ.get("GANBENCH_FAULT") or None
_hits: dict[str, int] = {}


def fault_point(name: str) -> None:
    """SIGKILL this process here if ``GANBENCH_FAULT`` names this point and its count is reached."""
    if _SPEC is None:
        return
    point, _, count = _SPEC.partition(":")
    if point != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] >= int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)
