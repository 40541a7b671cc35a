"""Baselines that cannot gate anything, or are malformed: one error line naming the field, exit 2;
and markdown for PR comments never carries a plugin's raw HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ganbench.gate.baseline import BaselineError, load_baseline


def _good(tmp_path: Path) -> dict:
    return {
        "format": "ganbench-baseline", "format_version": 1, "suite": "s", "suite_hash": "abc123",
        "groups": [{
            "label": "gan", "dataset_label": "mog-ring8", "pack": 1, "model": "gan", "seeds": [0, 1],
            "config": {"pack": 1}, "metrics": {"modes": {"mean": 8.0, "std": 0.0, "n": 2, "values": [8, 8]}},
        }],
    }


def _write(tmp_path: Path, doc) -> Path:
    p = tmp_path / "base.json"
    p.write_text(json.dumps(doc))
    return p


def test_the_good_baseline_loads(tmp_path):
    b = load_baseline(_write(tmp_path, _good(tmp_path)))
    assert list(b.groups) == [("gan", "mog-ring8", 1)]


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda d: d.update(groups=[]), "groups: no groups"),
        (lambda d: d["groups"][0].update(metrics={}), "groups[0].metrics: no metrics"),
        (lambda d: d.update(suite_hash=None), "suite_hash"),
        (lambda d: d["groups"][0]["metrics"]["modes"].update(values=5), "groups[0].metrics.modes.values"),
        (lambda d: d["groups"][0].update(seeds=["a"]), "groups[0].seeds"),
        (lambda d: d["groups"][0].update(config=[1, 2]), "groups[0].config"),
        (lambda d: d["groups"][0]["metrics"]["modes"].update(std="x"), "groups[0].metrics.modes.std"),
        (lambda d: d["groups"][0]["metrics"]["modes"].update(mean=True), "groups[0].metrics.modes.mean"),
        (lambda d: d["groups"][0].update(pack=True), "groups[0].pack"),
        (lambda d: d.update(plugins=[1]), "plugins"),
    ],
)
def test_empty_or_malformed_baselines_are_refused_naming_the_field(tmp_path, edit, expected):
    doc = _good(tmp_path)
    edit(doc)
    with pytest.raises(BaselineError) as err:
        load_baseline(_write(tmp_path, doc))
    assert expected in str(err.value) and str(tmp_path) in str(err.value)


def test_non_utf8_and_deeply_nested_baselines_are_one_error(tmp_path):
    p = tmp_path / "b.json"
    p.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(BaselineError, match="UTF-8"):
        load_baseline(p)
    p.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(BaselineError):
        load_baseline(p)


def test_markdown_escapes_plugin_text(tmp_path):
    from ganbench.gate.regression import CheckOptions, CheckResult, CheckRow
    from ganbench.gate.regression_output import to_markdown

    evil = '<img src=x onerror=alert(1)>'
    row = CheckRow(group=f"{evil} / ring / pack 1", metric=evil, status="regressed", reason=evil,
                   baseline_mean=1.0, baseline_std=0.1, baseline_n=2, current_mean=2.0, current_std=0.1,
                   current_n=2, delta=1.0, tolerance=0.3, direction="lower")
    result = CheckResult("store", "base.json", f"s`{evil}", 1, [row], [evil], [evil], CheckOptions(k=3.0))
    md = to_markdown(result)
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt;" in md


def test_check_cli_on_empty_baseline_exits_2_with_one_line(tmp_path, cli):
    doc = _good(tmp_path)
    doc["groups"] = []
    base = _write(tmp_path, doc)
    res = cli("check", str(tmp_path), "--baseline", str(base))
    assert res.returncode == 2
    assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1 and "[red]" not in res.stderr
