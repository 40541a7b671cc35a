"""Aggregation rules on known inputs: mean ± std, best marking, seed-noise notes, curves."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ganbench.report.aggregate import (
    add_noise,
    budget_axis,
    curves,
    final_metrics,
    fmt_mean_std,
    mark_best,
    metric_order,
    summarize,
    truncation_key,
    truncation_sweeps,
)
from ganbench.report.stats import noise_verdict, welch_p


def _final(rows: list[tuple]) -> pd.DataFrame:
    """rows of (label, pack, seed, name, value, direction)."""
    return pd.DataFrame(
        [{"dataset_label": "ring", "label": lbl, "pack": p, "run_id": f"{lbl}-{p}-{s}", "seed": s, "name": n,
          "value": v, "direction": d, "extractor": None, "n_samples": 2500, "n_real": None, "note": None}
         for lbl, p, s, n, v, d in rows]
    )


def test_summarize_mean_std_sem_and_seed_count():
    f = _final([("gan", 1, 0, "modes", 5.0, "higher"), ("gan", 1, 1, "modes", 6.0, "higher"),
                ("gan", 1, 2, "modes", 7.0, "higher"), ("gan", 2, 0, "modes", 8.0, "higher")])
    s = summarize(f).set_index(["label", "pack"])
    assert s.loc[("gan", 1), "mean"] == pytest.approx(6.0)
    assert s.loc[("gan", 1), "std"] == pytest.approx(1.0)  # sample std, ddof=1
    assert s.loc[("gan", 1), "sem"] == pytest.approx(1.0 / math.sqrt(3))
    assert s.loc[("gan", 1), "n"] == 3
    assert s.loc[("gan", 2), "std"] == 0.0 and s.loc[("gan", 2), "n"] == 1  # one seed: no spread
    assert s.loc[("gan", 1), "direction"] == "higher"


def test_summarize_ignores_missing_values_in_mean_and_count():
    f = _final([("gan", 1, 0, "fid", 10.0, "lower"), ("gan", 1, 1, "fid", np.nan, "lower"),
                ("gan", 1, 2, "fid", 14.0, "lower")])
    r = summarize(f).iloc[0]
    assert r["mean"] == pytest.approx(12.0) and r["n"] == 2 and r["std"] == pytest.approx(np.std([10, 14], ddof=1))


def test_best_follows_direction_and_ties_are_all_best():
    f = _final([("a", 1, 0, "modes", 8, "higher"), ("b", 1, 0, "modes", 8, "higher"), ("c", 1, 0, "modes", 6, "higher"),
                ("a", 1, 0, "kl", 0.5, "lower"), ("b", 1, 0, "kl", 0.2, "lower"), ("c", 1, 0, "kl", 0.9, "lower"),
                ("a", 1, 0, "steps_seen", 3, None), ("b", 1, 0, "steps_seen", 9, None)])
    s = mark_best(summarize(f))
    best = {(r["name"], r["label"]) for _, r in s[s["best"]].iterrows()}
    assert best == {("modes", "a"), ("modes", "b"), ("kl", "b")}  # no best without a direction


def test_best_is_per_dataset():
    f = pd.concat([_final([("a", 1, 0, "modes", 8, "higher"), ("b", 1, 0, "modes", 5, "higher")]),
                   _final([("a", 1, 0, "modes", 3, "higher"), ("b", 1, 0, "modes", 20, "higher")]).assign(dataset_label="grid")])
    s = mark_best(summarize(f))
    assert set(zip(s[s["best"]]["dataset_label"], s[s["best"]]["label"])) == {("ring", "a"), ("grid", "b")}


def test_noise_note_separates_overlap_from_clear_gaps():
    rows = []
    for seed, (a, b, c) in enumerate([(7.0, 6.8, 2.0), (8.0, 7.9, 2.1), (7.5, 7.2, 1.9)]):
        rows += [("a", 1, seed, "modes", a, "higher"), ("b", 1, seed, "modes", b, "higher"),
                 ("c", 1, seed, "modes", c, "higher")]
    rows.append(("d", 1, 0, "modes", 7.4, "higher"))  # one seed: cannot be tested
    f = _final(rows)
    s = add_noise(mark_best(summarize(f)), f).set_index("label")
    assert s.loc["a", "verdict"] == "best"
    assert s.loc["b", "verdict"] == "noise" and s.loc["b", "p_best"] > 0.05
    assert s.loc["c", "verdict"] == "significant" and s.loc["c", "p_best"] < 0.01
    assert s.loc["d", "verdict"] == "unknown" and np.isnan(s.loc["d", "p_best"])


def test_welch_p_edge_cases_and_symmetry():
    assert welch_p([1.0], [1.0, 2.0]) is None
    assert welch_p([8, 8, 8], [8, 8]) == 1.0  # constant and equal
    assert welch_p([8, 8, 8], [7, 7, 7]) == 0.0  # constant and different
    p1, p2 = welch_p([1, 2, 3, 4], [2, 3, 5, 9]), welch_p([2, 3, 5, 9], [1, 2, 3, 4])
    assert p1 == pytest.approx(p2) and 0 < p1 < 1
    assert welch_p([1, 2, float("nan"), 3], [1, 2, 3]) == pytest.approx(1.0)
    assert noise_verdict(None) == "unknown" and noise_verdict(0.2) == "noise" and noise_verdict(0.01) == "significant"


def test_final_metrics_keeps_only_finished_runs_final_rows():
    runs = pd.DataFrame([
        {"run_id": "r1", "seed": 0, "dataset_label": "ring", "label": "gan", "pack": 1, "status": "done"},
        {"run_id": "r2", "seed": 1, "dataset_label": "ring", "label": "gan", "pack": 1, "status": "failed"},
    ])
    metrics = pd.DataFrame([
        {"run_id": r, "step": st, "name": "modes", "value": v, "final": fin, "direction": "higher",
         "extractor": None, "n_samples": 10, "n_real": None, "note": None}
        for r, st, v, fin in [("r1", 5, 3.0, 0), ("r1", 10, 6.0, 1), ("r2", 10, 1.0, 1)]
    ])
    f = final_metrics(runs, metrics)
    assert f["value"].tolist() == [6.0] and f["run_id"].tolist() == ["r1"]


def test_curves_average_the_kth_evaluation_over_seeds():
    runs = pd.DataFrame([{"run_id": f"s{i}", "dataset_label": "ring", "label": "gan", "pack": 1, "status": "done",
                          "config": {"budget": {"seconds": 3}}} for i in range(2)])
    # seconds budgets: the x of the k-th evaluation differs per seed
    metrics = pd.DataFrame([
        {"run_id": rid, "step": st, "kimg": 0.0, "train_seconds": sec, "name": "modes", "value": v, "final": int(st == 30)}
        for rid, st, sec, v in [("s0", 10, 1.0, 2.0), ("s0", 30, 3.0, 6.0), ("s1", 12, 1.2, 4.0), ("s1", 29, 3.1, 8.0)]
    ])
    x, label = budget_axis(runs)
    assert x == "train_seconds" and "seconds" in label
    c = curves(runs, metrics, x)
    assert c["point"].tolist() == [0, 1]
    assert c["x"].tolist() == pytest.approx([1.1, 3.05])
    assert c["mean"].tolist() == pytest.approx([3.0, 7.0])
    assert c["std"].tolist() == pytest.approx([np.std([2, 4], ddof=1), np.std([6, 8], ddof=1)])
    assert c["n"].tolist() == [2, 2]


def test_truncation_names_and_sweep_table():
    assert truncation_key("fid@trunc=0.5") == ("fid", 0.5)
    assert truncation_key("is@trunc=1") == ("is", 1.0)
    assert truncation_key("fid") is None and truncation_key("fid@trunc=abc") is None
    f = _final([("big", 1, 0, "fid@trunc=1.0", 12, "lower"), ("big", 1, 0, "fid@trunc=0.5", 20, "lower"),
                ("big", 1, 0, "fid", 12, "lower")])
    t = truncation_sweeps(summarize(f))
    assert t["trunc"].tolist() == [0.5, 1.0] and set(t["base"]) == {"fid"}


def test_metric_order_and_formatting():
    assert metric_order(["gen_samples_per_s", "zeta", "reverse_kl", "modes", "fid"]) == \
        ["modes", "reverse_kl", "fid", "zeta", "gen_samples_per_s"]
    assert fmt_mean_std(6.3333, 0.5, "modes") == "6.3 ± 0.5"
    assert fmt_mean_std(0.98234, 0.0123) == "0.982 ± 0.012"
    assert fmt_mean_std(123.456, 7.89) == "123.5 ± 7.9"
    assert fmt_mean_std(float("nan"), 1.0) == "—"


def test_welch_with_tied_seeds_matches_scipy_and_warns_nobody():
    """Seeds that tie on one side (8, 8, 8 modes) made scipy warn "catastrophic cancellation" into
    the run. Oracle: a zero-variance side makes Welch a one-sample t test of the other side."""
    import warnings

    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = welch_p([8.0, 8.0, 8.0], [6.0, 7.0, 7.5])
        near = welch_p([0.875, 0.875 * (1 + 1e-15), 0.875], [0.75, 0.875, 0.8])
    assert p == pytest.approx(stats.ttest_1samp([6.0, 7.0, 7.5], 8.0).pvalue, rel=1e-12)
    assert near == pytest.approx(stats.ttest_1samp([0.75, 0.875, 0.8], 0.875).pvalue, rel=1e-9)
    # ordinary samples: exactly scipy's Welch on the raw values
    a, b = [1.0, 2.0, 4.0], [2.0, 5.0, 7.0, 9.0]
    assert welch_p(a, b) == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue, rel=1e-12)
