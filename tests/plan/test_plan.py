"""The plan: built once from one read of the suite, immutable, executed without calls back into the
suite module, and every pair the capabilities rule out skipped with its reason (printed, stored, shown)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3

import pytest

from ganbench.plan import matrix as matrix_mod
from ganbench.plan import suite as suite_mod
from ganbench.plan.matrix import Plan, build_plan
from ganbench.plan.suite import SuiteError

MIXED = """
name: mixed-plan
seeds: 1
batch_size: 16
budget: {{steps: 3}}
eval: {{n_samples: 64}}
datasets:
  - name: mog-ring8
  - name: mnist
    params: {{resolution: {res}}}
models:
  - model: gan
    hparams: {{g_hidden: 8, d_hidden: 8}}
  - model: dcgan
"""


def _plan(write_suite, registry, res: int = 28) -> Plan:
    return build_plan(write_suite(MIXED.format(res=res)), registry)


def test_infeasible_pairs_are_skipped_with_their_reasons(write_suite, registry):
    plan = _plan(write_suite, registry)
    assert [(r.model, r.dataset) for r in plan.runs] == [("gan", "mog-ring8"), ("dcgan", "mnist")]
    why = {(s.model, s.dataset): s.reason for s in plan.skipped}
    assert set(why) == {("gan", "mnist"), ("dcgan", "mog-ring8")}
    assert "takes vector data, the dataset is image data" in why[("gan", "mnist")]
    assert "takes image data, the dataset is vector data" in why[("dcgan", "mog-ring8")]


def test_a_resolution_outside_the_models_range_is_a_skipped_pair_not_a_failed_build(write_suite, registry):
    """CoGAN's networks are fixed at 28 px: on 32 px digits it is skipped (it used to fail at build)."""
    plan = build_plan(write_suite(MIXED.format(res=32) + "  - model: cogan\n"), registry)
    assert [(r.model, r.dataset) for r in plan.runs] == [("gan", "mog-ring8"), ("dcgan", "mnist")]
    why = {(s.model, s.dataset): s.reason for s in plan.skipped}
    assert why[("cogan", "mnist")] == ("the model takes images of 28-28 px, the dataset is 32 px "
                                       "(params.resolution)")


def test_a_suite_whose_every_pair_is_infeasible_is_refused_naming_each_reason(write_suite, registry):
    text = MIXED.format(res=32).replace("  - name: mog-ring8\n", "").split("models:")[0] + "models:\n  - model: cogan\n"
    with pytest.raises(SuiteError, match=r"no model in the suite can run.*\(cogan on mnist: the model takes images of 28-28"):
        build_plan(write_suite(text), registry)


def test_the_plan_is_immutable(write_suite, registry):
    plan = _plan(write_suite, registry)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.runs = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        plan.configs["x"] = {}  # type: ignore[index]
    run_id = plan.runs[0].run_id
    with pytest.raises(TypeError):
        plan.configs[run_id]["seed"] = 7  # type: ignore[index]
    cfg = plan.config(run_id)
    cfg["seed"] = 7  # a copy: the plan keeps its own
    assert plan.config(run_id)["seed"] == 0 and plan.configs[run_id] == plan.runs[0].config()
    assert plan.suite_hash == suite_mod.suite_hash(plan.suite)


def test_running_a_plan_never_reads_the_suite_again(write_suite, registry, monkeypatch, tmp_path):
    """Build the plan, then make every suite- and matrix-module entry point raise and edit the file
    on disk: the run still records exactly what was planned."""
    from ganbench.report.build import render_report
    from ganbench.run.runner import run_plan

    path = write_suite(MIXED.format(res=28).replace("  - name: mnist\n    params: {resolution: 28}\n", ""))
    plan = build_plan(path, registry)
    original = plan.suite_text
    path.write_text(original.replace("mixed-plan", "edited-later"))

    def boom(*a, **k):
        raise AssertionError("the runner called back into the suite module")

    for mod, names in ((suite_mod, ("load_suite", "read_suite_text", "parse_suite", "suite_hash")),
                       (matrix_mod, ("build_matrix", "plan_matrix", "build_plan"))):
        for name in names:
            monkeypatch.setattr(mod, name, boom)
    result = run_plan(plan, tmp_path / "out", registry=registry, render=False, check_ready=False)
    assert [o.status for o in result.outcomes] == ["done"]
    with sqlite3.connect(result.store_path) as db:
        meta = {k: json.loads(v) for k, v in db.execute("select key, value from meta")}
        (config,) = [json.loads(c) for (c,) in db.execute("select config from runs")]
    assert meta["suite_yaml"] == original and meta["suite"] == "mixed-plan"
    assert meta["suite_hash"] == plan.suite_hash and config == plan.config(plan.runs[0].run_id)
    assert meta["skipped_pairs"] == [{"model": "dcgan", "label": "dcgan", "dataset": "mog-ring8",
                                      "dataset_label": "mog-ring8", "reason": plan.skipped[0].reason}]
    html = render_report(result.store_path, tmp_path / "out" / "report.html").read_text()
    assert "Pairs the suite names that cannot run (1)" in html and plan.skipped[0].reason in html


def test_the_cli_prints_every_skipped_pair(write_suite, cli, tmp_path):
    path = write_suite(MIXED.format(res=28).replace("  - name: mnist\n    params: {resolution: 28}\n", ""))
    res = cli("run", path, "--out", tmp_path / "out", "--no-report", "--no-preflight")
    assert res.returncode == 0, res.stderr
    assert "skipped: dcgan × mog-ring8: the model takes image data, the dataset is vector data" in res.stderr
