"""Bad output paths, devices, sample counts, damaged stores and kept files: one ``error:`` line and
exit 2, never a traceback, and ``check`` never exits 1 (regression) for an error that is not one.

Everything runs in-process through ``ganbench.cli.main`` on a store written directly (no training),
so the file takes a few seconds."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import torch

from ganbench.cli import main
from ganbench.record.store import MetricRow, Store

RID = "gan__mog-ring8__pack1__seed{}"


def _write_store(out: Path) -> Path:
    now = time.time()
    with Store.open(out) as s:
        s.set_meta("suite", "tiny")
        s.set_meta("suite_hash", "abc123")
        for seed in (0, 1):
            rid = RID.format(seed)
            config = {"model": "gan", "label": "gan", "dataset": "mog-ring8", "seed": seed, "pack": 1,
                      "budget": {"steps": 10}, "eval": {"n_samples": 100, "points": 1, "options": {}},
                      "batch_size": 8, "hparams": {}}
            s.upsert_run(rid, suite="tiny", model="gan", label="gan", model_version="1.0", plugin="gan",
                         plugin_dist="ganbench-gan", dataset="mog-ring8", dataset_label="mog-ring8", seed=seed,
                         pack=1, config=config, status="done", started_at=now - 5, finished_at=now,
                         duration_s=5.0, steps=10, kimg=0.08)
            s.add_metrics([MetricRow(rid, 10, 0.08, 1.0, "modes", 6.0 + seed, "higher", None, 100, None, None, True),
                           MetricRow(rid, 10, 0.08, 1.0, "reverse_kl", 0.5 - 0.1 * seed, "lower", None, 100, None,
                                     None, True)])
    return out


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return _write_store(tmp_path_factory.mktemp("pristine") / "out")


@pytest.fixture
def out(pristine, tmp_path) -> Path:
    dst = tmp_path / "out"
    shutil.copytree(pristine, dst)
    return dst


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def one_line(capsys, code: int, expect_code: int = 2) -> str:
    err = capsys.readouterr().err
    assert code == expect_code, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def _commands(out: Path, target: str) -> list[list[str]]:
    baseline = out.parent / "b.json"
    if not baseline.exists():
        assert main(["baseline", str(out), "--out", str(baseline)]) == 0
    return [
        ["report", str(out), "--out", target],
        ["baseline", str(out), "--out", target],
        ["export", str(out), "--out", target],
        ["check", str(out), "--baseline", str(baseline), "--junit", target],
        ["check", str(out), "--baseline", str(baseline), "--markdown", target],
        ["sample", str(out), RID.format(0), "--out", target],
    ]


def test_an_output_path_that_is_a_directory_is_one_line(out, tmp_path, capsys):
    folder = tmp_path / "folder"
    folder.mkdir()
    before = _digest(out / "results.sqlite")
    for argv in _commands(out, str(folder)):
        capsys.readouterr()
        err = one_line(capsys, main(argv))
        assert "is a directory" in err, (argv, err)
    assert folder.is_dir() and not any(folder.iterdir())
    assert _digest(out / "results.sqlite") == before


def test_an_output_path_under_a_file_is_one_line(out, tmp_path, capsys):
    f = tmp_path / "plain"
    f.write_text("x")
    for argv in _commands(out, str(f / "sub" / "r.out")):
        capsys.readouterr()
        err = one_line(capsys, main(argv))
        assert "is not a folder" in err, (argv, err)
    assert f.read_text() == "x"


def test_an_output_path_that_is_the_store_is_refused(out, capsys):
    store = out / "results.sqlite"
    before = _digest(store)
    for argv in _commands(out, str(store)):
        capsys.readouterr()
        err = one_line(capsys, main(argv))
        assert "SQLite database" in err or "input of this command" in err, (argv, err)
    assert _digest(store) == before


def test_a_read_only_output_location_is_one_line(out, tmp_path, capsys, monkeypatch):
    """As root a 0555 folder is writable, so the refusal is tested by what os.access answers there
    (what it answers for any other user)."""
    ro = tmp_path / "ro"
    ro.mkdir()
    real_access = os.access
    monkeypatch.setattr("ganbench.plan.outpath.os.access",
                        lambda p, mode: False if Path(p) == ro else real_access(p, mode))
    for argv in _commands(out, str(ro / "r.out")):
        capsys.readouterr()
        err = one_line(capsys, main(argv))
        assert "cannot write in" in err and "read-only" in err, (argv, err)


def test_a_write_that_fails_late_is_one_line_and_check_exits_2(out, tmp_path, capsys, monkeypatch):
    """A disk that fills up (or a folder removed) between the check and the write."""
    baseline = out.parent / "b.json"
    assert main(["baseline", str(out), "--out", str(baseline)]) == 0

    def full(*a, **k):
        raise OSError(28, "No space left on device", str(tmp_path / "x"))

    monkeypatch.setattr("ganbench.util.atomic.write_atomic", full)
    monkeypatch.setattr("ganbench.report.build.write_text_atomic", full)
    capsys.readouterr()
    assert "No space left" in one_line(capsys, main(["report", str(out), "--out", str(tmp_path / "r.html")]))
    assert "No space left" in one_line(capsys, main(["check", str(out), "--baseline", str(baseline),
                                                     "--junit", str(tmp_path / "j.xml")]))


def test_sample_with_a_bogus_device_or_too_many_samples_is_one_line(out, tmp_path, capsys):
    dest = str(tmp_path / "g.png")
    err = one_line(capsys, main(["sample", str(out), RID.format(0), "--device", "bogus", "--out", dest]))
    assert "--device 'bogus'" in err
    err = one_line(capsys, main(["sample", str(out), RID.format(0), "--n", "10000000000", "--out", dest]))
    assert "--n 10000000000" in err
    err = one_line(capsys, main(["evaluate", str(out), RID.format(0), "--metrics", "mog-modes", "--device", "gpu9"]))
    assert "--device 'gpu9'" in err


def test_evaluate_refuses_zero_samples(out, capsys):
    with pytest.raises(SystemExit) as e:
        main(["evaluate", str(out), RID.format(0), "--metrics", "mog-modes", "--n-samples", "0"])
    assert e.value.code == 2
    assert "expected a positive number of samples, got '0'" in capsys.readouterr().err


def _immutable(folder: Path) -> bool:
    return shutil.which("chattr") is not None and subprocess.run(
        ["chattr", "+i", str(folder)], capture_output=True).returncode == 0


def test_a_store_copied_alone_into_a_read_only_folder_is_read(out, tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    shutil.copy(out / "results.sqlite", ro / "results.sqlite")
    if not _immutable(ro):
        pytest.skip("cannot make a read-only folder here (chattr +i)")
    try:
        assert main(["report", str(ro), "--out", str(tmp_path / "r.html")]) == 0, capsys.readouterr().err
        assert (tmp_path / "r.html").stat().st_size > 1000
        assert main(["export", str(ro), "--out", str(tmp_path / "m.csv")]) == 0
        assert "modes" in (tmp_path / "m.csv").read_text()
    finally:
        subprocess.run(["chattr", "-i", str(ro)], check=False)


def _tamper(out: Path, sql: str, *params: object) -> None:
    conn = sqlite3.connect(out / "results.sqlite")
    conn.execute(sql, params)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(("sql", "says"), [
    ("UPDATE runs SET config='{not json' WHERE seed=0", "runs.config of run 'gan__mog-ring8__pack1__seed0' is not JSON"),
    ("UPDATE runs SET config='[1, 2]' WHERE seed=0", "is not a JSON object"),
    ("UPDATE metrics SET value='lots' WHERE name='modes'", "metrics.value of run"),
    ("UPDATE runs SET seed='zero' WHERE seed=0", "runs.seed of run"),
    ("UPDATE runs SET pack=x'00ff' WHERE seed=1", "runs.pack of run"),
    ("UPDATE meta SET value='one' WHERE key='schema_version'", "meta.schema_version is 'one', not an integer"),
])
def test_a_damaged_store_is_one_line_for_every_reader(out, tmp_path, capsys, sql, says):
    baseline = tmp_path / "b.json"
    assert main(["baseline", str(out), "--out", str(baseline)]) == 0
    _tamper(out, sql)
    for argv in (["report", str(out), "--out", str(tmp_path / "r.html")],
                 ["export", str(out), "--out", str(tmp_path / "m.csv")],
                 ["baseline", str(out), "--out", str(tmp_path / "b2.json")],
                 ["check", str(out), "--baseline", str(baseline)]):
        capsys.readouterr()
        err = one_line(capsys, main(argv))
        assert says in err, (argv, err)


def test_a_newer_schema_is_read_with_a_warning(out, tmp_path, caplog):
    _tamper(out, "UPDATE meta SET value='7' WHERE key='schema_version'")
    with caplog.at_level("WARNING"):
        with Store.open(out, create=False) as s:
            assert len(s.runs()) == 2
    assert "schema version 7 is newer than this ganbench knows" in caplog.text


def test_check_never_exits_1_for_an_unexpected_error(out, tmp_path, capsys, monkeypatch):
    baseline = tmp_path / "b.json"
    assert main(["baseline", str(out), "--out", str(baseline)]) == 0

    def boom(*a, **k):
        raise TypeError("unsupported operand")

    monkeypatch.setattr("ganbench.gate.regression.compare", boom)
    capsys.readouterr()
    err = one_line(capsys, main(["check", str(out), "--baseline", str(baseline)]))
    assert "unexpected TypeError" in err and "-vv" in err


def test_ctrl_c_is_one_line(out, capsys, monkeypatch):
    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr("ganbench.report.build.render_report", interrupted)
    err = one_line(capsys, main(["report", str(out)]), expect_code=130)
    assert err == "error: interrupted\n"


def _kept(out: Path, **changes: object) -> None:
    from ganbench.record.kept import FORMAT, generator_dir

    obj = {"format": FORMAT, "run_id": RID.format(0), "model": "gan", "model_version": "1.0", "plugin": "ganbench-gan",
           "config_json": json.dumps({"model": "gan"}), "which": "final", "metric": None, "step": 10, "kimg": 0.1,
           "context": {"data_shape": [2], "data_kind": "vector", "num_classes": None, "classes": None, "pack": 1,
                       "batch_size": 8, "seed": 0, "hparams_json": "{}"},
           "generator": {"w": torch.zeros(2)}, "ema": None, "model_state": None}
    for k, v in changes.items():
        if k.startswith("context_"):
            obj["context"][k[len("context_"):]] = v  # type: ignore[index]
        elif v is KeyError:
            del obj[k]
        else:
            obj[k] = v
    generator_dir(out).mkdir(parents=True, exist_ok=True)
    torch.save(obj, generator_dir(out) / f"{RID.format(0)}.pt")


@pytest.mark.parametrize(("changes", "says"), [
    ({"context": KeyError}, "field 'context' is missing"),
    ({"step": "ten"}, "field 'step' should be int, got str"),
    ({"context_data_shape": "28x28"}, "field context.'data_shape' should be list or tuple"),
    ({"context_pack": None}, "field context.'pack' should be int, got NoneType"),
    ({"context_hparams_json": "{oops"}, "'context.hparams_json' is not a JSON object"),
    ({"generator": None}, "it holds no weights"),
    ({"generator": {"w": "not a tensor"}}, "'generator' is not a state dict of tensors"),
])
def test_a_tampered_kept_file_is_one_line(out, tmp_path, capsys, changes, says):
    _kept(out, **changes)
    err = one_line(capsys, main(["sample", str(out), RID.format(0), "--out", str(tmp_path / "g.png")]))
    assert "damaged kept generator" in err and says in err, err
