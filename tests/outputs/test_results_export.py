"""ganbench.record.results.load and ganbench export: the frames, the files, and the round trip
export -> read back == the numbers the report shows."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ganbench.cli import main
from ganbench.record.export import ExportError, export, read
from ganbench.record.results import COLUMNS, load
from ganbench.report.aggregate import final_metrics, is_error_metric, summarize
from ganbench.report.load import load_stores
from tests.report.conftest import write_store


def _report_final(out: Path) -> pd.DataFrame:
    """The final (run, metric) rows the report is built from, by the report's own code."""
    with load_stores(out) as data:
        return final_metrics(data.runs, data.metrics)


def _norm(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns with None and NaN made one missing value (CSV cannot tell them apart)."""
    df = df.reset_index(drop=True).copy()
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else v)
    return df


def test_load_frames(demo_store):
    r = load(demo_store)
    assert set(r.runs["status"]) == {"done", "failed"}
    assert len(r.runs) == 13 and len(r.final) == 12  # the failed run has no final row
    assert {"step", "kimg", "train_seconds", "extractor", "n_samples", "value", "final"} <= set(r.metrics.columns)
    fid = r.metrics[(r.metrics["name"] == "fid") & r.metrics["final"]]
    assert set(fid["extractor"]) == {"ganbench-mnist-cnn"} and set(fid["n_samples"]) == {1000}
    # wide: one column per final metric, equal to the report's per-run numbers
    rep = _report_final(demo_store)
    rep = rep[~rep["name"].map(is_error_metric)]
    for row in rep.itertuples():
        got = r.final.loc[r.final["run_id"] == row.run_id, row.name]
        assert got.size == 1 and got.iloc[0] == pytest.approx(row.value)
    assert r.final.columns[:4].tolist() == ["run_id", "label", "model", "model_version"]
    assert pd.testing.assert_frame_equal(r.summary(), summarize(rep)) is None


def test_load_merges_several_stores(tmp_path):
    a = write_store(tmp_path / "a.sqlite", images=False, fail=False, suite="a")
    b = write_store(tmp_path / "b.sqlite", images=False, fail=False, suite="b", model_prefix="x")
    r = load([a, b])
    assert set(r.runs["suite"]) == {"a", "b"}
    assert set(r.runs["store"]) == {str(a), str(b)}
    assert len(r.final) == len(load(a).final) + len(load(b).final)


def test_load_can_leave_losses_out(tmp_path):
    from ganbench.record.store import MetricRow, Store

    p = write_store(tmp_path / "s.sqlite", images=False, fail=False)
    with Store.open(p) as s:
        rid = s.runs()["run_id"].iloc[0]
        s.add_metrics([MetricRow(rid, 10, 0.6, 0.1, "loss/d", 1.25)])
    assert (load(p).metrics["name"] == "loss/d").sum() == 1
    assert (load(p, losses=False).metrics["name"] == "loss/d").sum() == 0


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_round_trip_final_equals_report(demo_store, fmt):
    path, rows = export([demo_store], fmt, final_only=True)
    assert path == demo_store / f"final.{fmt}" and rows == 12
    back = read(path)
    rep = _report_final(demo_store)
    rep = rep[~rep["name"].map(is_error_metric)]
    long = back.melt(id_vars=[c for c in back.columns if c in COLUMNS], var_name="name", value_name="value").dropna(
        subset=["value"])
    merged = rep.merge(long[["run_id", "name", "value"]], on=["run_id", "name"], suffixes=("", "_back"))
    assert len(merged) == len(rep)  # every number the report shows is in the file
    np.testing.assert_allclose(merged["value_back"], merged["value"], rtol=1e-12)
    assert back["config"].map(lambda s: '"budget"' in s).all()  # each run's config, as JSON


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_round_trip_metrics_give_the_report_summary(demo_store, fmt):
    path, rows = export([demo_store], fmt)
    back = read(path)
    assert len(back) == rows == len(load(demo_store).metrics)
    fin = back[(back["final"].astype(bool)) & (back["status"] == "done")]
    cols = ["dataset_label", "label", "pack", "run_id", "seed", "name", "value", "direction", "extractor", "n_samples",
            "n_real", "note"]
    ours = summarize(fin[cols])
    report = summarize(_report_final(demo_store))
    pd.testing.assert_frame_equal(_norm(ours), _norm(report), check_dtype=False)


def test_parquet_without_pyarrow_says_how_to_get_it(demo_store, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    with pytest.raises(ExportError, match=re.escape("pip install 'ganbench[parquet]'")):
        export([demo_store], "parquet")
    assert main(["export", str(demo_store), "--format", "parquet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --format parquet needs pyarrow")
    assert not (demo_store / "metrics.parquet").exists()


def test_cli_export(demo_store, tmp_path, capsys):
    out = tmp_path / "x" / "f.csv"
    assert main(["export", str(demo_store), "--final-only", "--out", str(out)]) == 0
    assert "12 rows" in capsys.readouterr().out
    assert len(pd.read_csv(out)) == 12
    assert main(["export", str(tmp_path / "nothing"), "--format", "json"]) == 2
    assert "no results store here" in capsys.readouterr().err


def test_docs_list_every_column(repo):
    text = (repo / "docs" / "results.md").read_text()
    missing = [c for c in COLUMNS if f"`{c}`" not in text]
    assert not missing, f"docs/results.md does not describe column(s) {missing}"
