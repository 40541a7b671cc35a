"""Read one or several results stores into the frames the report is built from.

Why merging: a benchmark is often run in pieces (one store per machine, a rerun of one model),
and the reader wants one page. Runs are keyed by run_id; when two stores hold the same run, the
finished one wins, and among equals the store named last (the newer rerun).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ganbench.record.store import Store, StoreError, resolve_store_path

_STATUS_RANK = {"done": 3, "failed": 2, "running": 1, "pending": 0, "skipped": 0}


@dataclass
class ReportData:
    """Everything a report shows, from any number of stores; artifacts are read lazily."""

    paths: list[Path]
    metas: list[dict[str, Any]]
    runs: pd.DataFrame
    metrics: pd.DataFrame
    _stores: list[Store] = field(default_factory=list, repr=False)

    @property
    def meta(self) -> dict[str, Any]:
        """The first store's meta, with keys only later stores have filled in."""
        out: dict[str, Any] = {}
        for m in reversed(self.metas):
            out.update(m)
        return out

    def array(self, run_id: str, name: str) -> np.ndarray | None:
        rows = self.runs.loc[self.runs["run_id"] == run_id, "_store"]
        if rows.empty:
            return None
        return self._stores[int(rows.iloc[0])].array(run_id, name)

    def close(self) -> None:
        for s in self._stores:
            s.close()

    def __enter__(self) -> ReportData:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def load_stores(paths: str | Path | Sequence[str | Path]) -> ReportData:
    """Open every store (read-only use; none is created) and merge their runs and metrics."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not paths:
        raise StoreError("no results store given")
    resolved = [resolve_store_path(p) for p in paths]
    stores: list[Store] = []
    try:
        for p in resolved:
            stores.append(Store.open(p, create=False))
        metas, run_frames, metric_frames = [], [], []
        for i, s in enumerate(stores):
            metas.append(s.meta())
            r = s.runs()
            r["_store"] = i
            run_frames.append(r)
            m = s.metrics()
            m["_store"] = i
            metric_frames.append(m)
    except BaseException:
        for s in stores:
            s.close()
        raise
    runs = pd.concat(run_frames, ignore_index=True) if run_frames else pd.DataFrame()
    metrics = pd.concat(metric_frames, ignore_index=True) if metric_frames else pd.DataFrame()
    if len(stores) > 1 and not runs.empty:
        runs = _dedupe(runs)
        keep = set(zip(runs["run_id"], runs["_store"]))
        metrics = metrics[[k in keep for k in zip(metrics["run_id"], metrics["_store"])]]
        runs = runs.sort_values(["label", "dataset_label", "pack", "seed"], kind="stable").reset_index(drop=True)
    return ReportData(resolved, metas, runs, metrics.reset_index(drop=True), stores)


def _dedupe(runs: pd.DataFrame) -> pd.DataFrame:
    ranked = runs.assign(_rank=runs["status"].map(_STATUS_RANK).fillna(0))
    ranked = ranked.sort_values(["run_id", "_rank", "_store"], kind="stable")
    return ranked.drop_duplicates("run_id", keep="last").drop(columns="_rank")
