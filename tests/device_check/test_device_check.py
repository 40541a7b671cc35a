"""The GPU device check (``python -m benchmarks.device_check``) runs in CI at ``--device cpu --tiny``, so the
script that is run once, unchanged, on a lent GPU cannot rot. Checks: every section measured
numbers (finite, positive) or recorded why not, the Markdown table exists, and the protocol's
table agrees with its own store read independently (sqlite3 + numpy, not ganbench's Store)."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ("pacgan_step", "replicas", "protocol", "fidelity", "zoo", "stylegan_learning", "seqgan")
ZOO = ("dcgan", "wgan-gp", "sngan", "sagan", "biggan", "stylegan")


def _run(out: Path, *extra: str, env: dict[str, str] | None = None, timeout: float = 400) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.device_check", "--out", str(out), "--device", "cpu", "--tiny", *extra],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})},
    )


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("device-check")
    # generous caps: on a busy CI box a section must not time out (the caps are tested below)
    proc = _run(out, "--budget-s", "345")  # 300 for the five sections before stylegan_learning took its share
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, json.loads((out / "device-check.json").read_text())


def _rows(report: dict, section: str) -> list[dict]:
    return report["sections"][section]["rows"]


def test_every_section_has_numbers_or_a_recorded_reason(tiny):
    out, report = tiny
    assert report["device"] == "cpu" and report["tiny"] is True
    assert report["hardware"]["torch"] and report["hardware"]["cpu"]
    assert set(report["sections"]) == set(SECTIONS)
    for name, sec in report["sections"].items():
        assert sec["status"] in ("ok", "error", "timeout")
        if sec["status"] != "ok":
            assert sec["error"], name
            continue
        assert sec["rows"], name
        for row in sec["rows"]:
            if "values" not in row:  # a measurement that failed or was skipped says why
                assert row.get("error") or row.get("skipped"), (name, row)
                continue
            assert row["values"], (name, row)
            for key, v in row["values"].items():
                assert isinstance(v, (int, float)) and math.isfinite(v) and v > 0, (name, row["name"], key, v)
            assert row["peak_mem_mb"] == "n/a on CPU"
    # with the generous caps every section finishes inside its own
    assert all(sec["status"] == "ok" for sec in report["sections"].values()), \
        {k: v.get("error") for k, v in report["sections"].items()}


def test_each_item_of_the_issue_is_measured(tiny):
    _, report = tiny
    # SeqGAN's row: the probe's projection of the paper's schedule, then a run with its NLL-oracle
    seq = {r["name"]: r for r in _rows(report, "seqgan")}
    probe = seq["probe"]["values"]
    assert probe["projected_paper_s"] > probe["pretrain_s"] > 0 and probe["adversarial_epoch_s"] > 0
    (run,) = [r for n, r in seq.items() if n.startswith("seqgan, ")]
    adv = report["sections"]["seqgan"]["summary"]["adv_epochs"]
    assert run["name"] == f"seqgan, {adv} adversarial epochs" and 1 <= adv <= 3
    assert 0 < run["values"]["nll_oracle"] < 20
    step = _rows(report, "pacgan_step")
    names = {(r["name"], r["pack"]) for r in step if "values" in r}
    for pack in (1, 4):
        assert {("bare PyTorch loop", pack), ("plugin train_step, tight loop", pack),
                ("ganbench eager (RunLoop)", pack)} <= names
    compiled = [r for r in step if r["name"] == "ganbench compiled (RunLoop)" and "values" in r]
    assert compiled and compiled[0]["mode"] == "compiled (default, backend eager)"
    assert report["sections"]["pacgan_step"]["summary"]["pack1"]["eager_over_bare"] > 0

    rep = report["sections"]["replicas"]
    assert {r["replicas"] for r in rep["rows"] if r["name"].endswith("pack 1") and "values" in r} == {1, 2, 4, 8}
    # the paper suite: 2 datasets x 4 packs, here at 2 seeds -> 16 runs in 8 groups of 2 (hand count)
    assert rep["summary"]["protocol_runs"] == 16 and rep["summary"]["replica_groups"] == 8
    assert rep["summary"]["projected_protocol_train_s"] > 0

    fid = {r["name"].split(",")[0]: r for r in _rows(report, "fidelity")}
    assert fid["IS + FID end to end"]["values"]["extract_images_per_s"] > 0

    zoo = {(r["name"], r["kind"]) for r in _rows(report, "zoo") if "values" in r or "error" in r}
    assert {(m, "eager") for m in ZOO} <= zoo and ("dcgan", "compiled") in zoo
    assert all((m, "bf16") in zoo for m in ZOO)


def test_protocol_table_matches_its_store(tiny):
    """The table beside PacGAN's Table 1 = mean and standard error of the final metrics in the
    protocol's store, recomputed here with sqlite3 and numpy."""
    out, report = tiny
    table = report["sections"]["protocol"]["table"]
    assert len(table) == 8
    con = sqlite3.connect(out / "protocol" / "results.sqlite")
    try:
        statuses = [s for (s,) in con.execute("SELECT status FROM runs")]
        assert len(statuses) == 16 and set(statuses) == {"done"}
        for row in table:
            vals = np.array([v for (v,) in con.execute(
                "SELECT m.value FROM metrics m JOIN runs r USING (run_id) WHERE m.final=1 AND m.name='hq_share' "
                "AND r.dataset=? AND r.pack=?", (row["dataset"], row["pack"]))])
            assert len(vals) == row["seeds"] == 2
            assert row["hq_share"]["mean"] == pytest.approx(100 * vals.mean())
            assert row["paper"]["modes"]  # PacGAN's number beside ours
    finally:
        con.close()
    assert ("mog-ring8", 1) in {(r["dataset"], r["pack"]) for r in table}
    ring1 = next(r for r in table if (r["dataset"], r["pack"]) == ("mog-ring8", 1))
    assert ring1["paper"] == {"modes": "6.3±0.5", "hq_pct": "98.2±0.2", "reverse_kl": "0.45±0.09"}


