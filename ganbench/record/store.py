"""The results store: one SQLite file per output directory.

Why SQLite: every write is a transaction (a killed process leaves the last committed state, never a
half-written file), two processes can write to one store (WAL + busy timeout), and a store is one
file a user can copy, merge or query with any SQLite client.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ganbench.util.faults import fault_point

SCHEMA_VERSION = 1
STORE_FILENAME = "results.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    suite TEXT NOT NULL,
    suite_hash TEXT,
    model TEXT NOT NULL,
    label TEXT NOT NULL,
    model_version TEXT,
    plugin TEXT,
    plugin_dist TEXT,
    plugin_description TEXT,
    dataset TEXT NOT NULL,
    dataset_label TEXT NOT NULL,
    seed INTEGER NOT NULL,
    pack INTEGER NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    hardware TEXT,
    started_at REAL,
    finished_at REAL,
    duration_s REAL,
    train_seconds REAL,
    steps INTEGER,
    kimg REAL,
    execution TEXT
);
CREATE TABLE IF NOT EXISTS metrics (
    run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    kimg REAL,
    train_seconds REAL,
    name TEXT NOT NULL,
    value REAL,
    direction TEXT,
    extractor TEXT,
    n_samples INTEGER,
    n_real INTEGER,
    note TEXT,
    final INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, step, name)
);
CREATE TABLE IF NOT EXISTS artifacts (
    run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (run_id, name)
);
"""

# Columns added to ``runs`` after schema 1 shipped; older stores gain them (NULL) on open.
# ``execution``: how the run's steps ran (eager / compiled (...) / vectorized ×N), so throughput
# numbers are never compared across modes unawares and nobody expects a vectorised run's solo
# rerun to match it bit for bit. ``concurrency``: the runs at once and threads it trained under
# (JSON, ganbench.executors.concurrency): throughput and seconds budgets depend on it.
# ``code``: what identifies the model plugin's code that made the run (JSON: distribution, version,
# first_party, location, sha256 of its sources; ganbench.plugins.PluginInfo.code_identity).
_ADDED_RUN_COLUMNS = {"execution": "TEXT", "concurrency": "TEXT", "code": "TEXT"}

_COLUMNS: dict[str, set[str]] = {}


def _expected_columns() -> dict[str, set[str]]:
    """Each table's columns as :data:`_SCHEMA` declares them (read from an in-memory copy)."""
    if not _COLUMNS:
        mem = sqlite3.connect(":memory:")
        mem.executescript(_SCHEMA)
        for (table,) in mem.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
            _COLUMNS[table] = {r[1] for r in mem.execute(f"PRAGMA table_info({table})")}
        mem.close()
    return _COLUMNS


class StoreError(RuntimeError):
    pass


def _connect_ro(p: Path, **kwargs: Any) -> sqlite3.Connection:
    """A read-only connection. A WAL store copied alone into a read-only folder cannot make its
    ``-shm`` file there, and SQLite says "unable to open database file"; such a folder has no
    writer, so the file is opened ``immutable`` instead (its committed content is all there is)."""
    uri = p.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=60.0, **kwargs)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.OperationalError as exc:
        if "unable to open" in str(exc) and not _writable_folder(p.parent):
            conn.close()
            return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=60.0, **kwargs)
    except sqlite3.DatabaseError:
        pass  # not a database at all: the caller's first query says so, as before
    return conn


def _writable_folder(folder: Path) -> bool:
    """Whether a file can be created in ``folder`` (``os.access`` says yes to root in a folder made
    immutable, or on a read-only mount, so it is tried)."""
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _schema_int(path: Path, value: Any) -> int:
    try:
        return int(str(value).strip().strip('"'))
    except (TypeError, ValueError):
        raise StoreError(f"{path}: meta.schema_version is {str(value)[:40]!r}, not an integer; "
                         "not a ganbench store, or a damaged one") from None


def _json_object(path: Path, table: str, col: str, run_id: Any, text: Any) -> dict[str, Any]:
    if text is None or text == "" or isinstance(text, float) and text != text:  # NULL (pandas: NaN)
        return {}
    if isinstance(text, str) and text.strip() == "null":
        return {}
    try:
        value = json.loads(text) if isinstance(text, (str, bytes)) else text
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise StoreError(f"{path}: {table}.{col} of run {str(run_id)[:80]!r} is not JSON; the store is damaged "
                         "(edited by hand?)") from None
    if not isinstance(value, dict):
        raise StoreError(f"{path}: {table}.{col} of run {str(run_id)[:80]!r} is not a JSON object; the store is damaged")
    return value


_NUMERIC_RUN_COLUMNS = ("seed", "pack", "started_at", "finished_at", "duration_s", "train_seconds", "steps", "kimg")
_NUMERIC_METRIC_COLUMNS = ("step", "kimg", "train_seconds", "value", "n_samples", "n_real", "final")


