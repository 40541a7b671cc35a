"""The report's "Model figures" section: grids a metric stored with a run appear, per dataset and
model; malformed grids are refused with the figure's title."""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.api import MetricSpec, MetricValue, hookimpl
from ganbench.contract.figures import check_figure, store_figures
from ganbench.record.store import MetricRow, Store
from ganbench.report.build import render_report
from ganbench.report.figures import figure_titles, model_figures
from ganbench.report.load import load_stores


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


class FigureMetrics:
    """A metric plugin leaving one good and one malformed figure at the final evaluation."""

    @staticmethod
    def _compute(ctx):
        if ctx.final:
            ctx.figures["ok"] = np.zeros((1, 2, 1, 4, 4))
            if ctx.options.get("bad_figure"):
                ctx.figures["bad"] = np.zeros((2, 2))
        return {"seen_model": MetricValue(float(ctx.model is not None), "higher")}

    @hookimpl
    def ganbench_metrics(self):
        return [MetricSpec(name="figure-metric", compute=self._compute)]


SUITE = """
name: figs
seeds: 1
device: cpu
budget: {{steps: 2}}
eval: {{n_samples: 100, options: {{bad_figure: {bad}}}}}
datasets: [{{name: mog-ring8, params: {{n_samples: 500}}}}]
metrics: [figure-metric]
models:
  - model: gan
    hparams: {{g_hidden: 8, d_hidden: 8}}
"""


@pytest.mark.parametrize("bad", [False, True])
def test_the_harness_stores_figures_and_names_a_malformed_one(tmp_path, bad):
    from ganbench.plugins import load_registry
    from ganbench.run.runner import run_suite

    suite = tmp_path / "s.yaml"
    suite.write_text(SUITE.format(bad=str(bad).lower()))
    out = tmp_path / "out"
    run_suite(suite, out, registry=load_registry(extra_plugins=[FigureMetrics()]), render=False)
    with Store.open(out / "results.sqlite", create=False) as s:
        rid = s.runs()["run_id"].iloc[0]
        assert s.runs()["status"].iloc[0] == "done"  # a bad figure never fails the run
        m = s.metrics()
        fin = m[m["final"] == 1].set_index("name")
        assert fin.loc["seen_model", "value"] == 1.0  # metrics are handed the model
        if bad:
            assert "figures.error" in fin.index and "figure 'bad'" in fin.loc["figures.error", "note"]
            assert s.array(rid, "figure_index") is None  # nothing half-written
        else:
            assert "figures.error" not in fin.index
            assert [str(t) for t in s.array(rid, "figure_index")] == ["ok"]
