"""pix2pix, CycleGAN and StarGAN under the harness: listed by `ganbench plugins`, held to the
translation checks of the kit, paired with the tasks they can train on, and a tiny suite end to end
(run -> store -> metrics -> report with the translation rows)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ganbench.plan.matrix import build_matrix
from ganbench.plan.suite import load_suite
from ganbench.record.store import Store
from ganbench.testing import check_model

MODELS = ("pix2pix", "cyclegan", "stargan")
TINY = {
    "pix2pix": {"ngf": 4, "ndf": 4},
    "cyclegan": {"ngf": 4, "ndf": 4, "n_blocks": 1, "pool_size": 4},
    "stargan": {"g_conv_dim": 4, "d_conv_dim": 4, "g_repeat_num": 1, "n_critic": 2},
}


def ganbench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ganbench.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "250", "OMP_NUM_THREADS": "1"}, timeout=600)


def test_plugins_lists_the_translation_models():
    res = ganbench("plugins")  # exits 1 when any installed plugin is broken: only ours matter here
    assert not [ln for ln in res.stdout.splitlines() if "broken" in ln and any(m in ln for m in MODELS)], res.stdout
    for name in MODELS:
        line = next(ln for ln in res.stdout.splitlines() if f" {name} " in ln)
        assert "translate" in line and f"ganbench-zoo-{name}" in line
    assert "translate (paired, 2 domains)" in res.stdout  # pix2pix's capabilities, in words


# The conformance kit runs on all three in tests/plugin_kit/test_kit_first_party_models.py.
def test_kit_skips_the_cycle_check_for_one_way_models():
    report = check_model("pix2pix", checks=["spec", "domains"], hparams=TINY["pix2pix"], batch_size=8)
    assert report.ok and report.passed == ["spec"] and "one direction only" in report.skipped["domains"]


def test_kit_catches_a_translator_that_ignores_its_target(registry):
    from dataclasses import replace

    spec = registry.models["stargan"]

    def build(ctx):
        model = spec.build(ctx)
        model.translate = lambda x, d, generator=None: x.clamp(-1, 1)  # noqa: ARG005
        return model

    report = check_model(replace(spec, build=build), checks=["domains"], hparams=TINY["stargan"], batch_size=8,
                         raise_on_failure=False)
    assert "whatever target_domain says" in report.failures["domains"]


SUITE = """
name: i2i-tiny
seeds: 1
device: cpu
batch_size: 8
budget: {steps: 4}
eval: {n_samples: 100}
datasets:
  - {name: mnist-translate, label: paired, params: {domains: [edges, digits], n_train: 200, n_eval: 9500}}
  - {name: mnist-translate, label: three, params: {domains: [digits, thick, rot90], paired: false, n_train: 200, n_eval: 9500}}
models:
  - {model: pix2pix, hparams: PIX2PIX}
  - {model: cyclegan, hparams: CYCLEGAN}
  - {model: stargan, hparams: STARGAN}
"""
for _name, _hp in TINY.items():
    SUITE = SUITE.replace(_name.upper(), str(_hp))
GENERATIVE = """
  - {name: mog-ring8, params: {n_samples: 500}}
  - {model: gan, hparams: {g_hidden: 8, d_hidden: 8}}
"""


def test_matrix_pairs_models_with_the_tasks_they_can_train_on(write_suite, registry):
    gen_data, gen_model = GENERATIVE.strip("\n").splitlines()
    unpaired = "  - {name: mnist-translate, label: unpaired, params: {domains: [inverted, digits], paired: false}}"
    text = SUITE.replace("models:\n", f"{unpaired}\n{gen_data}\nmodels:\n") + gen_model + "\n"
    runs = build_matrix(load_suite(write_suite(text)), registry)
    pairs = sorted((r.model, r.dataset_label) for r in runs)
    assert pairs == [("cyclegan", "paired"), ("cyclegan", "unpaired"), ("gan", "mog-ring8"), ("pix2pix", "paired"),
                     ("stargan", "paired"), ("stargan", "three"), ("stargan", "unpaired")]
    assert all(r.hparams["ngf"] == 4 for r in runs if r.model == "pix2pix")


def test_tiny_suite_end_to_end(write_suite, tmp_path, mnist_root, evaluator):
    out = tmp_path / "out"
    res = ganbench("run", str(write_suite(SUITE)), "--out", str(out))
    assert res.returncode == 0, res.stderr[-3000:] + res.stdout[-3000:]
    with Store.open(out, create=False) as store:
        runs = store.runs()
        assert len(runs) == 4 and (runs.status == "done").all(), runs[["run_id", "status", "error"]].to_string()
        m = store.metrics()
        final = m[m.final.astype(bool)]
        by_run = {rid: set(g.name) for rid, g in final.groupby("run_id")}
        p2p = next(r for r in by_run if r.startswith("pix2pix__paired"))
        cyc = next(r for r in by_run if r.startswith("cyclegan__paired"))
        star = next(r for r in by_run if r.startswith("stargan__three"))
        assert {"translate_fid", "label_preserved", "l1"} <= by_run[p2p] and "cycle_l1" not in by_run[p2p]
        assert "cycle_l1" in by_run[cyc]
        assert {"translate_fid/thick", "translate_fid/rot90", "l1/thick", "label_preserved"} <= by_run[star]
        assert store.array(cyc, "translation_cycle").shape == (8, 1, 32, 32)
        # throughput counts what a step consumes: a source and a target per sample of the batch
        row = runs.set_index("run_id").loc[p2p]
        tput = final[(final.run_id == p2p) & (final.name == "train_samples_per_s")].iloc[0]
        assert tput["value"] * row["train_seconds"] == pytest.approx(2 * row["kimg"] * 1000, rel=1e-6)
        assert "sources and targets" in tput["note"]
    html = (out / "report.html").read_text()
    assert 'id="translations"' in html and "cycle (output translated back)" in html
    # a translation model cannot be sampled or re-scored: its runs keep no file nobody could use
    # (CycleGAN's held both generators with their optimiser states, and rebuild refused them all)
    from ganbench.record.kept import KeptError, read_kept

    assert not (out / "generators").exists()
    with pytest.raises(KeptError, match="no kept generator"):
        read_kept(out, p2p)
