"""The report's "Model figures" section: grids a metric stored with a run appear, per dataset and
model; malformed grids are refused with the figure's title."""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.figures import check_figure, store_figures
from ganbench.report.build import render_report
from ganbench.report.figures import figure_titles, model_figures
from ganbench.report.load import load_stores
from ganbench.store import MetricRow, Store


def _store(path, figures: dict | None):
    with Store.open(path) as s:
        s.set_meta("suite", "fig")
        rid = "fig/infogan/mnist/p1/s0"
        s.upsert_run(rid, suite="fig", model="infogan", label="infogan", model_version="0.1", plugin="infogan",
                     plugin_dist="ganbench-infogan", dataset="mnist", dataset_label="mnist", seed=0, pack=1,
                     config={"budget": {"steps": 10}}, status="done", duration_s=1.0, steps=10, kimg=1.0)
        s.add_metrics([MetricRow(rid, 10, 1.0, 1.0, "code_accuracy", 0.9, "higher", final=True)])
        s.put_array(rid, "samples", np.zeros((4, 1, 8, 8), dtype=np.float16))
        if figures:
            store_figures(s, rid, figures)
    return path


def test_stored_grids_are_shown_per_model(tmp_path):
    grid = np.linspace(-1, 1, 3 * 10 * 64, dtype=np.float32).reshape(3, 10, 1, 8, 8)
    path = _store(tmp_path / "r.sqlite", {"c1 (categorical)": grid, "c2": grid[:2]})
    with load_stores(path) as data:
        assert figure_titles(data, "fig/infogan/mnist/p1/s0") == ["c1 (categorical)", "c2"]
        sections = model_figures(data, packed=False)
    assert [d["dataset"] for d in sections] == ["mnist"]
    figs = sections[0]["groups"][0]["figures"]
    assert [f["title"] for f in figs] == ["c1 (categorical)", "c2"]
    assert all(f["src"].startswith("data:image/png;base64,") for f in figs)
    # 10 columns of 8 px + 2 px padding, shown at 4x (8 px tiles)
    assert figs[0]["width"] == (10 * 10 + 2) * 4
    html = render_report(path, tmp_path / "r.html").read_text()
    assert "Model figures" in html and "c1 (categorical)" in html


def test_runs_without_figures_have_no_section(tmp_path):
    path = _store(tmp_path / "r.sqlite", None)
    with load_stores(path) as data:
        assert model_figures(data, packed=False) == []
    assert "Model figures" not in render_report(path, tmp_path / "r.html").read_text()


@pytest.mark.parametrize("bad, match", [
    (np.zeros((2, 2, 2, 8, 8)), "C 1 or 3"),
    (np.zeros((2, 8, 8)), "rows, cols"),
    (np.full((1, 1, 1, 2, 2), np.nan), "non-finite"),
    (np.zeros((21, 20, 1, 2, 2)), "tiles"),
])
def test_malformed_figures_are_refused_by_title(bad, match):
    with pytest.raises(ValueError, match=f"figure 'x'.*{match}"):
        check_figure("x", bad)
