"""Published rows beside ours: the verdict rule against scipy, the suite field, the report, the gate."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from ganbench.references import ReferenceValue, parse_references, spread_to_sd, verdict
from ganbench.runner import run_suite
from ganbench.suite import SuiteError, load_suite, suite_hash


def _ref(mean, spread, n, kind="sem", budget=(("steps", 1000.0),), metric="modes"):
    budget = dict(budget) if budget is not None else None
    return ReferenceValue("P", "T1", "row", "mog-ring8", "gan", 1, metric, mean, spread, kind, n, budget)


def test_welch_p_equals_scipy_on_the_raw_trials():
    """A paper that reports mean ± sem of n trials: our from-stats Welch p equals scipy's
    ttest_ind on the raw trials (an independent path: no sem -> sd conversion there)."""
    rng = np.random.default_rng(0)
    paper_trials = rng.normal(7.0, 0.6, size=10)
    ours = rng.normal(6.5, 0.8, size=5)
    sem = stats.sem(paper_trials)
    v = verdict(_ref(paper_trials.mean(), sem, 10), ours, "higher", {"steps": 1000.0})
    expected = stats.ttest_ind(ours, paper_trials, equal_var=False).pvalue
    assert v.p == pytest.approx(expected, rel=1e-9)
    # std and 95 % CI conventions describe the same trials
    sd = np.std(paper_trials, ddof=1)
    ci = stats.t.ppf(0.975, 9) * sem
    for spread, kind in ((sd, "std"), (ci, "ci95")):
        assert spread_to_sd(spread, kind, 10) == pytest.approx(sd, rel=1e-9)
        assert verdict(_ref(paper_trials.mean(), spread, 10, kind), ours, "higher", {"steps": 1000.0}).p == pytest.approx(expected, rel=1e-9)


def test_verdict_kinds():
    b = {"steps": 1000.0}
    paper = _ref(6.3, 0.5, 10)  # PacGAN Table 1, GAN on the ring
    assert verdict(paper, np.array([6.0, 7.0, 6.5, 5.5]), "higher", b).kind == "consistent"
    assert verdict(paper, np.array([2.0, 3.0, 2.5, 3.5]), "higher", b).kind == "worse"
    assert verdict(paper, np.array([8.0, 8.0, 8.0, 7.9]), "higher", b).kind == "better"
    # lower is better for KL: a smaller KL beyond noise is better
    kl = _ref(0.45, 0.09, 10, metric="reverse_kl")
    assert verdict(kl, np.array([0.05, 0.06, 0.04]), "lower", b).kind == "better"
    # another budget is shown, not judged, even when far off; an unstated one likewise
    far = verdict(_ref(6.3, 0.5, 10, budget=(("steps", 400000.0),)), np.array([2.0, 3.0]), "higher", b)
    assert far.kind == "budget differs" and far.p is not None and far.p < 0.05
    assert verdict(_ref(6.3, 0.5, 10, budget=(("kimg", 1000.0),)), np.array([2.0, 3.0]), "higher", b).kind == "budget differs"
    assert verdict(_ref(6.3, 0.5, 10, budget=None), np.array([2.0, 3.0]), "higher", b).kind == "budget unknown"
    # a number published without ± (StudioGAN's FIDs): a one-sample t test against our seeds
    fid = _ref(9.01, None, None, metric="fid")
    ours = np.array([8.5, 9.6, 9.2])
    v = verdict(fid, ours, "lower", b)
    assert v.kind == "consistent" and v.p == pytest.approx(stats.ttest_1samp(ours, 9.01).pvalue)
    assert verdict(fid, np.array([20.0, 21.0, 22.0]), "lower", b).kind == "worse"
    # nothing to judge noise by: a single seed
    assert verdict(paper, np.array([6.0]), "higher", b).kind == "no spread"
    assert verdict(paper, np.array([]), "higher", b).kind == "no runs"
    # exact on both sides (1000 ± 0 modes): equal is consistent, short of it is worse
    exact = _ref(1000.0, 0.0, 10)
    assert verdict(exact, np.array([1000.0, 1000.0]), "higher", b).kind == "consistent"
    assert verdict(exact, np.array([999.0, 999.0]), "higher", b).kind == "worse"


@pytest.mark.parametrize("bad, field", [
    ("metrics: {modes: [1, 2, 3]}", "metrics"),
    ("metrics: {}", "metrics"),
    ("metrics: {modes: [6.3, -1]}", "metrics"),
    ("pack: 0, metrics: {modes: 1}", "pack"),
])
def test_bad_reference_rows_name_the_field(write_suite, bad, field):
    text = SUITE.format(budget=20, ref_budget=20) .replace(
        "- {row: GAN, dataset: mog-ring8, model: gan, pack: 1, metrics: {modes: [7.9, 0.1], hq_share: [0.96, 0.02]}}",
        "- {row: X, dataset: mog-ring8, model: gan, " + bad + "}")
    with pytest.raises(SuiteError) as e:
        load_suite(write_suite(text))
    assert "references" in str(e.value) and field in str(e.value)


def test_references_do_not_change_the_suite_hash(write_suite):
    with_refs = load_suite(write_suite(SUITE.format(budget=20, ref_budget=20), "a.yaml"))
    without = load_suite(write_suite(SUITE.format(budget=20, ref_budget=20).split("references:")[0], "b.yaml"))
    assert with_refs.references and not without.references
    assert suite_hash(with_refs) == suite_hash(without)
    assert parse_references([]) == []


SUITE = """
name: refs
seeds: 3
device: cpu
batch_size: 32
budget: {{steps: {budget}}}
eval: {{n_samples: 300}}
datasets:
  - {{name: mog-ring8, params: {{n_samples: 2000}}}}
