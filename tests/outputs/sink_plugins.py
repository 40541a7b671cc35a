"""Test sink plugins. Sinks run in their own process, so the recorder writes what it receives to a
file under the run's output directory (one JSON line per event) for the test to read back."""

from __future__ import annotations

import json
import os
import threading
import time

from ganbench.contract.hookspecs import hookimpl
from ganbench.record.sinks import SinkContext, SinkEvent, SinkSpec

RECORD = "sink-record.jsonl"
RELEASE = threading.Event()  # never set in the sink process: a hang lasts until it is abandoned


class Recorder:
    def __init__(self, ctx: SinkContext):
        self.fh = open(ctx.out_dir / RECORD, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())
        self._line({"kind": "opened", "pid": os.getpid()})

    def _line(self, obj: dict) -> None:
        self.fh.write(json.dumps(obj) + "\n")
        self.fh.flush()

    def write(self, event: SinkEvent) -> None:
        self._line({"kind": event.kind, "run_id": event.run_id, "step": event.step, "name": event.name,
                    "value": event.value, "text": event.text,
                    "shape": None if event.array is None else list(event.array.shape)})

    def close(self) -> None:
        self._line({"kind": "closed"})
        self.fh.close()


def read_record(out_dir) -> list[dict]:
    path = out_dir / RECORD
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


class _Idle:
    """A sink that does nothing: each misbehaving one below breaks only the methods it overrides."""

    def __init__(self, ctx: SinkContext):
        pass

    def write(self, event: SinkEvent) -> None:
        pass

    def close(self) -> None:
        pass


class Raiser(_Idle):
    def write(self, event: SinkEvent) -> None:
        raise RuntimeError("tracker unreachable")

    def close(self) -> None:
        raise RuntimeError("still unreachable")


class Hanger(_Idle):
    def write(self, event: SinkEvent) -> None:
        RELEASE.wait()  # a tracker call that never returns


class Exiter(_Idle):
    def write(self, event: SinkEvent) -> None:
        raise SystemExit(3)


class Busy(_Idle):
    """A CPU-bound sink: pure-Python work (holding the GIL) on every event."""

    def write(self, event: SinkEvent) -> None:
        t0 = time.perf_counter()
        x = 0
        while time.perf_counter() - t0 < 0.05:
            x += 1


def hanging_open(ctx: SinkContext) -> Recorder:
    RELEASE.wait()  # a tracker login that never answers
    raise AssertionError("unreachable")


def not_a_sink(ctx: SinkContext) -> int:
    return 42


@hookimpl
def ganbench_sinks() -> list[SinkSpec]:
    return [SinkSpec("test-record", Recorder), SinkSpec("test-raise", Raiser), SinkSpec("test-hang", Hanger),
            SinkSpec("test-exit", Exiter), SinkSpec("test-busy", Busy), SinkSpec("test-open-hang", hanging_open),
            SinkSpec("test-open-42", not_a_sink)]
