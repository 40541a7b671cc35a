"""The report's throughput section: steps/s, generation speed and memory per model, with how each was measured
(execution mode, concurrency), so rows measured differently are not compared unawares."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ganbench.report import plots
from ganbench.report.aggregate import (
    THROUGHPUT,
    fmt_mean_std,
)
from ganbench.report.sections import THROUGHPUT_TITLES, group_key


# -- throughput --------------------------------------------------------------------------------
def execution_modes(runs: pd.DataFrame) -> dict[tuple[str, str, int], str]:
    """How each (dataset, model, pack) group's finished runs were executed ("eager",
    "vectorized ×10", ...; "mixed: ..." when its seeds ran differently; "unrecorded" for stores
    written before the mode was stored)."""
    if runs.empty:
        return {}
    done = runs[runs["status"] == "done"]
    col = done["execution"] if "execution" in done else pd.Series(None, index=done.index, dtype=object)
    modes = col.fillna("unrecorded").astype(str)
    out: dict[tuple[str, str, int], str] = {}
    for key, grp in modes.groupby([done["dataset_label"], done["label"], done["pack"]], sort=False):
        uniq = sorted(set(grp))
        out[(str(key[0]), str(key[1]), int(key[2]))] = uniq[0] if len(uniq) == 1 else "mixed: " + ", ".join(uniq)
    return out


def concurrency_modes(runs: pd.DataFrame) -> dict[tuple[str, str, int], str]:
    """How many runs trained at once (and with how many threads) per (dataset, model, pack)
    group, from each run's recorded concurrency ("mixed: ..." when its seeds differ)."""
    from ganbench.executors.concurrency import text

    if runs.empty:
        return {}
    done = runs[runs["status"] == "done"]
    col = done["concurrency"] if "concurrency" in done else pd.Series(None, index=done.index, dtype=object)
    texts = pd.Series([text(v) for v in col], index=done.index, dtype=object)
    out: dict[tuple[str, str, int], str] = {}
    for key, grp in texts.groupby([done["dataset_label"], done["label"], done["pack"]], sort=False):
        uniq = sorted(set(grp))
        out[(str(key[0]), str(key[1]), int(key[2]))] = uniq[0] if len(uniq) == 1 else "mixed: " + ", ".join(uniq)
    return out


def throughput(summary: pd.DataFrame, colors: dict[str, tuple], packed: bool,
               runs: pd.DataFrame | None = None) -> dict[str, Any] | None:
    """Training and generation throughput and peak memory per model (bars, mean ± std), each row
    with the execution mode it was measured in; a table mixing modes says so, since a vectorised
    replica's steps/s (its own steps over the group's wall time) is not a solo run's."""
    t = summary[summary["name"].isin(THROUGHPUT)].copy()
    if t.empty:
        return None
    multi = t["dataset_label"].nunique() > 1
    t["key"] = [
        (f"{d} · " if multi else "") + group_key(lbl, p, packed)
        for d, lbl, p in zip(t["dataset_label"], t["label"], t["pack"])
    ]
    modes = execution_modes(runs) if runs is not None else {}
    t["mode"] = [modes.get((str(d), str(lbl), int(p)), "unrecorded")
                 for d, lbl, p in zip(t["dataset_label"], t["label"], t["pack"])]
    # what else trained meanwhile: steps/s under --jobs 2 are not a solo run's
    conc = concurrency_modes(runs) if runs is not None else {}
    t["concurrency"] = [conc.get((str(d), str(lbl), int(p)), "unrecorded")
                        for d, lbl, p in zip(t["dataset_label"], t["label"], t["pack"])]
    t["name"] = pd.Categorical(t["name"], [n for n in THROUGHPUT if n in set(t["name"])], ordered=True)
    t = t.sort_values(["name", "dataset_label", "label", "pack"])
    t["name"] = t["name"].astype(str)
    bar_colors = {k: colors.get(group_key(lbl, p, packed)) for k, lbl, p in zip(t["key"], t["label"], t["pack"])}
    rows = []
    names = list(dict.fromkeys(t["name"]))
    for key, grp in t.groupby("key", sort=False):
        by = {r["name"]: r for _, r in grp.iterrows()}
        rows.append({"key": key, "mode": grp["mode"].iloc[0], "concurrency": grp["concurrency"].iloc[0],
                     "cells": [fmt_mean_std(by[n]["mean"], by[n]["std"], n, by[n].get("n")) if n in by else "—" for n in names]})
    distinct = sorted({r["mode"] for r in rows})
    concs = sorted({r["concurrency"] for r in rows} - {"unrecorded"})
    mixed = len(distinct) > 1 or any(m.startswith("mixed: ") for m in distinct)
    mixed_conc = len(concs) > 1 or any(c.startswith("mixed: ") for c in concs)
    warning = (
        "Rows were measured in different execution modes (" + "; ".join(distinct) + "): their "
        "throughputs are not comparable column by column. A vectorised replica's steps/s is its own "
        "steps over the whole group's wall time (the group trains N times as many)."
    ) if mixed else None
    if mixed_conc:
        warning = ((warning + " ") if warning else "") + (
            "Rows trained under different concurrency (" + "; ".join(concs) + "): runs side by side share "
            "the machine's cores and memory bandwidth, so their throughputs are not comparable either.")
    return {"src": plots.throughput_figure(t, THROUGHPUT_TITLES, bar_colors),
            "headers": [THROUGHPUT_TITLES.get(n, n) for n in names], "rows": rows,
            "modes": distinct, "warning": warning}