def _check_numeric(path: Path, table: str, df: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """SQLite keeps whatever a hand edit put in a REAL column; a text there would crash every
    aggregate far from its cause, so it is named here instead."""
    for col in columns:
        if col not in df.columns or df[col].dtype.kind in "iufb":
            continue
        for i, v in enumerate(df[col]):
            if v is None or isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                continue
            who = df["run_id"].iloc[i] if "run_id" in df.columns else i
            raise StoreError(f"{path}: {table}.{col} of run {str(who)[:80]!r} holds {str(v)[:40]!r}, not a number; "
                             "the store is damaged (edited by hand?)")


@dataclass(frozen=True)
class MetricRow:
    run_id: str
    step: int
    kimg: float
    train_seconds: float
    name: str
    value: float
    direction: str | None = None
    extractor: str | None = None
    n_samples: int | None = None
    n_real: int | None = None
    note: str | None = None
    final: bool = False


def resolve_store_path(path: str | Path) -> Path:
    """A store is named by its file or by the output directory that holds it."""
    p = Path(path)
    return p / STORE_FILENAME if p.is_dir() or p.suffix == "" else p


class Store:
    """A results store. Open with :meth:`open`; every public write is one transaction."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self._conn = conn

    # -- lifecycle ------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, readonly: bool | None = None) -> Store:
        """Open (or with ``create`` make) a store. ``create=False`` opens for reading only
        (``readonly`` overrides): ``report``, ``check`` and ``baseline`` never write a byte.

        An existing file is recognised as a ganbench store by its ``meta`` table and the columns
        of its tables *before* anything is written to it, so another application's SQLite file is
        refused untouched (no tables added, journal mode unchanged).
        """
        p = resolve_store_path(path)
        readonly = (not create) if readonly is None else readonly
        if p.exists() and not p.is_file():
            raise StoreError(f"{p}: is not a file; a results store is a SQLite file")
        if not p.exists():
            if not create:
                raise StoreError(f"{p}: no results store here (run `ganbench run SUITE --out DIR` first)")
            p.parent.mkdir(parents=True, exist_ok=True)
        elif p.stat().st_size > 0 or readonly:
            cls._recognise(p)
        try:
            if readonly:
                conn = _connect_ro(p, isolation_level=None)
            else:
                conn = sqlite3.connect(p, timeout=60.0, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"{p}: cannot open the results store ({exc})") from None
        try:
            conn.execute("PRAGMA busy_timeout=60000")
            store = cls(p, conn)
            if not readonly:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute("PRAGMA synchronous=NORMAL")
                store._init_schema()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{p}: not a ganbench results store ({exc})") from None
        except StoreError:
            conn.close()
            raise
        if readonly:
            store._check_schema_version(warn_newer=True)
        return store

    @staticmethod
    def _recognise(p: Path) -> None:
        """Raise :class:`StoreError` unless ``p`` is a ganbench store (read-only look)."""
        try:
            conn = _connect_ro(p)
        except sqlite3.Error as exc:
            raise StoreError(f"{p}: cannot open it ({exc})") from None
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "meta" not in tables or conn.execute(
                "SELECT 1 FROM meta WHERE key='schema_version'"
            ).fetchone() is None:
                raise StoreError(f"{p}: not a ganbench results store (no ganbench meta table); left untouched")
            expected = _expected_columns()
            for table, cols in expected.items():
                if table not in tables:
                    continue  # created on open
                have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
                missing = sorted(cols - have - (set(_ADDED_RUN_COLUMNS) if table == "runs" else set()))
                if missing:
                    raise StoreError(
                        f"{p}: table {table!r} is not a ganbench {table} table (missing column(s) "
                        f"{', '.join(missing)}); left untouched"
                    )
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{p}: not a ganbench results store ({exc}); left untouched") from None
        finally:
            conn.close()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` takes the write lock up front, so concurrent writers queue
        instead of failing half way."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            fault_point("store-commit")  # test-only: GANBENCH_FAULT=store-commit:N
            self._conn.execute("COMMIT")

    def _init_schema(self) -> None:
        with self.transaction() as c:
            for stmt in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                c.execute(stmt)
            cols = {r[1] for r in c.execute("PRAGMA table_info(runs)")}
            for col, decl in _ADDED_RUN_COLUMNS.items():  # stores written before the column existed
                if col not in cols:
                    c.execute(f"ALTER TABLE runs ADD COLUMN {col} {decl}")
            row = c.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                c.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                c.execute("INSERT INTO meta VALUES ('created_at', ?)", (str(time.time()),))
            elif _schema_int(self.path, row[0]) > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: schema version {row[0]} is newer than this ganbench supports "
                    f"({SCHEMA_VERSION}); upgrade ganbench to add runs to it"
                )

    def _check_schema_version(self, *, warn_newer: bool) -> None:
        """Readers: a non-integer version is an error; a newer one a warning (read what we know)."""
        row = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        version = _schema_int(self.path, None if row is None else row[0])
        if warn_newer and version > SCHEMA_VERSION:
            logging.getLogger(__name__).warning(
                "%s: schema version %d is newer than this ganbench knows (%d); reading the columns it knows, "
                "newer fields are ignored (upgrade ganbench to see them)", self.path, version, SCHEMA_VERSION)

    # -- writes ---------------------------------------------------------------------------
    def set_meta(self, key: str, value: Any) -> None:
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def upsert_run(self, run_id: str, **fields: Any) -> None:
        """Insert a run or update the given fields of an existing one."""
        for k in ("config", "hardware"):
            if k in fields and not isinstance(fields[k], str):
                fields[k] = json.dumps(fields[k], sort_keys=True, default=str)
        with self.transaction() as c:
            exists = c.execute("SELECT 1 FROM runs WHERE run_id=?", (run_id,)).fetchone()
            if exists:
                if fields:
                    sets = ", ".join(f"{k}=?" for k in fields)
                    c.execute(f"UPDATE runs SET {sets} WHERE run_id=?", (*fields.values(), run_id))
            else:
                cols = ["run_id", *fields]
                c.execute(
                    f"INSERT INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                    (run_id, *fields.values()),
                )

    def reset_run(self, run_id: str) -> None:
        """Forget a run's metrics and artifacts (before it is run again from scratch)."""
        with self.transaction() as c:
            c.execute("DELETE FROM metrics WHERE run_id=?", (run_id,))
            c.execute("DELETE FROM artifacts WHERE run_id=?", (run_id,))

    def add_metrics(self, rows: list[MetricRow]) -> None:
        if not rows:
            return
        with self.transaction() as c:
            c.executemany(
                "INSERT OR REPLACE INTO metrics VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        r.run_id, r.step, r.kimg, r.train_seconds, r.name,
                        None if r.value is None or not np.isfinite(r.value) else float(r.value),
                        r.direction, r.extractor, r.n_samples, r.n_real, r.note, int(r.final),
                    )
                    for r in rows
                ],
            )

    def put_artifact(self, run_id: str, name: str, kind: str, data: bytes) -> None:
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO artifacts VALUES (?,?,?,?)", (run_id, name, kind, data))

    def put_array(self, run_id: str, name: str, array: np.ndarray) -> None:
        """Arrays are stored as .npy bytes (read back with ``allow_pickle=False``)."""
        import io

        buf = io.BytesIO()
        np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
        self.put_artifact(run_id, name, "npy", buf.getvalue())

    # -- reads ----------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        out = {}
        for k, v in self._conn.execute("SELECT key, value FROM meta"):
            try:
                out[k] = json.loads(v)
            except json.JSONDecodeError:
                out[k] = v
        return out

    def runs(self) -> pd.DataFrame:
        df = pd.read_sql_query("SELECT * FROM runs ORDER BY label, dataset_label, pack, seed", self._conn)
        for col in _ADDED_RUN_COLUMNS:  # an older store opened read-only has not gained them
            if col not in df.columns:
                df[col] = None
        for col in ("config", "hardware"):
            df[col] = [_json_object(self.path, "runs", col, rid, s) for rid, s in zip(df["run_id"], df[col])]
        _check_numeric(self.path, "runs", df, _NUMERIC_RUN_COLUMNS)
        return df

    def run_status(self, run_id: str) -> str | None:
        row = self._conn.execute("SELECT status FROM runs WHERE run_id=?", (run_id,)).fetchone()
        return row[0] if row else None

    def run_row(self, run_id: str) -> dict[str, Any] | None:
        """One run's row as a dict (None if the store has no such run)."""
        cur = self._conn.execute("SELECT * FROM runs WHERE run_id=?", (run_id,))
        row = cur.fetchone()
        return None if row is None else dict(zip([d[0] for d in cur.description], row))

    def last_metric_step(self, run_id: str) -> int | None:
        """The step of a run's latest recorded evaluation (None before its first); the thinned
        loss curve (``loss/*`` rows) is not an evaluation."""
        row = self._conn.execute(
            "SELECT MAX(step) FROM metrics WHERE run_id=? AND name NOT LIKE 'loss/%'", (run_id,)
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def metrics(self, final_only: bool = False) -> pd.DataFrame:
        q = "SELECT * FROM metrics" + (" WHERE final=1" if final_only else "") + " ORDER BY run_id, step, name"
        df = pd.read_sql_query(q, self._conn)
        _check_numeric(self.path, "metrics", df, _NUMERIC_METRIC_COLUMNS)
        return df

    def artifact(self, run_id: str, name: str) -> bytes | None:
        row = self._conn.execute(
            "SELECT data FROM artifacts WHERE run_id=? AND name=?", (run_id, name)
        ).fetchone()
        return bytes(row[0]) if row else None

    def array(self, run_id: str, name: str) -> np.ndarray | None:
        import io

        data = self.artifact(run_id, name)
        return None if data is None else np.load(io.BytesIO(data), allow_pickle=False)

    def integrity_ok(self) -> bool:
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
