"""What makes numbers not comparable with published ones, said once where everyone looks: at the
top of the report and of the terminal summary, not only in a metric's note.

Why: a researcher on a machine without the reference Inception weights (torch-fidelity's port of
the TF 2015 graph) scores FID/IS/KID with other weights; the numbers are self-consistent but not
those of any paper. The extractor says so in every metric row's note
(:data:`ganbench.metrics.extractors.NONSTANDARD_WEIGHTS`); this module finds it there.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

NONSTANDARD_MARK = "are not the reference TF weights"
"""Part of the note the Inception extractor writes on every value scored with other weights."""

_ZERO_DISTANCE = re.compile(r"^(fid|kid)(_|$)")


def nonstandard_weight_notes(metrics: pd.DataFrame) -> list[str]:
    """The distinct notes that say a metric was scored with non-standard Inception weights."""
    if metrics is None or metrics.empty or "note" not in metrics:
        return []
    found: set[str] = set()
    for note in metrics["note"].dropna().astype(str).unique():
        for part in note.split("; "):
            if NONSTANDARD_MARK in part:
                found.add(part.strip())
    return sorted(found)


def banners(metrics: pd.DataFrame) -> list[str]:
    """One line per reason this store's numbers are not comparable with papers."""
    notes = nonstandard_weight_notes(metrics)
    if not notes:
        return []
    return ["Not comparable with published numbers: IS/FID/KID/precision/recall were computed with "
            f"non-standard Inception weights ({'; '.join(notes)}). Rank models within this report only; "
            "any published row shown beside them is marked not comparable."]


def is_degenerate(name: str, mean: float | None) -> bool:
    """A FID or KID of exactly 0: the generated and real features are identical or constant (a
    broken extractor, or samples that are the training set), never a perfect model. Flagged in the
    leaderboard instead of bolded as the best."""
    if mean is None or not _ZERO_DISTANCE.match(str(name)):
        return False
    try:
        value = float(mean)
    except (TypeError, ValueError):
        return False
    return bool(np.isfinite(value) and abs(value) < 1e-9)
