"""benchmarks/seqgan_device.py (the SeqGAN row's GPU run) works before a GPU is lent: --tiny on the CPU."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest


def test_tiny_probe_and_run(tmp_path: Path, repo: Path):
    sys.path.insert(0, str(repo / "benchmarks"))
    try:
        import seqgan_device
    finally:
        sys.path.remove(str(repo / "benchmarks"))
    before = os.environ.get("GANBENCH_DATA")
    assert seqgan_device.main(["--out", str(tmp_path), "--tiny", "--device", "cpu", "--adv-epochs", "2"]) == 0
    # called in-process: it must not leave its toy data root in the environment of later tests
    assert os.environ.get("GANBENCH_DATA") == before
    rep = json.loads((tmp_path / "seqgan-device.json").read_text())
    p = rep["probe"]
    assert all(p[k] > 0 for k in ("mle_step_s", "d_step_s", "d_round_s", "pg_step_s"))
    assert p["adversarial_epoch_s"] == pytest.approx(p["pg_step_s"] + 1 * p["d_round_s"])  # d_rounds 1 at toy size
    fixed = p["pretrain_s"] + p["d_pretrain_s"]
    assert p["projected_paper_s"] == pytest.approx(fixed + 200 * p["adversarial_epoch_s"])
    assert p["projected_run_s"] == pytest.approx(fixed + 2 * p["adversarial_epoch_s"])
    assert not rep["failed"] and len(rep["nll_oracle"]) == 1 and 0 < next(iter(rep["nll_oracle"].values())) < 20


def test_missing_oracle_is_exit_2(tmp_path: Path, repo: Path, capsys):
    sys.path.insert(0, str(repo / "benchmarks"))
    try:
        import seqgan_device
    finally:
        sys.path.remove(str(repo / "benchmarks"))
    assert seqgan_device.main(["--out", str(tmp_path / "o"), "--data", str(tmp_path), "--device", "cpu"]) == 2
    assert "target_params_py3.pkl" in capsys.readouterr().err
