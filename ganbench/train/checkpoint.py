"""Checkpoints: an interrupted run continues where it stopped and ends exactly as if it never had.

A checkpoint holds everything the rest of a run depends on: the plugin's ``state_dict()`` (model
and optimizers), every RNG the run draws from (torch, CUDA, numpy, python, the data-order
generator), the batcher's position in the epoch, the budget used, the evaluation schedule position
and the metric rows recorded so far. With that, the resumed run on CPU in deterministic mode
produces the same final metrics as an uninterrupted one.

Security and durability: checkpoints are written to a temp file and renamed over the old one (a
crash mid-write leaves the previous checkpoint intact), and are read with
``torch.load(weights_only=True)``, which never runs pickled code. That is why a plugin's
``state_dict()`` may only hold tensors and plain containers (dict, list, tuple, str, int, float,
bool, None); :func:`check_plain` enforces it at save time, naming the offending key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.record.store import MetricRow
from ganbench.util.atomic import run_file, write_atomic_path
from ganbench.util.faults import fault_point

log = logging.getLogger(__name__)

FORMAT = 1
DEFAULT_INTERVAL_S = 60.0
"""Without ``checkpoint_every`` (suite or ``--checkpoint-every``), a run checkpoints once a minute."""


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be written or used; the message names the file and the reason."""


@dataclass(frozen=True)
class CheckpointOptions:
    """How runs checkpoint; executors pass one to every run.

    ``every``: generator steps between checkpoints (``0``: write none; ``None`` uses the suite's
    ``checkpoint_every``, else one every :data:`DEFAULT_INTERVAL_S` seconds). ``keep``: leave the
    file after the run finished (otherwise it is removed). ``directory``: where they live
    (executors default it to ``OUT/checkpoints``).
    """

    every: int | None = None
    keep: bool = False
    directory: Path | None = None

    def with_directory(self, directory: Path) -> CheckpointOptions:
        return CheckpointOptions(self.every, self.keep, self.directory or directory)


def checkpoint_path(directory: Path, run_id: str) -> Path:
    """``directory/<run_id>.pt``, refusing any id that would land outside ``directory``."""
    try:
        return run_file(directory, run_id)
    except ValueError as exc:
        raise CheckpointError(f"checkpoint file: {exc}") from None


def config_digest(config: dict[str, Any]) -> str:
    """Identifies what a checkpoint was trained for: a changed suite never resumes a stale run."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:16]


# -- plain data only ------------------------------------------------------------------------

_PLAIN = (str, int, float, bool, type(None), torch.Tensor, torch.Size, torch.dtype, torch.device)


def check_plain(obj: Any, where: str = "state") -> None:
    """Raise :class:`CheckpointError` unless ``obj`` is tensors in plain containers, so that
    ``torch.load(weights_only=True)`` can read it back."""
    if isinstance(obj, _PLAIN):
        return
    if isinstance(obj, (dict, OrderedDict)):
        for k, v in obj.items():
            if not isinstance(k, (str, int, float, bool, type(None))):
                raise CheckpointError(f"{where}: key {k!r} of type {type(k).__name__} is not plain data")
            check_plain(v, f"{where}[{k!r}]")
        return
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            check_plain(v, f"{where}[{i}]")
        return
    raise CheckpointError(
        f"{where} is a {type(obj).__module__}.{type(obj).__name__}; state_dict() may only hold tensors, "
        "dict/list/tuple, str, int, float, bool and None (checkpoints load with weights_only=True)"
    )


# -- RNG states -----------------------------------------------------------------------------


def rng_state() -> dict[str, Any]:
    """Every global RNG, converted to tensors and plain values."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    version, py_state, gauss_next = random.getstate()
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": {
            "name": str(name), "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)),
            "pos": int(pos), "has_gauss": int(has_gauss), "cached_gaussian": float(cached),
        },
        "python": {"version": int(version), "state": [int(x) for x in py_state], "gauss_next": gauss_next},
    }
    if torch.cuda.is_available():
        state["cuda"] = list(torch.cuda.get_rng_state_all())
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    n = state["numpy"]
    np.random.set_state(
        (n["name"], n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["cached_gaussian"])
    )
    p = state["python"]
    random.setstate((p["version"], tuple(p["state"]), p["gauss_next"]))
    cuda = state.get("cuda")
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)


# -- files ----------------------------------------------------------------------------------


