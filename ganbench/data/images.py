"""Shared helpers of the image dataset providers: file checks, scaling, resizing, errors.

Every image provider holds its data as one float tensor on the run's device in [-1, 1], so the
harness can index batches without workers or host-to-device copies (see ``DeviceBatcher``).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F


class DatasetFilesMissing(FileNotFoundError):
    """Files a provider needs are not under the data root; the message names them and the fix."""


class DatasetFileCorrupt(ValueError):
    """A dataset file exists but cannot be read; the message names it and the fix."""


IDX_DTYPES = {0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}


def missing_error(dataset: str, root: Path, missing: list[Path], fix: str | None = None) -> DatasetFilesMissing:
    """One clear message: which files are expected where, and how to get them."""
    shown = ", ".join(str(p) for p in missing[:4]) + (f" (+{len(missing) - 4} more)" if len(missing) > 4 else "")
    fix = fix or f"run `ganbench data prepare {dataset}` (or set $GANBENCH_DATA / the suite's data_root)"
    if not root.is_dir():
        return DatasetFilesMissing(f"dataset {dataset!r}: data root {root} does not exist; expected {shown}; {fix}")
    return DatasetFilesMissing(f"dataset {dataset!r}: missing {shown} under {root}; {fix}")


def check_idx_file(path: Path, dataset: str) -> tuple[int, ...]:
    """Validate an IDX (MNIST-format) file's header against its size, so a truncated download
    fails here with the file's name rather than deep inside a reshape."""
    fix = f"delete it and run `ganbench data prepare {dataset}`"
    try:
        with open(path, "rb") as f:
            head = f.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in IDX_DTYPES or not 1 <= head[3] <= 3:
                raise DatasetFileCorrupt(f"{path}: not an IDX file (bad magic number); {fix}")
            dims = struct.unpack(f">{head[3]}I", f.read(4 * head[3]))
    except struct.error:
        raise DatasetFileCorrupt(f"{path}: truncated IDX header; {fix}") from None
    expected = 4 + 4 * len(dims) + IDX_DTYPES[head[2]] * int(torch.tensor(dims).prod())
    actual = path.stat().st_size
    if actual != expected:
        raise DatasetFileCorrupt(f"{path}: corrupt or truncated ({actual} bytes, header says {expected}); {fix}")
    return tuple(dims)


def to_unit_range(images_u8: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """uint8 pixels 0..255 -> [-1, 1]."""
    return images_u8.to(dtype).div_(127.5).sub_(1.0)


def pad_to(x: torch.Tensor, resolution: int) -> torch.Tensor:
    """28x28 -> 32x32 by padding with background (-1) on every side, as the 32x32 stacked-MNIST
    follow-ups do; the digit is unchanged, so the evaluator can crop it back exactly."""
    h = x.shape[-1]
    if resolution == h:
        return x
    if resolution < h or (resolution - h) % 2:
        raise ValueError(f"cannot pad {h}x{h} images to {resolution}x{resolution}")
    p = (resolution - h) // 2
    return F.pad(x, (p, p, p, p), value=-1.0)


def check_resolution(p: Mapping[str, Any], dataset: str, allowed: tuple[int, ...] = (28, 32)) -> int:
    res = p.get("resolution", allowed[0])
    if res not in allowed:
        raise ValueError(f"dataset {dataset!r}: resolution must be one of {allowed}, got {res!r}")
    return int(res)
