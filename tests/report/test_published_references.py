"""Published rows beside ours: the verdict rule against scipy, the suite field, the report, the gate."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import stats

from ganbench.analyse.references import ReferenceValue, adjust, flatten, parse_references, resolve_margin, spread_to_sd, verdict
from ganbench.plan.suite import SuiteError, load_suite, suite_hash
from ganbench.run.runner import run_suite


def _ref(mean, spread, n, kind="sem", budget=(("steps", 1000.0),), metric="modes", protocol=None, assumed=None):
    budget = dict(budget) if budget is not None else None
    margin, source = resolve_margin(metric, mean, None)
    return ReferenceValue("P", "T1", "row", "mog-ring8", "gan", 1, metric, mean, spread, kind, n, budget,
                          protocol=protocol or {}, margin=margin, margin_source=source, assumed_spread=assumed)


def _judge(ref, values, direction, budget, ours=None):
    return adjust([verdict(ref, np.asarray(values, dtype=float), direction, budget, ours)])[0]


def test_welch_p_and_interval_equal_scipy_on_the_raw_trials():
    """A paper that reports mean ± sem of n trials: our from-stats Welch p and 95 % interval of the
    difference equal scipy's ttest_ind on the raw trials (no sem -> sd conversion there)."""
    rng = np.random.default_rng(0)
    paper_trials = rng.normal(7.0, 0.6, size=10)
    ours = rng.normal(6.5, 0.8, size=5)
    sem = stats.sem(paper_trials)
    v = verdict(_ref(paper_trials.mean(), sem, 10), ours, "higher", {"steps": 1000.0})
    res = stats.ttest_ind(ours, paper_trials, equal_var=False)
    assert v.p == pytest.approx(res.pvalue, rel=1e-9)
    lo, hi = res.confidence_interval(0.95)
    assert (v.lo, v.hi) == (pytest.approx(lo, rel=1e-9), pytest.approx(hi, rel=1e-9))
    assert v.diff == pytest.approx(ours.mean() - paper_trials.mean())
    # std and 95 % CI conventions describe the same trials
    sd = np.std(paper_trials, ddof=1)
    ci = stats.t.ppf(0.975, 9) * sem
    for spread, kind in ((sd, "std"), (ci, "ci95")):
        assert spread_to_sd(spread, kind, 10) == pytest.approx(sd, rel=1e-9)
        assert verdict(_ref(paper_trials.mean(), spread, 10, kind), ours, "higher", {"steps": 1000.0}).p == pytest.approx(res.pvalue, rel=1e-9)


def test_verdict_kinds():
    b = {"steps": 1000.0}
    ring3 = _ref(7.8, 0.1, 10)  # PacGAN Table 1, PacGAN3 on the ring: 7.8 ± 0.1 (sem)
    assert _judge(ring3, [7.6, 8.0, 7.9, 7.7, 7.8, 7.9, 7.6, 8.0], "higher", b).kind == "consistent"
    assert _judge(ring3, [2.0, 3.0, 2.5, 3.5], "higher", b).kind == "worse"
    # not significantly different is not "consistent": 3 noisy seeds, neither shown
    v = _judge(ring3, [6.0, 8.0, 9.5], "higher", b)
    assert v.kind == "inconclusive" and v.seeds_needed is not None and v.seeds_needed > 3
    assert v.label == f"inconclusive (≈ {v.seeds_needed} seeds to show equivalence)"
    # the paper's own ± fills the margin (GAN ring modes 6.3 ± 0.5): no number of seeds shows it
    v = _judge(_ref(6.3, 0.5, 10), [6.0, 7.0, 6.5, 5.5], "higher", b)
    assert v.kind == "inconclusive" and v.seeds_needed is None and "alone exceeds the margin" in v.label
    # a difference seen beyond the margin that Holm does not confirm: no seed count to "show
    # equivalence" (f-GAN's Jeffrey sigma against the exact optimum, +0.066 vs a 0.05 margin)
    sig = dataclasses.replace(_ref(1.7031, None, None, metric="sigma", assumed=0.0001), margin=0.05)
    fam = [verdict(sig, np.array([1.780, 1.769, 1.758]), None, b)]
    fam += [verdict(_ref(7.8, 0.1, 10), np.array([7.0 + i, 8.0, 9.0]), "higher", b) for i in range(40)]
    v = adjust(fam)[0]
    assert v.diff == pytest.approx(0.066, abs=1e-3) and v.p < 0.05 and v.p_adjusted >= 0.05
    assert v.kind == "inconclusive" and v.outside_margin and v.seeds_needed is None
    assert "lies outside the ±0.05 margin" in v.label and "seeds" not in v.label
    # lower is better for KL: a smaller KL beyond noise is better
    kl = _ref(0.45, 0.09, 10, metric="reverse_kl")
    assert _judge(kl, [0.05, 0.06, 0.04], "lower", b).kind == "better"
    # another budget is shown with its difference, not judged, even when far off; an unstated one likewise
    far = _judge(_ref(6.3, 0.5, 10, budget=(("steps", 400000.0),)), [2.0, 3.0], "higher", b)
    assert far.kind == "protocol differs" and far.label == "protocol differs: budget" and far.p < 0.05
    assert far.diff == pytest.approx(-3.8) and far.lo < far.diff < far.hi
    assert _judge(_ref(6.3, 0.5, 10, budget=(("kimg", 1000.0),)), [2.0, 3.0], "higher", b).kind == "protocol differs"
    assert _judge(_ref(6.3, 0.5, 10, budget=None), [2.0, 3.0], "higher", b).label == "protocol differs: budget (not stated)"
    # a number published without ±: shown with "no spread", never judged, n never invented ...
    fid = _ref(9.01, None, None, metric="fid")
    v = _judge(fid, [20.0, 21.0, 22.0], "lower", b)
    assert v.kind == "no spread" and v.p is None and not v.gating and v.diff == pytest.approx(11.99)
    # ... nor is a ± of one trial (n = 1 is not raised to 2) or a sem without n
    assert _judge(_ref(9.01, 0.5, 1, metric="fid"), [20.0, 21.0, 22.0], "lower", b).kind == "no spread"
    assert _judge(_ref(9.01, 0.5, None, metric="fid"), [20.0, 21.0, 22.0], "lower", b).kind == "no spread"
    # ... unless the suite states an assumed spread: then it is judged against that
    assumed = _ref(9.01, None, None, metric="fid", assumed=0.1)
    assert _judge(assumed, [20.0, 21.0, 22.0], "lower", b).kind == "worse"
    assert _judge(assumed, [8.9, 9.0, 9.1, 9.05, 8.95], "lower", b).kind == "consistent"
    # nothing to judge noise by: a single seed
    assert _judge(ring3, [6.0], "higher", b).kind == "too few seeds"
    assert _judge(ring3, [], "higher", b).kind == "no runs"
    # exact on both sides (1000 ± 0 modes): equal is consistent, short of it beyond the margin is worse
    exact = _ref(1000.0, 0.0, 10)
    assert _judge(exact, [1000.0, 1000.0], "higher", b).kind == "consistent"
    assert _judge(exact, [900.0, 900.0], "higher", b).kind == "worse"
    # a stated protocol field that differs from ours is shown, never judged
    cond = _ref(9.01, 0.1, 5, metric="fid", protocol={"conditional": True, "checkpoint": "best", "n_fake": 50000})
    v = _judge(cond, [30.0, 31.0, 32.0], "lower", b, ours={"conditional": False, "checkpoint": "last", "n_fake": 50000})
    assert v.label == "protocol differs: conditioning, checkpoint" and not v.gating


