"""The SQLite results store: round trip, schema version, transactions, concurrent writers."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from ganbench.record.store import SCHEMA_VERSION, MetricRow, Store, StoreError


def _add_run(store: Store, run_id: str, **extra):
    store.upsert_run(run_id, suite="s", model="gan", label="gan", dataset="d", dataset_label="d",
                     seed=0, pack=1, config={"a": 1}, status="pending", **extra)


def test_round_trip(tmp_path):
    with Store.open(tmp_path / "out") as store:
        _add_run(store, "r1", hardware={"cpu": "x"})
        store.upsert_run("r1", status="done", steps=10, kimg=1.5)
        store.add_metrics([
            MetricRow("r1", 5, 0.5, 1.0, "modes", 7.0, "higher", None, 2500, None, "out of 8", False),
            MetricRow("r1", 10, 1.5, 2.0, "modes", 8.0, "higher", None, 2500, None, "out of 8", True),
            MetricRow("r1", 10, 1.5, 2.0, "fid", float("nan"), "lower", "inception-v3"),
        ])
        store.put_array("r1", "samples", np.arange(6, dtype=np.float32).reshape(3, 2))
    with Store.open(tmp_path / "out", create=False) as store:
        assert store.meta()["schema_version"] == SCHEMA_VERSION
        runs = store.runs()
        assert runs.loc[0, "status"] == "done" and runs.loc[0, "config"] == {"a": 1}
        assert runs.loc[0, "hardware"] == {"cpu": "x"} and runs.loc[0, "steps"] == 10
        m = store.metrics()
        assert len(m) == 3
        assert store.metrics(final_only=True).value.tolist() == [8.0]
        assert m[m.name == "fid"].value.isna().all()  # non-finite values are stored as NULL, never as a number
        assert (store.array("r1", "samples") == np.arange(6).reshape(3, 2)).all()
        assert store.integrity_ok()


def test_failed_transaction_leaves_nothing(tmp_path):
    with Store.open(tmp_path / "s.sqlite") as store:
        _add_run(store, "r1")
        with pytest.raises(sqlite3.IntegrityError):
            store.add_metrics([
                MetricRow("r1", 1, 0, 0, "a", 1.0),
                MetricRow("no-such-run", 1, 0, 0, "a", 1.0),  # foreign key violation
            ])
        assert store.metrics().empty


def test_missing_store_and_not_a_store(tmp_path):
    with pytest.raises(StoreError, match="no results store"):
        Store.open(tmp_path / "missing", create=False)
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a ganbench results store"):
        Store.open(bad)


def test_newer_schema_refused(tmp_path):
    with Store.open(tmp_path / "s.sqlite") as store:
        store._conn.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    with pytest.raises(StoreError, match="newer"):
        Store.open(tmp_path / "s.sqlite")


WRITER = """
import sys
from ganbench.record.store import MetricRow, Store
path, worker, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with Store.open(path) as store:
    for i in range(n):
        rid = f"w{worker}-{i}"
        store.upsert_run(rid, suite="s", model="gan", label="gan", dataset="d", dataset_label="d",
                         seed=0, pack=1, config={}, status="pending")
        store.add_metrics([MetricRow(rid, s, 0, 0, "m", float(s)) for s in range(5)])
        store.upsert_run(rid, status="done")
"""


def test_two_processes_write_one_store(tmp_path):
    path = str(tmp_path / "s.sqlite")
    Store.open(path).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, path, str(w), "30"]) for w in range(2)]
    for p in procs:
        assert p.wait(timeout=300) == 0
    with Store.open(path) as store:
        assert store.integrity_ok()
        runs = store.runs()
        assert len(runs) == 60 and (runs.status == "done").all()
        assert len(store.metrics()) == 300
