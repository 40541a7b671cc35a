"""What the numbers were measured on: reported beside every throughput figure."""

from __future__ import annotations

import platform
from functools import cache
from typing import Any

import torch


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA when there is one; asking for CUDA without one is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError("--device cuda was asked for but torch sees no CUDA device (use --device auto or cpu)")
    return torch.device(name)


class DeviceError(ValueError):
    """A ``--device`` torch does not know or this machine does not have; one line naming it."""


def parse_device(name: str, *, what: str = "--device") -> torch.device:
    """``name`` as a torch device this machine has (``auto`` included), or :class:`DeviceError`."""
    try:
        device = resolve_device(str(name).strip())
    except RuntimeError as exc:  # torch's own "Expected one of cpu, cuda, ... device type" is a RuntimeError
        msg = ("torch sees no CUDA device here (use cpu or auto)" if "CUDA" in str(exc)
               else "expected cpu, cuda, cuda:N, mps or auto")
        raise DeviceError(f"{what} {name!r}: {msg}") from None
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise DeviceError(f"{what} {name!r}: this machine has {torch.cuda.device_count()} CUDA device(s)")
    if device.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise DeviceError(f"{what} {name!r}: torch sees no MPS device")
    if device.type not in ("cpu", "cuda", "mps"):
        raise DeviceError(f"{what} {name!r}: ganbench runs on cpu, cuda or mps")
    return device


@cache
def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def hardware_info(device: torch.device | None = None) -> dict[str, Any]:
    import os

    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "device": str(device) if device else None,
        "torch_threads": torch.get_num_threads(),
    }
    if device is not None and device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info
