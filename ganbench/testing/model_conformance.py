"""A test class to subclass: every conformance check as its own pytest test."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import pytest

from ganbench.contract import ModelSpec
from ganbench.testing.checks import (
    check_codes,
    check_conditional,
    check_cpu,
    check_determinism,
    check_encoding,
    check_improves,
    check_losses,
    check_packing,
    check_range,
    check_shapes,
    check_spec,
    check_state_dict,
    check_updates,
)
from ganbench.testing.kit import Kit, one_thread
from ganbench.testing.model_check import make_kit


class ModelConformance:
    """Subclass in a test module to run every check as its own test::

        from ganbench.testing import ModelConformance

        class TestMyGan(ModelConformance):
            model = "my-gan"                 # or a ModelSpec
            kit_options = {"hparams": {"hidden": 32}}

    ``kit_options`` are :class:`Kit` fields. A subclass can override ``kit`` as a fixture, e.g. to
    parametrize over several models.
    """

    model: ModelSpec | str | None = None
    kit_options: Mapping[str, Any] = {}
    _ganbench_kit: ClassVar[Kit]

    @pytest.fixture
    def kit(self) -> Iterator[Kit]:
        if self.model is None:
            pytest.skip("set `model` on the ModelConformance subclass")
        cls = type(self)
        if "_ganbench_kit" not in cls.__dict__:  # resolve the model once per class
            cls._ganbench_kit = make_kit(self.model, **dict(self.kit_options))
        if cls._ganbench_kit.translates:
            pytest.fail(f"model {cls._ganbench_kit.spec.name!r} translates images: use check_model(), which runs "
                        "the translation checks, or pytest --ganbench-plugin")
        with one_thread():
            yield cls._ganbench_kit

    def test_spec(self, kit: Kit) -> None:
        check_spec(kit)

    def test_shapes(self, kit: Kit) -> None:
        check_shapes(kit)

    def test_range(self, kit: Kit) -> None:
        check_range(kit)

    def test_determinism(self, kit: Kit) -> None:
        check_determinism(kit)

    def test_state_dict(self, kit: Kit) -> None:
        check_state_dict(kit)

    def test_losses(self, kit: Kit) -> None:
        check_losses(kit)

    def test_updates(self, kit: Kit) -> None:
        check_updates(kit)

    def test_packing(self, kit: Kit) -> None:
        check_packing(kit)

    def test_conditional(self, kit: Kit) -> None:
        check_conditional(kit)

    def test_cpu(self, kit: Kit) -> None:
        check_cpu(kit)

    def test_improves(self, kit: Kit) -> None:
        check_improves(kit)

    def test_encoding(self, kit: Kit) -> None:
        check_encoding(kit)

    def test_codes(self, kit: Kit) -> None:
        check_codes(kit)
