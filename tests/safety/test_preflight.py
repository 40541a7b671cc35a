"""Preflight: a suite whose data, evaluator or weights are missing is refused before anything is
written or trained, with one message listing everything and how to get it."""

from __future__ import annotations

import pytest
import torch

from ganbench.run.runner import RunRefused, run_suite


@pytest.fixture
def bare_machine(tmp_path, monkeypatch):
    """No data, no Inception weights, no network."""
    monkeypatch.setenv("GANBENCH_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.delenv("GANBENCH_INCEPTION_WEIGHTS", raising=False)
    monkeypatch.setattr("ganbench.plan.preflight.can_reach", lambda url, timeout=3.0: False)
    return tmp_path


def test_cifar_without_data_or_weights_trains_nothing(repo, bare_machine):
    out = bare_machine / "out"
    with pytest.raises(RunRefused) as err:
        run_suite(repo / "suites" / "cifar.yaml", out, render=False)
    msg = str(err.value)
    assert "nothing was trained" in msg
    assert "6 files under" in msg and "data_batch_1" in msg and "test_batch" in msg and "ganbench data prepare cifar10" in msg
    assert "Inception-v3 weights" in msg and "--inception-weights" in msg
    assert "unreachable" in msg
    assert not out.exists()


def test_a_reachable_download_is_not_a_problem_but_an_untrained_evaluator_is(repo, bare_machine, monkeypatch):
    monkeypatch.setattr("ganbench.plan.preflight.can_reach", lambda url, timeout=3.0: True)
    with pytest.raises(RunRefused) as err:
        run_suite(repo / "suites" / "stacked-mnist.yaml", bare_machine / "out", render=False)
    msg = str(err.value)
    assert "mnist evaluator" in msg and "ganbench data prepare mnist" in msg
    assert "train-images" not in msg  # the IDX files would be downloaded


def test_preflight_passes_for_offline_mog(repo, bare_machine, tiny_suite):
    result = run_suite(tiny_suite, bare_machine / "out", seeds=[0], budget=None, render=False)
    assert not result.failed


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_missing_device_is_named(tiny_suite, bare_machine):
    with pytest.raises(RunRefused, match="device: cuda is requested but torch sees no CUDA device"):
        run_suite(tiny_suite, bare_machine / "out", device="cuda", render=False)


def test_cli_preflight_is_one_line_exit_2(repo, tmp_path, cli):
    env = {"GANBENCH_DATA": str(tmp_path / "d"), "TORCH_HOME": str(tmp_path / "t"), "COLUMNS": "80",
           "GANBENCH_INCEPTION_WEIGHTS": None}
    # stacked MNIST: its evaluator is never downloaded, so this is refused with or without network
    res = cli("run", str(repo / "suites" / "stacked-mnist.yaml"), "--out", str(tmp_path / "o"), env=env)
    assert res.returncode == 2 and res.stderr.startswith("error: ") and res.stderr.count("\n") == 1, res.stderr
    assert not (tmp_path / "o").exists()
