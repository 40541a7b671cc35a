"""The model × dataset pairs a suite named but the plan skipped, with why, for the report's header.

The plan stores them (meta ``skipped_pairs``) so a reader sees that a pair is missing by design
(an MLP GAN on images, pix2pix on 28 px digits), not because a run was lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

_FIELDS = ("label", "dataset_label", "reason")


def skipped_pairs(metas: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The skipped pairs of every store merged (one row per model label × dataset label), tolerant of
    stores written before skips were recorded or edited by hand (rows that are not mappings are left out)."""
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for meta in metas:
        pairs = meta.get("skipped_pairs") if isinstance(meta, Mapping) else None
        if not isinstance(pairs, list):
            continue
        for p in pairs:
            if not isinstance(p, Mapping):
                continue
            row = {k: str(p.get(k) or p.get(k.replace("_label", "")) or "") for k in _FIELDS}
            if row["label"] and row["dataset_label"]:
                rows.setdefault((row["label"], row["dataset_label"]), row)
    return [rows[k] for k in sorted(rows)]
