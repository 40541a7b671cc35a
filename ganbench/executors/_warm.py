"""Imported once by the ``--isolate`` forkserver, so every forked worker starts warm.

It imports every plugin module (workers then find them in ``sys.modules`` instead of importing
the plugin zoo per run) and takes one tiny optimizer step: torch imports a lot lazily on the
first ``backward``/``optimizer.step`` (seconds), which would otherwise be paid by every run. It
does so on one thread, so the forkserver holds no OpenMP thread pool that forked children could
inherit in a broken state. A plugin that fails here fails the same way in the worker, with its error.
"""

from __future__ import annotations

import torch

try:
    _threads = torch.get_num_threads()
    torch.set_num_threads(1)
    _m = torch.nn.Linear(2, 2)
    _opt = torch.optim.Adam(_m.parameters())
    _m(torch.zeros(1, 2)).sum().backward()
    _opt.step()
    del _m, _opt
    torch.set_num_threads(_threads)
except Exception:  # warming up is an optimisation, never a requirement
    pass

try:
    from ganbench.plugins import load_registry

    load_registry()
except Exception:  # the worker reports plugin errors itself
    pass
