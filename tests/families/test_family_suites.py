"""Each family's suite runs end to end at a tiny budget: the shipped YAML, shrunk (1 seed, a few
steps, tiny widths, small evaluation), through the same runner as ``ganbench run``; the family's
metrics, loss curves and report figures come out. FID/IS are left out here (the zoo's suite tests
cover the fidelity metric on MNIST); everything else is the suite as shipped."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from ganbench.analyse.references import flatten
from ganbench.contract.figures import INDEX
from ganbench.plan.matrix import build_matrix
from ganbench.plan.suite import load_suite
from ganbench.record.store import Store
from ganbench.run.runner import run_suite

TINY = {
    "infogan": {"g_hidden": 16, "g_ch": 8, "d_hidden": 16, "d_ch": 8, "q_hidden": 8},
    "bigan": {"g_hidden": 16, "e_hidden": 16, "d_hidden": 16},
    "ali": {"g_hidden": 16, "e_hidden": 16, "d_hidden": 16},
    "veegan": {"g_hidden": 16, "e_hidden": 16, "d_hidden": 16},
    "unrolled": {"hidden": 16, "z_dim": 8, "g_ch": 8, "d_ch": 8},
}
OPTIONS = {"code_samples_per_value": 20, "code_q_samples": 500, "recon_samples": 64, "probe_train": 300,
           "probe_test": 200}


def shrink(src, dst, steps: int = 3):
    """The shipped suite with a tiny budget, widths and evaluation."""
    s = yaml.safe_load(src.read_text())
    s.update(seeds=[0], device="cpu", budget={"steps": steps})
    s["eval"] = {"points": 1, "n_samples": 200, "options": OPTIONS}
    s["metrics"] = [m for m in s.get("metrics", []) if m != "fidelity"]
    s.pop("references", None)
    for m in s["models"]:
        m["hparams"] = {**m.get("hparams", {}), **TINY[m["model"]]}
    for i, d in enumerate(s["datasets"]):
        d = {"name": d} if isinstance(d, str) else d
        if d["name"].startswith("mog") or d["name"] == "stacked-mnist":
            d["params"] = {**d.get("params", {}), "n_samples": 2000}
        s["datasets"][i] = d
    dst.write_text(yaml.safe_dump(s))
    return dst


def finals(out) -> dict[str, dict[str, float]]:
    with Store.open(out / "results.sqlite", create=False) as st:
        runs = st.runs()
        assert set(runs["status"]) == {"done"}, runs[["run_id", "status", "error"]]
        m = st.metrics()
        out_ = {rid: dict(zip(g["name"], g["value"])) for rid, g in m[m["final"] == 1].groupby("run_id")}
        losses = {rid: sorted(set(g["name"])) for rid, g in m[m["name"].str.startswith("loss/")].groupby("run_id")}
        figs = {rid: [str(t) for t in np.asarray(st.array(rid, INDEX)).ravel()] if st.array(rid, INDEX) is not None else []
                for rid in runs["run_id"]}
    return {"finals": out_, "losses": losses, "figures": figs}


def test_infogan_suite(repo, registry, tmp_path, mnist_root, evaluator):
    out = tmp_path / "out"
    run_suite(shrink(repo / "suites/infogan.yaml", tmp_path / "s.yaml"), out, registry=registry)
    r = finals(out)
    main = next(v for k, v in r["finals"].items() if "lambda-0" not in k)
    for key in ("code_accuracy", "code_accuracy_matched", "code_digits", "q_accuracy", "modes"):
        assert np.isfinite(main[key]), key
    assert 0.0 < main["code_accuracy_matched"] <= main["code_accuracy"] <= 1.0
    assert all({"loss/mi", "loss/mi_cat", "loss/mi_cont"} <= set(v) for v in r["losses"].values())
    assert all(len(f) == 3 for f in r["figures"].values())  # c1, c2, c3
    assert "Model figures" in (out / "report.html").read_text()


def test_inference_gans_suite(repo, registry, tmp_path, mnist_root, evaluator):
    out = tmp_path / "out"
    run_suite(shrink(repo / "suites/inference-gans.yaml", tmp_path / "s.yaml"), out, registry=registry)
    r = finals(out)
    assert len(r["finals"]) == 3
    for run_id, v in r["finals"].items():
        assert v["recon_mse"] > 0 and 0.0 <= v["probe_accuracy"] <= 1.0, run_id
        assert r["figures"][run_id] == ["reconstructions (odd rows: x, even rows: G(E(x)))"]
    assert any("loss/z_rec" in v for k, v in r["losses"].items() if "veegan" in k)


def test_inference_gans_mog_suite(repo, registry, tmp_path):
    out = tmp_path / "out"
    run_suite(shrink(repo / "suites/inference-gans-mog.yaml", tmp_path / "s.yaml", steps=5), out, registry=registry,
              render=False)
    r = finals(out)
    assert len(r["finals"]) == 6  # 3 models x ring and grid
    for run_id, v in r["finals"].items():
        assert {"modes", "hq_share", "recon_mse"} <= set(v), run_id
        assert "probe_accuracy" not in v  # the mixtures carry no labels: no probe
        assert r["figures"][run_id] == []  # reconstruction grids are for images only


def test_unrolled_mog_suite_through_the_cli(repo, tmp_path, cli):
    out = tmp_path / "out"
    suite = shrink(repo / "suites/unrolled-mog.yaml", tmp_path / "s.yaml", steps=5)
    res = cli("run", str(suite), "--out", str(out), "--no-report")
    assert res.returncode == 0, res.stdout + res.stderr
    r = finals(out)
    assert len(r["finals"]) == 6  # 3 configurations x ring and grid
    assert all(0 <= v["modes"] <= 25 and "hq_share" in v for v in r["finals"].values())


def test_stacked_mnist_comparison_suite(repo, registry, tmp_path, mnist_root, evaluator):
    suite = load_suite(repo / "suites/mode-collapse-stacked-mnist.yaml")
    runs = build_matrix(suite, registry)
    keys = {(r.dataset, r.label, r.pack) for r in runs}
    assert {(v.dataset, v.model, v.pack) for v in flatten(suite.references)} <= keys
    assert {v.mean for v in flatten(suite.references)} == {48.7, 150.0}  # PacGAN Table 2's rows
    out = tmp_path / "out"
    run_suite(shrink(repo / "suites/mode-collapse-stacked-mnist.yaml", tmp_path / "s.yaml", steps=2), out,
              registry=registry, render=False)
    r = finals(out)
    assert len(r["finals"]) == 3 and all(0 < v["modes"] <= 1000 for v in r["finals"].values())


@pytest.mark.parametrize("name", ["infogan", "inference-gans", "inference-gans-mog", "unrolled-mog",
                                  "mode-collapse-stacked-mnist"])
def test_family_suites_load_and_use_the_family_metrics(repo, registry, name):
    suite = load_suite(repo / f"suites/{name}.yaml")
    runs = build_matrix(suite, registry)
    assert runs and len(suite.seed_list) >= 3
    wanted = {"infogan": "latent-codes", "inference-gans": "encoder", "inference-gans-mog": "encoder",
              "unrolled-mog": "mog-modes",
              "mode-collapse-stacked-mnist": "mnist-modes"}[name]
    assert wanted in suite.metrics