def save_atomic(obj: dict[str, Any], path: Path) -> None:
    """Write ``obj`` to ``path`` so that a reader sees the old file or the new one, never half; the
    temporary file carries this process's pid (see :meth:`Checkpointer.clean_stale`)."""
    write_atomic_path(path, lambda tmp: torch.save(obj, tmp), tmp_name=f".{path.name}.{os.getpid()}.tmp",
                      before_rename=lambda: fault_point("checkpoint-rename"))


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint without unpickling code (``weights_only=True``)."""
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CheckpointError(f"{path}: unreadable checkpoint ({type(exc).__name__}: {exc})") from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a ganbench checkpoint of format {FORMAT}")
    return obj


# -- metric history -------------------------------------------------------------------------


def _row_to_plain(row: MetricRow) -> list[Any]:
    return list(astuple(row))


def _row_from_plain(values: Iterable[Any]) -> MetricRow:
    return MetricRow(*values)


class HistorySink:
    """Forwards a run's writes to its sink (the store, a pipe, a buffer) and remembers the metric
    rows, so a checkpoint carries the history wherever the run executes."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.rows: list[MetricRow] = []

    def add_metrics(self, rows: list[MetricRow]) -> None:
        self.rows.extend(rows)
        self.inner.add_metrics(rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


# -- the run's checkpointer -----------------------------------------------------------------


class Checkpointer:
    """Saves and restores one run's checkpoint; :class:`~ganbench.train.loop.RunLoop` calls it."""

    def __init__(
        self,
        path: Path,
        digest: str,
        *,
        every: int | None = None,
        keep: bool = False,
        interval_s: float = DEFAULT_INTERVAL_S,
        who: str = "model",
    ):
        self.path = path
        self.digest = digest
        self.every = every
        self.keep = keep
        self.interval_s = interval_s
        self.who = who
        self.sink: HistorySink | None = None
        self.resumed_step: int | None = None
        self._last = time.monotonic()

    @classmethod
    def for_run(cls, run: Any, options: CheckpointOptions) -> Checkpointer | None:
        """The checkpointer a run gets (None without a directory). With ``every == 0`` it writes
        no checkpoints but still resumes from an existing one and cleans it up."""
        every = options.every if options.every is not None else getattr(run, "checkpoint_every", None)
        if options.directory is None:
            return None
        path = checkpoint_path(options.directory, run.run_id)
        return cls(path, config_digest(run.config()), every=every, keep=options.keep)

    def track(self, sink: Any) -> HistorySink:
        """Wrap the run's sink so the metric history goes into every checkpoint."""
        self.sink = HistorySink(sink)
        return self.sink

    def restore(self, model: Any, batcher: Any, meter: Any, next_point: int) -> int:
        """Continue from the checkpoint if there is a usable one; returns the eval schedule position.

        A checkpoint from a different run config, or an unreadable one, is discarded with a warning
        and the run starts over: resuming it would mix two experiments.
        """
        self._remove_temps()
        if not self.path.exists():
            return next_point
        try:
            ck = load_checkpoint(self.path)
            if ck.get("digest") != self.digest:
                raise CheckpointError(f"{self.path}: written for a different run config")
        except CheckpointError as exc:
            log.warning("%s; starting the run from scratch", exc)
            self.path.unlink(missing_ok=True)
            return next_point
        try:
            model.load_state_dict(ck["model"])
        except Exception as exc:
            raise CheckpointError(f"{self.who}: load_state_dict of checkpoint {self.path} raised {type(exc).__name__}: {exc}") from exc
        batcher.restore(ck["batcher"])
        meter.restore(ck["meter"])
        set_rng_state(ck["rng"])
        if self.sink is not None and ck["history"]:
            self.sink.add_metrics([_row_from_plain(r) for r in ck["history"]])
        self.resumed_step = int(ck["meter"]["steps"])
        self._last = time.monotonic()
        log.info("resumed %s at step %d", self.path.stem, self.resumed_step)
        return int(ck["next_point"])

    def due(self, step: int) -> bool:
        if self.every == 0:
            return False
        if self.every:
            return step % self.every == 0
        return time.monotonic() - self._last >= self.interval_s

    def maybe_save(self, model: Any, batcher: Any, meter: Any, next_point: int) -> bool:
        """Checkpoint after this step if one is due; returns whether it did."""
        if not self.due(meter.steps):
            return False
        self.save(model, batcher, meter, next_point)
        return True

    def save(self, model: Any, batcher: Any, meter: Any, next_point: int) -> None:
        state = model.state_dict()
        check_plain(state, f"{self.who}: state_dict()")
        obj = {
            "format": FORMAT,
            "digest": self.digest,
            "model": state,
            "batcher": batcher.state(),
            "meter": meter.state(),
            "next_point": int(next_point),
            "rng": rng_state(),
            "history": [_row_to_plain(r) for r in (self.sink.rows if self.sink else [])],
            "saved_at": time.time(),
        }
        save_atomic(obj, self.path)
        self._last = time.monotonic()

    def finish(self) -> None:
        """The run is done: its checkpoint is no longer needed (unless asked to keep it).

        Clean-up is best effort: the final metrics are already recorded, and a file that cannot
        be removed must not turn a finished run into a failed one (status and metrics agree).
        """
        try:
            if not self.keep:
                self.path.unlink(missing_ok=True)
            self._remove_temps()
        except OSError as exc:
            log.warning("%s: could not remove the finished run's checkpoint: %s", self.path, exc)

    def _remove_temps(self) -> None:
        """Temp files of writes that a killed process never renamed. A temp file of a process
        that is still alive is left alone: it may be mid-write (the file name carries the pid)."""
        if self.path.parent.is_dir():
            for tmp in self.path.parent.glob(f".{self.path.name}.*.tmp"):
                if _writer_alive(tmp):
                    continue
                tmp.unlink(missing_ok=True)


def _writer_alive(tmp: Path) -> bool:
    """Whether the process that named ``.<name>.<pid>.tmp`` still runs (on this machine)."""
    try:
        pid = int(tmp.name.rsplit(".", 2)[-2])
    except (ValueError, IndexError):
        return False
    if pid == os.getpid():
        return False  # our own leftover from an earlier, failed write
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
