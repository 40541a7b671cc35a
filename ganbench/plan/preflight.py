"""Preflight: everything a suite needs, checked before its first training step.

Without it, ``ganbench run suites/cifar.yaml`` without the data starts 18 runs that each fail, and
with the data but without Inception weights a GPU user trains for hours and fails at the first
evaluation. The preflight asks each dataset provider (``DatasetSpec.requirements``, else
``DatasetSpec.files``) and each metric (``MetricSpec.requirements``) what the matrix needs, checks
the device and that OUT is writable, and reports everything missing in one message, with how to
get it. A missing file that would be downloaded is fine if its host is reachable.
"""

from __future__ import annotations

import os
import socket
import urllib.parse
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ganbench.contract import Requirement
from ganbench.plan.matrix import RunSpec
from ganbench.plugins import Registry

REACH_TIMEOUT_S = 3.0


def can_reach(url: str, timeout: float = REACH_TIMEOUT_S) -> bool:
    """Whether a TCP connection to ``url``'s host opens within ``timeout`` (a download may work)."""
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return False
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def _data_root(run: RunSpec) -> Path:
    from ganbench.data import default_root

    return Path(run.data_root).expanduser() if run.data_root else default_root()


def dataset_requirements(spec: Any, root: Path, params: dict[str, Any]) -> list[Requirement]:
    """The provider's own list, or one requirement per file of ``files(root)``."""
    if getattr(spec, "requirements", None) is not None:
        return list(spec.requirements(root, params))
    if spec.files is None:
        return []
    fix = f"ganbench data prepare {spec.name}" if spec.prepare else "see the dataset's documentation"
    return [Requirement(f"dataset {spec.name}: {p.name}", p, p.is_file(), fix) for p in spec.files(root)]


def requirements(runs: Iterable[RunSpec], registry: Registry) -> list[Requirement]:
    """Everything the runs need on disk, each once."""
    seen: set[tuple[str, str]] = set()
    out: list[Requirement] = []
    done: set[tuple] = set()
    for run in runs:
        key = (run.dataset, repr(sorted(run.dataset_params.items())), str(run.data_root), repr(run.metrics),
               repr(sorted(run.eval.options.items())))
        if key in done:
            continue
        done.add(key)
        spec = registry.datasets[run.dataset]
        root = _data_root(run)
        found = dataset_requirements(spec, root, dict(run.dataset_params))
        names = run.metrics if run.metrics is not None else sorted(registry.metrics)
        for name in names:
            mspec = registry.metrics.get(name)
            if mspec is not None and getattr(mspec, "requirements", None) is not None:
                found += list(mspec.requirements(spec, root, dict(run.eval.options)))
        for req in found:
            k = (req.what, str(req.path))
            if k not in seen:
                seen.add(k)
                out.append(req)
    return out


def _device_problems(runs: Iterable[RunSpec]) -> list[str]:
    if any(r.device == "cuda" for r in runs):
        import torch

        if not torch.cuda.is_available():
            return ["device: cuda is requested but torch sees no CUDA device (use --device cpu, or device: auto)"]
    return []


def _out_problems(out: Path) -> list[str]:
    if out.exists():
        if not out.is_dir():
            return [f"--out {out}: exists and is not a directory"]
        if not os.access(out, os.W_OK | os.X_OK):
            return [f"--out {out}: not writable"]
        return []
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        return [f"--out {out}: cannot be created ({parent} is not a writable directory)"]
    return []


def preflight(runs: list[RunSpec], registry: Registry, out: Path) -> list[str]:
    """Problems that would make runs fail, one short clause each (empty: good to go). Missing
    files with the same remedy are listed together."""
    problems = _out_problems(out) + _device_problems(runs)
    reachable: dict[str, bool] = {}
    groups: dict[tuple[str, str], list[Requirement]] = {}
    for req in requirements(runs, registry):
        if req.present:
            continue
        why = "missing"
        if req.download:
            host = urllib.parse.urlsplit(req.download).hostname or ""
            if host not in reachable:
                reachable[host] = can_reach(req.download)
            if reachable[host]:
                continue  # fetched when the run needs it
            why = f"missing, and {host} is unreachable for the download"
        groups.setdefault((req.fix, why), []).append(req)
    for (fix, why), reqs in groups.items():
        paths = [r.path for r in reqs if r.path is not None]
        if len(reqs) == 1:
            what = reqs[0].what + (f" ({paths[0]})" if paths else "")
        else:
            parents = {p.parent for p in paths}
            names = ", ".join(p.name for p in paths)
            where = f" under {parents.pop()}: {names}" if len(parents) == 1 and len(paths) == len(reqs) else f": {names}"
            what = f"{len(reqs)} files{where}"
        problems.append(f"{what}: {why}" + (f"; {fix}" if fix else ""))
    return problems
