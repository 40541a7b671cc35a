"""The kit's pytest items: one :class:`ConformanceItem` per check and model named by ``--ganbench-plugin``.

Imported by :mod:`ganbench.testing.pytest_plugin` only when a ganbench option is given, since
building kits imports torch and the plugin registry.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from ganbench.testing.errors import ConformanceError
from ganbench.testing.kit import Kit, one_thread
from ganbench.testing.model_check import checks_for, resolve_models

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr


class ConformanceItem(pytest.Item):
    """One check on one model."""

    def __init__(self, *, kit: Kit | None, check: str, error: str | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.kit, self.check, self.error = kit, check, error

    def runtest(self) -> None:
        if self.error is not None:
            raise ConformanceError(self.error)
        assert self.kit is not None
        self.kit.notes.clear()
        with one_thread():
            checks_for(self.kit.spec)[self.check](self.kit)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, ConformanceError):
            return f"[{self.check}] {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"ganbench conformance: {self.name}"


def _parse_shape(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    try:
        return tuple(int(p) for p in text.replace("x", ",").split(",") if p.strip())
    except ValueError:
        raise pytest.UsageError(f"--ganbench-data-shape: expected e.g. 2 or 1,16,16, got {text!r}") from None


def add_items(session: pytest.Session, config: pytest.Config, items: list[pytest.Item], names: list[str]) -> None:
    """Append the kit's items for every model ``names`` refer to (a name that resolves to nothing
    becomes one failing ``resolve`` item, so the session reports why)."""
    raw = config.getoption("ganbench_hparams")
    try:
        hparams = json.loads(raw) if raw else {}
        if not isinstance(hparams, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        raise pytest.UsageError(f"--ganbench-hparams: expected a JSON object, got {raw!r} ({exc})") from None
    shape = _parse_shape(config.getoption("ganbench_data_shape"))
    for name in names:
        try:
            specs = resolve_models(name)
        except ConformanceError as exc:
            items.append(ConformanceItem.from_parent(session, name=f"ganbench[{name}]::resolve", kit=None,
                                                     check="resolve", error=str(exc)))
            continue
        for spec in specs:
            kit = Kit(spec=spec, hparams=hparams, data_shape=shape)
            for check in checks_for(spec):
                items.append(ConformanceItem.from_parent(session, name=f"ganbench[{spec.name}]::{check}",
                                                         kit=kit, check=check))
