"""Stores that are not ours, or are damaged: refused with one line, never modified."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from ganbench.record.store import Store, StoreError


def _foreign(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('ada', '123')")
    conn.commit()
    conn.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_error_line(res) -> None:  # a CompletedProcess or the cli fixture's result
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1, res.stderr
    assert "Traceback" not in res.stderr and "[red]" not in res.stderr


def test_report_on_another_applications_sqlite_leaves_it_untouched(tmp_path, cli):
    db = tmp_path / "app.sqlite"
    before = _foreign(db)
    res = cli("report", str(db), "--out", str(tmp_path / "r.html"))
    _one_error_line(res)
    assert "not a ganbench results store" in res.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not (tmp_path / "app.sqlite-wal").exists()
    conn = sqlite3.connect(db)
    assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master")} == {"contacts"}
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_readers_never_write(tmp_path):
    with Store.open(tmp_path / "out") as s:
        s.set_meta("suite", "x")
    with Store.open(tmp_path / "out", create=False) as s:
        assert s.meta()["suite"] == "x"
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            s.set_meta("suite", "y")


def test_run_into_a_foreign_store_is_refused(tiny_suite, tmp_path, cli):
    out = tmp_path / "out"
    out.mkdir()
    before = _foreign(out / "results.sqlite")
    _one_error_line(cli("run", str(tiny_suite), "--out", str(out), "--no-report"))
    assert hashlib.sha256((out / "results.sqlite").read_bytes()).hexdigest() == before


def test_run_into_a_truncated_store_is_one_line(tiny_suite, tmp_path, cli):
    out = tmp_path / "out"
    with Store.open(out) as s:
        s.set_meta("suite", "x")
    data = (out / "results.sqlite").read_bytes()
    (out / "results.sqlite").write_bytes(data[:100])
    for f in out.glob("results.sqlite-*"):
        f.unlink()
    _one_error_line(cli("run", str(tiny_suite), "--out", str(out), "--no-report"))


def test_conflicting_runs_table_is_refused(tmp_path):
    db = tmp_path / "results.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute("CREATE TABLE runs (run_id TEXT PRIMARY KEY, colour TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=r"table 'runs' is not a ganbench runs table \(missing column\(s\) config"):
        Store.open(tmp_path)


def test_out_pointing_at_a_file_is_one_line(tiny_suite, tmp_path, cli):
    f = tmp_path / "file"
    f.write_text("x")
    res = cli("run", str(tiny_suite), "--out", str(f), "--no-report")
    _one_error_line(res)
    assert "not a directory" in res.stderr and f.read_text() == "x"
