"""Test sink plugins: one that records every event, one that raises on every write, one that hangs."""

from __future__ import annotations

import threading

from ganbench.hookspecs import hookimpl
from ganbench.sinks import SinkContext, SinkEvent, SinkSpec

RECORDED: list[SinkEvent] = []
RELEASE = threading.Event()


class Recorder:
    def __init__(self, ctx: SinkContext):
        self.ctx = ctx

    def write(self, event: SinkEvent) -> None:
        RECORDED.append(event)

    def close(self) -> None:
        RECORDED.append(SinkEvent("closed", ""))


class Raiser:
    def __init__(self, ctx: SinkContext):
        pass

    def write(self, event: SinkEvent) -> None:
        raise RuntimeError("tracker unreachable")

    def close(self) -> None:
        raise RuntimeError("still unreachable")


class Hanger:
    def __init__(self, ctx: SinkContext):
        pass

    def write(self, event: SinkEvent) -> None:
        RELEASE.wait()  # a tracker call that never returns (until the test releases it)

    def close(self) -> None:
        pass


@hookimpl
def ganbench_sinks() -> list[SinkSpec]:
    return [SinkSpec("test-record", Recorder), SinkSpec("test-raise", Raiser), SinkSpec("test-hang", Hanger)]
