"""Points of a curve evaluated with different sample counts are distinct series, never one line:
FID's small-sample bias alone would make the final (larger-n) point drop."""

from __future__ import annotations

import pandas as pd
import pytest

from ganbench.report import plots
from ganbench.report.aggregate import curves


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    runs = pd.DataFrame([{"run_id": f"s{i}", "dataset_label": "mnist", "label": "dcgan", "pack": 1, "status": "done",
                          "config": {"budget": {"steps": 300}}} for i in range(2)])
    rows = []
    for rid, off in (("s0", 0.0), ("s1", 1.0)):
        for step, n, fid in ((100, 1000, 40.0), (200, 1000, 30.0), (300, 5000, 12.0)):
            rows.append({"run_id": rid, "step": step, "kimg": step * 0.064, "train_seconds": step / 100, "name": "fid",
                         "value": fid + off, "final": int(step == 300), "n_samples": n})
            rows.append({"run_id": rid, "step": step, "kimg": step * 0.064, "train_seconds": step / 100, "name": "modes",
                         "value": 5.0 + step / 100, "final": int(step == 300), "n_samples": 2500})
    return runs, pd.DataFrame(rows)


def test_curves_carry_the_sample_count_of_each_point():
    c = curves(*_frames(), "step")
    fid = c[c["name"] == "fid"].sort_values("point")
    assert fid["n_samples"].tolist() == [1000, 1000, 5000]
    assert fid["mean"].tolist() == pytest.approx([40.5, 30.5, 12.5])


def test_figure_draws_each_sample_count_as_its_own_labelled_series(monkeypatch):
    captured = []
    monkeypatch.setattr(plots, "to_data_uri", lambda fig: captured.append(fig) or "data:")
    part = curves(*_frames(), "step")
    part["key"] = "dcgan"
    plots.curves_figure(part, "generator steps", {"dcgan": (0.1, 0.2, 0.3)})
    axes = {ax.get_title(): ax for ax in captured[0].axes if ax.get_title()}
    fid_lines = {ln.get_label(): list(ln.get_xdata()) for ln in axes["fid"].get_lines()}
    assert fid_lines == {"dcgan, n=1,000": [100.0, 200.0], "dcgan, n=5,000": [300.0]}
    legend = axes["fid"].get_legend()
    assert legend is not None and "generated samples" in legend.get_title().get_text()
    # a metric scored with one count everywhere stays one line, without a per-panel legend
    assert [ln.get_label() for ln in axes["modes"].get_lines()] == ["dcgan"]
    assert axes["modes"].get_legend() is None
