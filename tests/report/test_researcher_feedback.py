"""What a researcher benchmarking their own image folder tripped on: silence during long feature
extraction, non-standard Inception weights flagged only in notes, no quick eval-sample override,
numbers cut to "0.00…", "seeds 0", "± 0.000" on one seed, a private reference cache, a leaderboard
wider than the page, and a degenerate FID of 0 bolded as the best."""

from __future__ import annotations

import io
import os
import re
import stat

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from ganbench.record.store import MetricRow, Store
from ganbench.report.aggregate import fmt_mean_std, mark_best
from ganbench.report.build import render_report
from ganbench.report.comparability import NONSTANDARD_MARK, banners, is_degenerate
from ganbench.util.work_progress import WorkProgress

NOTE = ("Inception weights mine.pth (SHA-256 0123456789ab…) are not the reference TF weights; not comparable "
        "with papers")


def _store(path, *, seeds=(0,), fid=(30.0, 0.0), note=NOTE):
    with Store.open(path) as s:
        s.set_meta("suite", "own")
        for label, value in zip(("dcgan", "broken"), fid):
            for seed in seeds:
                rid = f"{label}__mine__pack1__seed{seed}"
                s.upsert_run(rid, suite="own", model=label, label=label, dataset="image-folder", dataset_label="mine",
                             seed=seed, pack=1, config={"eval": {"n_samples": 100}}, status="done", steps=10, kimg=1.0)
                s.add_metrics([
                    MetricRow(rid, 10, 1.0, 1.0, "fid", value + (seed if value else 0), "lower", "inception-v3", 100, 100, note, True),
                    MetricRow(rid, 10, 1.0, 1.0, "is", 0.0123456 + seed, "higher", "inception-v3", 100, None, note, True),
                ])
    return path


def test_feature_extraction_progress_lines_in_a_non_terminal():
    stream = io.StringIO()
    with WorkProgress("inception-v3 reference features of 2,006 mine images", 2006, stream=stream,
                      quiet_s=0.0, every_s=0.0) as wp:
        for _ in range(4):
            wp.advance(500)
        wp.advance(6)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("inception-v3 reference features of 2,006 mine images: 500/2,006 images (25%)")
    assert "left" in lines[0] and lines[-1].startswith("inception-v3 reference features of 2,006 mine images: done, 2,006")


def test_short_work_stays_silent():
    stream = io.StringIO()
    with WorkProgress("quick", 10, stream=stream) as wp:  # default quiet period: nothing for fast work
        wp.advance(10)
    assert stream.getvalue() == ""


def test_fidelity_extraction_reports_progress(monkeypatch):
    """The extractor's progress hook is now used: every batch advances the bar."""
    import torch

    from ganbench.metrics.extractors import Extractor

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(1))

        def forward(self, x):
            return (x.float().mean((1, 2, 3))[:, None].repeat(1, 2048), x.float().mean((1, 2, 3))[:, None].repeat(1, 10))

        @staticmethod
        def convert_features_tuple_to_dict(t):
            return {"2048": t[0], "logits_unbiased": t[1]}

    ext = Extractor("inception-v3", Tiny(), "2048", "logits_unbiased", 3, "x")
    seen = []
    ext.extract(torch.zeros(10, 3, 8, 8, dtype=torch.uint8), batch_size=4, progress=seen.append)
    assert seen == [4, 4, 2]
    import inspect

    from ganbench.metrics import fidelity

    src = inspect.getsource(fidelity)
    assert src.count("progress=wp.advance") == 2  # generated and reference features both report


def test_banner_on_top_of_the_report_and_the_summary(tmp_path):
    out = _store(tmp_path / "results.sqlite")
    html = render_report(out, tmp_path / "r.html").read_text()
    top = html[html.index("<h1>"):html.index("<nav>")]
    assert "Not comparable with published numbers" in top and "non-standard Inception weights" in top
    from ganbench.commands.run import print_summary

    buf = io.StringIO()
    print_summary(Console(file=buf, width=80), out)
    text = buf.getvalue()
    assert text.index("Not comparable with published numbers") < text.index("mine (mean")


def test_no_banner_with_the_reference_weights(tmp_path):
    assert banners(pd.DataFrame({"note": ["within 3 std", None]})) == []
    assert NONSTANDARD_MARK in NOTE


