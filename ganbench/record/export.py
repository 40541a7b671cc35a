"""Write results to CSV, Parquet or JSON files (``ganbench export``).

Two tables, each one file: the long metrics table (every evaluation of every run, one row per
metric, the run's keys on every row, so a file is self-describing) or, with ``final_only``, the
wide final table (one row per finished run, one column per final metric). Columns and units:
:data:`ganbench.record.results.COLUMNS` and docs/results.md. Files are written atomically.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ganbench.record.results import Results, config_json
from ganbench.util.atomic import write_atomic_path

FORMATS = ("csv", "parquet", "json")


class ExportError(RuntimeError):
    """An export that cannot be written (unknown format, pyarrow missing, unwritable path)."""


def table(results: Results, final_only: bool) -> pd.DataFrame:
    """The table an export writes: the wide final table (with each run's config as JSON) or the
    long metrics table."""
    if final_only:
        cfg = results.runs[["run_id", "config"]].assign(config=lambda d: d["config"].map(config_json))
        return results.final.merge(cfg, on="run_id", how="left")
    return results.metrics.copy()


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ExportError(
            "--format parquet needs pyarrow, an optional extra: pip install 'ganbench[parquet]' "
            "(or use --format csv / json)"
        ) from None


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet runs a cell that begins with one of these as a formula (OWASP, CSV injection)."""


def _neutralise(value: object) -> object:
    if isinstance(value, str) and value and (value[0] in FORMULA_TRIGGERS or value[0] == "'"):
        return "'" + value
    return value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` safe to open in a spreadsheet: every text cell (and header) that begins
    with ``= + - @``, a tab or a carriage return gets a leading ``'``, as OWASP advises, so
    ``=HYPERLINK(...)`` in a label or a plugin's metric name shows as text instead of running.
    Numbers are left alone (``-1.5`` stays a number). A text that already begins with ``'`` gets
    one more, so :func:`read` can strip exactly one and give back what was stored."""
    out = df.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):  # object or pandas' str dtype
            out[col] = out[col].map(_neutralise)
    out.columns = [_neutralise(str(c)) for c in out.columns]
    return out


def _restore(value: object) -> object:
    return value[1:] if isinstance(value, str) and value.startswith("'") else value


def write(df: pd.DataFrame, path: str | Path, fmt: str) -> Path:
    """Write ``df`` to ``path`` in ``fmt`` through a temporary file renamed into place."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    if fmt == "parquet":
        _require_pyarrow()
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path}: is a directory; give a file name")

    def write_to(tmp: Path) -> None:
        if fmt == "csv":
            # every text quoted (OWASP; pandas leaves a bare CR unquoted, which splits the row)
            neutralise_formulas(df).to_csv(tmp, index=False, quoting=csv.QUOTE_NONNUMERIC)
        elif fmt == "parquet":
            df.to_parquet(tmp, index=False)
        else:
            df.to_json(tmp, orient="records", indent=1, double_precision=15)

    write_atomic_path(path, write_to, mode=0o644)
    return path


def read(path: str | Path, fmt: str | None = None) -> pd.DataFrame:
    """Read an exported file back (the format from its suffix unless given)."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".")
    if fmt == "csv":
        df = pd.read_csv(path)
        for col in df.columns:
            if not pd.api.types.is_numeric_dtype(df[col]):
                df[col] = df[col].map(_restore)
        df.columns = [_restore(c) for c in df.columns]
        return df
    if fmt == "parquet":
        _require_pyarrow()
        return pd.read_parquet(path)
    if fmt == "json":
        return pd.read_json(path, orient="records")
    raise ExportError(f"{path}: unknown export format {fmt!r}; known: {', '.join(FORMATS)}")


def default_path(store: str | Path, fmt: str, final_only: bool) -> Path:
    """``OUT/final.<fmt>`` or ``OUT/metrics.<fmt>`` beside the (first) store."""
    p = Path(store)
    out_dir = p if p.is_dir() or p.suffix == "" else p.parent
    return out_dir / f"{'final' if final_only else 'metrics'}.{fmt}"


def export(stores: Sequence[str | Path], fmt: str, *, final_only: bool = False, out: str | Path | None = None,
           losses: bool = True) -> tuple[Path, int]:
    """Export one or several stores; returns the file written and its row count."""
    from ganbench.record.results import load

    if fmt == "parquet":
        _require_pyarrow()  # before reading anything
    results = load(list(stores), losses=losses)
    df = table(results, final_only)
    path = write(df, out or default_path(stores[0], fmt, final_only), fmt)
    return path, len(df)
