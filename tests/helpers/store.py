"""Reading a finished run's store back, as the tests that compare two runs of one suite do."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ganbench.record.store import Store

METRIC_COLUMNS = ["run_id", "step", "name", "value", "final"]


def stored_runs(out: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """The runs (indexed by run id), every metric row, and each run's stored samples."""
    with Store.open(out, create=False) as store:
        runs = store.runs().set_index("run_id")
        metrics = store.metrics()
        samples = {rid: store.array(rid, "samples") for rid in runs.index}
    return runs, metrics, samples


def comparable(out: str | Path, run_columns: Sequence[str] = ("run_id", "status", "steps")) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every metric row except wall-clock throughput (which no two runs share), and ``run_columns``
    of the runs, both sorted: two stores of the same work compare equal frame for frame."""
    with Store.open(out, create=False) as store:
        metrics, runs = store.metrics(), store.runs()
    metrics = metrics[~metrics["name"].str.endswith("_per_s")][METRIC_COLUMNS]
    return (
        metrics.sort_values(["run_id", "step", "name"]).reset_index(drop=True),
        runs[list(run_columns)].sort_values("run_id").reset_index(drop=True),
    )