def test_summary_numbers_are_never_cut_in_80_columns_or_a_pipe(tmp_path):
    out = _store(tmp_path / "results.sqlite", note=None)
    with Store.open(out) as s:  # eight more columns: more than 80 characters of numbers per row
        s.add_metrics([MetricRow(f"{label}__mine__pack1__seed0", 10, 1.0, 1.0, f"precision_{k}", 0.00123456, "higher",
                                 None, 100, None, None, True) for label in ("dcgan", "broken") for k in range(8)])
    from ganbench.commands.run import print_summary

    for console in (Console(file=io.StringIO(), width=80), Console(file=io.StringIO(), width=80, force_terminal=True)):
        print_summary(console, out)
        text = console.file.getvalue()
        assert "…" not in text
        assert "0.012" in text and "30.00" in text and text.count("0.0012") == 16


def test_one_seed_rows_have_no_plus_minus_zero_and_the_header_counts_seeds(tmp_path):
    assert fmt_mean_std(30.0, float("nan"), "fid") == "30.00" and fmt_mean_std(30.0, None, "fid") == "30.00"
    assert fmt_mean_std(6.3333, 0.5, "modes") == "6.3 ± 0.5"
    html = render_report(_store(tmp_path / "results.sqlite"), tmp_path / "r.html").read_text()
    assert "± 0.000" not in html and "± 0.00<" not in html
    assert "· 1 seed (0)" in html and "seeds 0" not in html


def test_a_degenerate_fid_of_zero_is_flagged_not_best(tmp_path):
    assert is_degenerate("fid", 0.0) and is_degenerate("kid_mnist", 0.0) and not is_degenerate("fid", 0.5)
    assert not is_degenerate("modes", 0.0)
    summary = pd.DataFrame({"dataset_label": ["d", "d"], "name": ["fid", "fid"], "label": ["a", "b"],
                            "pack": [1, 1], "mean": [0.0, 30.0], "direction": ["lower", "lower"]})
    assert mark_best(summary)["best"].tolist() == [False, True]
    html = render_report(_store(tmp_path / "results.sqlite", seeds=(0, 1), fid=(30.0, 0.0)), tmp_path / "r.html").read_text()
    cells = re.findall(r'<td data-sort="[^"]*" class="(\w+)"[^>]*>([^<]*)', html)
    assert ("degenerate", "⚠ 0.50 ± 0.71") in cells or any(c == "degenerate" for c, _ in cells)
    assert not any(c == "best" and t.startswith("⚠") for c, t in cells)


def test_the_leaderboard_scrolls_inside_the_page(tmp_path):
    html = render_report(_store(tmp_path / "results.sqlite"), tmp_path / "r.html").read_text()
    assert re.search(r'<div class="table-scroll"><table class="leaderboard', html)
    assert ".table-scroll { max-width: 100%; overflow-x: auto; }" in html


def test_the_reference_cache_and_evaluator_are_readable_by_others(tmp_path):
    from ganbench.metrics.evaluator import _atomic_save
    from ganbench.metrics.refstats import save_npz_atomic

    old = os.umask(0o022)
    try:
        save_npz_atomic(tmp_path / "ref.npz", mu=np.zeros(2))
        _atomic_save({"x": 1}, tmp_path / "ev.pt")
    finally:
        os.umask(old)
    for f in ("ref.npz", "ev.pt"):
        assert stat.S_IMODE((tmp_path / f).stat().st_mode) == 0o644, f


def test_eval_samples_override_reaches_every_count(tmp_path):
    from ganbench.plan.matrix import RunSpec, with_eval_samples
    from ganbench.plan.suite import Budget, EvalConfig, SuiteError

    ev = EvalConfig(n_samples=26000, options={"n_samples_per_dataset": {"stacked-mnist": 26000},
                                              "fid_n_samples": 50000, "fid_n_real": 50000})
    run = RunSpec(run_id="r", suite="s", model="dcgan", label="dcgan", dataset="stacked-mnist",
                  dataset_label="stacked-mnist", dataset_params={}, seed=0, pack=1, hparams={}, batch_size=64,
                  budget=Budget(steps=10), eval=ev, metrics=None, device="cpu", deterministic=True)
    (quick,) = with_eval_samples([run], 2000)
    assert quick.eval.n_samples == 2000
    assert quick.eval.options == {"n_samples_per_dataset": {"stacked-mnist": 2000}, "fid_n_samples": 2000,
                                  "fid_n_real": 50000}
    assert quick.config()["eval"]["n_samples"] == 2000  # recorded with the run
    with pytest.raises(SuiteError, match="--eval-samples must be >= 1"):
        with_eval_samples([run], 0)