def test_markdown_table_names_the_hardware(tiny):
    out, report = tiny
    md = (out / "device-check.md").read_text()
    for name in SECTIONS:
        assert f"## {name} — ok" in md
    assert report["hardware"]["cpu"] in md and "CPU figures" in md and "--tiny" in md
    assert "| measurement |" in md and "| mog-ring8 | 1 | 2 |" in md


def test_a_failing_and_a_hanging_section_are_recorded_and_the_rest_goes_on(tmp_path):
    proc = _run(tmp_path, "--sections", "protocol,replicas", "--budget-s", "20",
                env={"GANBENCH_DEVICE_CHECK_FAULT": "protocol:raise,replicas:hang"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads((tmp_path / "device-check.json").read_text())
    prot, rep = report["sections"]["protocol"], report["sections"]["replicas"]
    assert prot["status"] == "error" and "fault injected" in prot["error"] and not prot["rows"]
    # the next section still ran; killed at its cap, it keeps the row it measured before hanging
    assert rep["status"] == "timeout" and "time cap" in rep["error"]
    assert len(rep["rows"]) == 1 and rep["rows"][0]["values"]["aggregate_steps_per_s"] > 0
    assert rep["seconds"] < rep["cap_s"] + 5
    md = (tmp_path / "device-check.md").read_text()
    assert "## protocol — error" in md and "## replicas — timeout" in md and "fault injected" in md


def test_unknown_section_is_one_clear_error(tmp_path):
    proc = _run(tmp_path, "--sections", "zoo,warp-drive", timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"device_check: --sections: unknown warp-drive (choose from {', '.join(SECTIONS)})"]


def test_stylegan_learning_runs_the_zoo_sanity_protocol_or_says_what_is_missing(tiny):
    """The section a lent GPU settles StyleGAN's zoo-sanity exception with: both seeds of the
    protocol at the reference's widths (--tiny: 8 channels, one seed, 2 steps), each with the rule's verdict."""
    from benchmarks.device_check.stylegan import stylegan_suite_text

    text = stylegan_suite_text(False, "cuda")
    assert '"g_ch": 512' in text and '"d_ch": 512' in text and "steps: 600" in text and "every: 100" in text
    out, report = tiny
    rows = _rows(report, "stylegan_learning")
    if rows and rows[0].get("skipped"):  # no MNIST/evaluator on this machine: the reason names the file
        assert "needs MNIST and its evaluator" in rows[0]["skipped"]
        return
    assert [r["name"] for r in rows] == ["stylegan g/d 8/8 ch, seed 0"]  # --tiny: one seed, 2 steps
    assert all(r["verdict"].startswith("NO: ") for r in rows)  # no step-100 FID: never a pass
    assert report["sections"]["stylegan_learning"]["summary"]["runs"] == 1
