"""Run ids: one injective, path-safe name per matrix cell, so resumes and baselines find their runs."""

from __future__ import annotations

import re


def safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]+", "-", text)


_ID_KEEP = re.compile(r"[A-Za-z0-9.+-]")
RUN_ID_SEPARATOR = "__"


def id_part(text: str) -> str:
    """One component of a run id, injective and free of the separator by construction.

    Letters, digits and ``. + -`` stay as they are; every other character (``_`` and spaces
    included) becomes ``~`` and the hex of its UTF-8 bytes (``DCGAN small`` -> ``DCGAN~20small``).
    No component can then hold ``_``, so the ``__`` between components parses one way only, and
    two different labels never share an id (``x`` + ``y__z`` against ``x__y`` + ``z``)."""
    return "".join(ch if _ID_KEEP.fullmatch(ch) else "".join(f"~{b:02x}" for b in ch.encode("utf-8")) for ch in text)


def make_run_id(label: str, dataset_label: str, pack: int, seed: int) -> str:
    """``<label>__<dataset label>__pack<P>__seed<S>``, each label encoded by :func:`id_part`."""
    return RUN_ID_SEPARATOR.join((id_part(label), id_part(dataset_label), f"pack{int(pack)}", f"seed{int(seed)}"))