def test_eval_samples_on_the_command_line(tmp_path, tiny_suite, capsys):
    from ganbench.cli import main
    from ganbench.record.results import load

    assert main(["run", str(tiny_suite), "--out", str(tmp_path / "o"), "--seeds", "1", "--no-report",
                 "--eval-samples", "300"]) == 0
    m = load(tmp_path / "o").metrics
    assert set(m.loc[m["name"] == "modes", "n_samples"]) == {300}
    with pytest.raises(SystemExit):
        main(["run", str(tiny_suite), "--eval-samples", "0"])
    assert "expected a positive integer, got '0'" in capsys.readouterr().err


def test_published_rows_beside_nonstandard_weights_are_not_comparable(tmp_path):
    """A paper's FID beside ours scored with other Inception weights: shown, never judged (and so
    never a `check --references` failure)."""
    from ganbench.analyse.references import compare_store, parse_references
    from ganbench.report.load import load_stores

    out = _store(tmp_path / "results.sqlite", seeds=(0, 1, 2), fid=(30.0, 31.0))
    tables = parse_references([{"paper": "P", "table": "T1", "spread_kind": "sem", "n": 5, "rows": [
        {"row": "DCGAN", "dataset": "mine", "model": "dcgan", "pack": 1, "metrics": {"fid": [10.0, 0.5]}}]}])
    with load_stores(out) as data:
        (c,) = compare_store(data.runs, data.metrics, tables)
    assert c.verdict.kind == "not comparable" and not c.verdict.gating and c.verdict.p is None
    assert c.verdict.label == "not comparable: non-standard Inception weights"
    clean = _store(tmp_path / "clean.sqlite", seeds=(0, 1, 2), fid=(30.0, 31.0), note=None)
    with load_stores(clean) as data:
        (c,) = compare_store(data.runs, data.metrics, tables)
    assert c.verdict.kind != "not comparable"  # the same numbers with the reference weights: the usual rules


def test_evaluate_takes_inception_weights_like_run(tmp_path, capsys, monkeypatch):
    from ganbench.cli import main
    from ganbench.record import rescore

    seen = {}

    def fake(out, run_id, metrics, n, **kw):
        seen["weights"] = os.environ.get("GANBENCH_INCEPTION_WEIGHTS")
        return "r__eval", {"fid": 1.0}

    monkeypatch.setattr(rescore, "evaluate_kept", fake)
    monkeypatch.delenv("GANBENCH_INCEPTION_WEIGHTS", raising=False)
    assert main(["evaluate", str(tmp_path), "r", "--metrics", "fidelity", "--inception-weights", str(tmp_path / "no.pth")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --inception-weights:") and "no.pth does not exist" in err
    weights = tmp_path / "w.pth"
    weights.write_bytes(b"x")
    assert main(["evaluate", str(tmp_path), "r", "--metrics", "fidelity", "--inception-weights", str(weights)]) == 0
    assert seen["weights"] == str(weights.resolve())


def test_data_prepare_says_the_evaluators_accuracy(mnist_root, tmp_path):
    """Without training one here (minutes): the line for the data root's evaluator if it has one,
    and for an empty root the one line saying it is not there."""
    from ganbench.commands.data import evaluator_lines
    from ganbench.metrics.evaluator import evaluator_path

    if evaluator_path(mnist_root, "mnist").exists():
        (line,) = evaluator_lines("mnist", mnist_root)
        assert re.match(r"evaluator ganbench-mnist-cnn: test accuracy 99\.\d\d % on the mnist test set \(needs >= 99 %\)", line)
    (line,) = evaluator_lines("stacked-mnist", tmp_path)
    assert line.startswith("evaluator mnist: not available (") and "\n" not in line
    assert evaluator_lines("mog-ring8", mnist_root) == []