def test_bad_margins_and_spreads_name_the_field():
    base = {"paper": "P", "table": "T", "rows": [{"row": "r", "dataset": "d", "model": "m", "metrics": {"fid": 1.0}}]}
    for bad, msg in [({"margins": {"fid": -1}}, "margins"), ({"margins": {"fid": "ten%"}}, "margins"),
                     ({"assumed_spread": {"fid": 0}}, "assumed_spread"),
                     ({"protocol": {"checkpoint": "median"}}, "protocol.checkpoint"),
                     ({"protocol": {"n_fake": 0}}, "protocol.n_fake"), ({"protocol": {"cond": True}}, "protocol.cond")]:
        with pytest.raises(ValueError, match=msg.replace(".", r"\.")):
            parse_references([{**base, **bad}])
    (t,) = parse_references([{**base, "margins": {"fid": "10%"}, "protocol": {"conditional": True},
                              "rows": [{**base["rows"][0], "metrics": {"fid": 20.0}, "protocol": {"checkpoint": "best"}}]}])
    (v,) = flatten([t])
    assert v.margin == pytest.approx(2.0) and v.protocol == {"conditional": True, "checkpoint": "best"}


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


def test_report_and_check_at_and_off_the_papers_budget(write_suite, tmp_path, registry, cli):
    # at the paper's budget: a 20-step GAN is far below 7.9 modes / 96 % HQ -> worse, and check fails
    at = tmp_path / "at"
    run_suite(write_suite(SUITE.format(budget=20, ref_budget=20), "at.yaml"), at, registry=registry)
    html = (at / "report.html").read_text()
    section = html[html.index('<section id="published">'):]
    section = section[: section.index("</section>")]
    assert "PacGAN (Lin et al. 2018) — Table 1" in section and "± standard error" in section
    assert "verdict v-worse\" title=\"paper's protocol: —\">worse<" in section
    assert "verdict v-unknown\" title=\"paper's protocol: —\">no runs<" in section  # the suite has no pack 2
    res = cli("check", str(at), "--references", "--markdown", str(tmp_path / "verdicts.md"))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "worse" in res.stdout and "beaten by the paper" in res.stdout
    # --markdown with --references alone writes the verdicts (it used to be ignored silently)
    md = (tmp_path / "verdicts.md").read_text()
    assert (tmp_path / "verdicts.md").stat().st_mode & 0o777 == 0o644  # meant to be shared, not mkstemp's 0600
    assert "**PacGAN (Lin et al. 2018), Table 1**" in md
    gan_modes = next(line for line in md.splitlines() if line.startswith("| GAN | modes |"))
    assert gan_modes.endswith("| worse |") and "7.9 ± 0.1" in gan_modes and "(n=3)" in gan_modes
    assert any(line.startswith("| PacGAN2 | modes |") and line.endswith("| no runs |") for line in md.splitlines())

    # the paper trained 400,000 steps: the same numbers are shown, not judged, and check passes
    off = tmp_path / "off"
    run_suite(write_suite(SUITE.format(budget=20, ref_budget=400000), "off.yaml"), off, registry=registry)
    html = (off / "report.html").read_text()
    assert "v-budget\" title=\"paper's protocol: —\">protocol differs: budget<" in html
    assert 'verdict v-worse">worse<' not in html and "Holm" in html
    res = cli("check", str(off), "--references")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "protocol" in res.stdout and "0 of 3 cells judged at the paper's protocol" in res.stdout


def test_check_references_needs_references(tiny_suite, tmp_path, registry, cli):
    run_suite(tiny_suite, tmp_path / "o", registry=registry, render=False)
    res = cli("check", str(tmp_path / "o"), "--references")
    assert res.returncode == 2 and "no `references:`" in res.stderr
    res = cli("check", str(tmp_path / "o"))
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
    from ganbench.analyse.references import flatten
    from ganbench.plan.matrix import build_matrix

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
