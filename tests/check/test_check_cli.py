"""``ganbench baseline`` / ``check`` / ``bench`` on the command line: exit codes and outputs."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET

import pytest

from ganbench.cli import main


def test_baseline_command_writes_a_loadable_file(check_store, tmp_path, capsys):
    out = tmp_path / "b" / "tiny.json"
    assert main(["baseline", str(check_store), "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["format"] == "ganbench-baseline" and data["groups"][0]["seeds"] == [0, 1]
    assert "tiny.json" in capsys.readouterr().out


def test_baseline_of_missing_store_is_exit_2(tmp_path, capsys):
    assert main(["baseline", str(tmp_path / "nope"), "--out", str(tmp_path / "b.json")]) == 2
    assert "no results store" in capsys.readouterr().err


def test_check_pass_with_all_outputs(check_store, check_baseline, tmp_path, capsys):
    junit, md = tmp_path / "check.xml", tmp_path / "check.md"
    code = main(["check", str(check_store), "--baseline", str(check_baseline), "--format", "json",
                 "--junit", str(junit), "--markdown", str(md)])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "pass" and data["counts"]["regressed"] == 0
    suite = ET.parse(junit).getroot().find("testsuite")
    assert int(suite.get("failures")) == 0 and int(suite.get("errors")) == 0
    names = {c.get("name") for c in suite.iter("testcase")}
    assert {"modes", "hq_share", "reverse_kl"} <= names
    assert "**pass**" in md.read_text()


def test_check_regression_table_junit_markdown(store_copy, check_baseline, tmp_path, capsys):
    con = sqlite3.connect(store_copy / "results.sqlite")
    with con:
        con.execute("UPDATE metrics SET value=value+40 WHERE name='reverse_kl' AND final=1")
    con.close()
    junit, md = tmp_path / "check.xml", tmp_path / "check.md"
    code = main(["check", str(store_copy), "--baseline", str(check_baseline), "--junit", str(junit), "--markdown", str(md)])
    assert code == 1
    out = capsys.readouterr().out
    assert "regressed" in out and "reverse_kl" in out and "regression (exit 1)" in out
    suite = ET.parse(junit).getroot().find("testsuite")
    (failed,) = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed.get("name") == "reverse_kl" and "gan / mog-ring8 / pack 1" == failed.get("classname")
    text = md.read_text()
    assert "**regression**" in text and "| ❌ |" in text


def test_check_cli_options_override(store_copy, check_baseline, capsys):
    con = sqlite3.connect(store_copy / "results.sqlite")
    with con:
        con.execute("UPDATE metrics SET value=value+0.5 WHERE name='reverse_kl' AND final=1")
    con.close()
    args = ["check", str(store_copy), "--baseline", str(check_baseline), "--format", "json"]
    assert main(args + ["--floor", "reverse_kl=1", "--k", "0.1"]) == 0   # a wide floor absorbs +0.5
    capsys.readouterr()
    assert main(args + ["--floor", "reverse_kl=0.1", "--k", "0.1"]) == 1
    capsys.readouterr()
    assert main(args + ["--metrics", "modes,hq_share"]) == 0           # reverse_kl not selected
    data = json.loads(capsys.readouterr().out)
    assert any(r["metric"] == "reverse_kl" and r["status"] == "skipped" for r in data["rows"])


def test_check_suite_check_section_is_used(store_copy, check_baseline, capsys):
    """Tolerances from the suite file the store was run from (kept in the store)."""
    from ganbench.record.store import Store

    con = sqlite3.connect(store_copy / "results.sqlite")
    with con:
        con.execute("UPDATE metrics SET value=value+0.5 WHERE name='reverse_kl' AND final=1")
    con.close()
    with Store.open(store_copy) as store:
        suite_yaml = store.meta()["suite_yaml"]
        store.set_meta("suite_yaml", suite_yaml + "check: {k: 0.1, floors: {reverse_kl: 2}}\n")
    assert main(["check", str(store_copy), "--baseline", str(check_baseline)]) == 0


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not valid JSON"),
        ('{"format": "other"}', "not a ganbench baseline"),
        ('{"format": "ganbench-baseline", "format_version": 1, "groups": [{"label": "x"}]}', "groups[0]: missing field 'metrics'"),
    ],
)
def test_bad_baseline_file_is_exit_2_naming_it(check_store, tmp_path, capsys, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    assert main(["check", str(check_store), "--baseline", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err and message in err


def test_bad_floor_is_exit_2(check_store, check_baseline, capsys):
    assert main(["check", str(check_store), "--baseline", str(check_baseline), "--floor", "modes"]) == 2
    assert "--floor" in capsys.readouterr().err


def test_bench_command_line(tmp_path):
    import argparse

    from ganbench.commands.bench import bench_argv

    args = argparse.Namespace(dir="benchmarks", json=str(tmp_path / "b.json"), compare="", k="store", quick=True)
    argv = bench_argv(args)
    assert argv[1:4] == ["-m", "pytest", "benchmarks"]
    assert "--benchmark-autosave" in argv and f"--benchmark-json={tmp_path / 'b.json'}" in argv
    assert "--benchmark-compare" in argv and "--bench-quick" in argv
    assert argv[argv.index("-k") + 1] == "store"
    assert main(["bench", "--dir", str(tmp_path / "none")]) == 2
