"""A baseline holding ``Infinity``, ``NaN`` or ``1e400`` (all valid JSON to Python) is refused.

Before, ``std: Infinity`` made every tolerance infinite and ``check`` passed a fully regressed
store with exit 0: the gate silently open.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ganbench.cli import main
from ganbench.gate.baseline import BaselineError, load_baseline
from ganbench.gate.regression import CheckError, floor_value, parse_floor_arg

GOOD = {
    "format": "ganbench-baseline", "format_version": 1, "suite": "s", "suite_hash": "abc123",
    "groups": [{"label": "gan", "dataset_label": "mog-ring8", "pack": 1, "model": "gan", "seeds": [0, 1],
                "config": {}, "metrics": {"modes": {"mean": 8.0, "std": 0.5, "n": 2, "values": [7.5, 8.5]}}}],
}


def _write(tmp_path: Path, field: str, raw_value: str) -> Path:
    """GOOD with one metric field replaced by a raw JSON token (json.dumps cannot write 1e400)."""
    text = json.dumps(GOOD).replace(f'"{field}": {json.dumps(GOOD["groups"][0]["metrics"]["modes"][field])}',
                                    f'"{field}": {raw_value}')
    p = tmp_path / "base.json"
    p.write_text(text)
    return p


@pytest.mark.parametrize("field", ["mean", "std", "values"])
@pytest.mark.parametrize("token", ["Infinity", "-Infinity", "NaN", "1e400", "-1e400"])
def test_non_finite_numbers_are_refused_naming_the_field(tmp_path, field, token):
    raw = f"[7.5, {token}]" if field == "values" else token
    with pytest.raises(BaselineError) as err:
        load_baseline(_write(tmp_path, field, raw))
    msg = str(err.value)
    assert "groups[0].metrics.modes." + field in msg and "not a finite number" in msg and "\n" not in msg


def test_negative_std_and_zero_seeds_are_refused(tmp_path):
    with pytest.raises(BaselineError, match="cannot be negative"):
        load_baseline(_write(tmp_path, "std", "-1"))
    with pytest.raises(BaselineError, match="at least one seed"):
        load_baseline(_write(tmp_path, "n", "0"))


@pytest.mark.parametrize("text", ["fid=inf", "fid=nan", "fid=inf%", "fid=nan%", "fid=1e400%", "fid=-5%"])
def test_non_finite_floors_are_refused(text):
    with pytest.raises(CheckError):
        parse_floor_arg(text)


def test_floor_value_refuses_infinity_from_a_suite():
    with pytest.raises(CheckError):
        floor_value(float("inf"), 1.0)


def test_check_refuses_an_infinite_baseline_instead_of_passing_a_regression(check_store, check_baseline, tmp_path,
                                                                          capsys):
    """The probe: a baseline whose means are far better than the store, with std Infinity."""
    doc = json.loads(Path(check_baseline).read_text())
    for g in doc["groups"]:
        for m in g["metrics"].values():
            if m.get("mean") is not None:
                m["mean"] = m["mean"] * 100 + 100  # the store is now far worse than the baseline
            m["std"] = "INF"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc).replace('"INF"', "Infinity"))
    assert main(["check", str(check_store), "--baseline", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not a finite number" in err and "Traceback" not in err