models:
  - model: gan
    hparams: {{g_hidden: 32, d_hidden: 16, g_layers: 2, d_layers: 2}}
references:
  - paper: PacGAN (Lin et al. 2018)
    table: Table 1
    spread_kind: sem
    n: 10
    budget: {{steps: {ref_budget}}}
    rows:
      - {{row: GAN, dataset: mog-ring8, model: gan, pack: 1, metrics: {{modes: [7.9, 0.1], hq_share: [0.96, 0.02]}}}}
      - {{row: PacGAN2, dataset: mog-ring8, model: gan, pack: 2, metrics: {{modes: [7.9, 0.1]}}}}
"""


def ganbench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ganbench.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"}, timeout=600)


def test_report_and_check_at_and_off_the_papers_budget(write_suite, tmp_path, registry):
    # at the paper's budget: a 20-step GAN is far below 7.9 modes / 96 % HQ -> worse, and check fails
    at = tmp_path / "at"
    run_suite(write_suite(SUITE.format(budget=20, ref_budget=20), "at.yaml"), at, registry=registry)
    html = (at / "report.html").read_text()
    section = html[html.index('<section id="published">'):]
    section = section[: section.index("</section>")]
    assert "PacGAN (Lin et al. 2018) — Table 1" in section and "± standard error" in section
    assert 'verdict v-worse">worse<' in section
    assert 'verdict v-unknown">no runs<' in section  # the pack-2 row: the suite has no pack 2
    res = ganbench("check", str(at), "--references")
    assert res.returncode == 1, res.stdout + res.stderr
    assert "worse" in res.stdout and "beaten by the paper" in res.stdout

    # the paper trained 400,000 steps: the same numbers are shown, not judged, and check passes
    off = tmp_path / "off"
    run_suite(write_suite(SUITE.format(budget=20, ref_budget=400000), "off.yaml"), off, registry=registry)
    html = (off / "report.html").read_text()
    assert 'verdict v-budget">budget differs<' in html and 'verdict v-worse">worse<' not in html
    res = ganbench("check", str(off), "--references")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "budget differs" in res.stdout


def test_check_references_needs_references(tiny_suite, tmp_path, registry):
    run_suite(tiny_suite, tmp_path / "o", registry=registry, render=False)
    res = ganbench("check", str(tmp_path / "o"), "--references")
    assert res.returncode == 2 and "no `references:`" in res.stderr
    res = ganbench("check", str(tmp_path / "o"))
    assert res.returncode == 2 and "--baseline" in res.stderr


def test_mog_suite_carries_table_1(repo):
    suite = load_suite(repo / "suites" / "mog.yaml")
    (table,) = suite.references
    assert table.table == "Table 1" and table.spread_kind == "sem" and table.n == 10
    assert table.budget.steps == 400000 and suite.budget.steps != 400000  # so the report says "budget differs"
    ring_gan = next(r for r in table.rows if r.dataset == "mog-ring8" and r.pack == 1)
    assert ring_gan.metrics["modes"] == [6.3, 0.5] and ring_gan.metrics["hq_share"] == [0.982, 0.002]


@pytest.mark.parametrize("name", ["mog", "pacgan-mog-paper", "pacgan-stacked-mnist-paper", "pacgan-small-d-paper",
                                  "pacgan-ablation", "cifar"])
def test_every_reference_row_matches_runs_of_its_suite(repo, registry, name):
    """A typo in a reference row's dataset, model label or pack would silently show "no runs"."""
    from ganbench.references import flatten
    from ganbench.suite import build_matrix

    suite = load_suite(repo / "suites" / f"{name}.yaml")
    runs = build_matrix(suite, registry)
    keys = {(r.dataset, r.label, r.pack) for r in runs} | {(r.dataset_label, r.model, r.pack) for r in runs}
    keys |= {(r.dataset, r.model, r.pack) for r in runs} | {(r.dataset_label, r.label, r.pack) for r in runs}
    refs = flatten(suite.references)
    assert refs
    missing = {(v.dataset, v.model, v.pack) for v in refs} - keys
    assert not missing, missing
    # and the budget a row is judged at is the one its runs train for
    for v in refs:
        budgets = {r.budget.model_dump(exclude_none=True).items().__iter__().__next__() for r in runs
                   if (r.dataset == v.dataset or r.dataset_label == v.dataset) and v.model in (r.label, r.model)}
        if name != "mog":  # mog.yaml is the reduced-budget suite: "budget differs" by design
            assert {(k, float(x)) for k, x in budgets} == {(k, float(x)) for k, x in v.budget.items()}, (v, budgets)
