"""The plugin API's version, and which versions a spec may declare.

Why a module of its own: every spec type reads it for its default, discovery and the conformance
kit check it, and none of them should have to import the others to do so.
"""

from __future__ import annotations

from typing import Any

API_VERSION = "1.5"
"""1.1 added ``BuildContext.progress`` (budget and progress, for LR schedules), :class:`EMA`,
:func:`lr_factor` and :func:`set_lr`, the optional model capabilities :class:`Encoding` and
:class:`StructuredCodes` (:class:`LatentCode`), and ``MetricContext.model``/``figures`` (metrics of
a capability, report figures); a 1.0 plugin runs unchanged. A spec that targets a newer
minor version than this ganbench provides is refused (it may use what is not here yet).
1.2 added image-to-image translation: ``Capabilities.task`` (``"generate"`` | ``"translate"``),
``paired``/``bidirectional``/``domains``, ``BuildContext.domains``, ``DatasetSpec.task``,
``MetricContext.translation`` and the types of :mod:`ganbench.contract.translation` (docs/image-to-image.md);
every new field has a default that keeps an earlier 1.x plugin working unchanged.
1.4 added token sequences: the data kind ``"sequence"`` (``Dataset.data`` a LongTensor ``(N, length)``
of token ids in ``[0, vocab_size)``, ``sample`` returns the same), ``DatasetInfo.vocab_size`` and
``BuildContext.vocab_size`` (None for other kinds); see docs/sequences.md.
1.5 (ganbench 0.2) added ``MetricContext.metric_families`` (another family by name, without discovery),
``fid_from_features``/``frechet_distance`` (FID from a metric's own features), ``SinkSpec.api_version``
(sinks are discovered and validated like every other hook); a spec must declare its ``api_version``
(an undeclared one reads as 1.0, never as the installed version)."""

OLDEST_API_VERSION = "1.0"
"""What a spec that declares no ``api_version`` is taken to be written against: the oldest API,
which every 1.x core still serves. Never the installed version: that would check nothing."""


class UndeclaredApiVersion(str):
    """The ``api_version`` default: reads as :data:`OLDEST_API_VERSION` everywhere, but lets the
    conformance kit tell "not declared" from an explicit ``"1.0"``."""

    __slots__ = ()


UNDECLARED_API_VERSION = UndeclaredApiVersion(OLDEST_API_VERSION)


def api_declared(spec: Any) -> bool:
    """Whether ``spec`` declares its ``api_version`` (rather than inheriting the 1.0 default)."""
    return not isinstance(getattr(spec, "api_version", UNDECLARED_API_VERSION), UndeclaredApiVersion)


def _parts(version: str) -> tuple[int, int] | None:
    bits = str(version).split(".")
    try:
        return int(bits[0]), int(bits[1]) if len(bits) > 1 else 0
    except ValueError:
        return None


def api_compatible(version: str) -> bool:
    """Same major version, and a minor version this ganbench provides (a 1.1 plugin may read
    ``ctx.progress``, which a 1.0 ganbench does not have)."""
    want, have = str(version).split("."), API_VERSION.split(".")
    if want[0] != have[0]:
        return False
    try:
        return int(want[1]) <= int(have[1]) if len(want) > 1 else True
    except ValueError:
        return False


def api_newer(version: str) -> bool:
    """Whether ``version`` is newer than the installed API (another major or a later minor): the
    fix is to upgrade ganbench, not the plugin."""
    want, have = _parts(version), _parts(API_VERSION)
    return want is not None and have is not None and want > have


def api_at_least(version: str, minimum: str) -> bool:
    """Whether a spec written against ``version`` promises what API ``minimum`` introduced: a rule
    that came with a minor version (1.4's declared hyper-parameters) binds only plugins written
    against it or later, so a 1.0 plugin keeps passing what it passed."""
    want, floor = _parts(version), _parts(minimum)
    return want is not None and floor is not None and want >= floor
