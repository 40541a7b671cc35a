"""The comparison rules of ``ganbench check``: tolerance, directions, floors, exit codes."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest

from ganbench.gate.baseline import MetricStats, build_baseline, load_baseline
from ganbench.gate.regression import (
    EXIT_NOT_COMPARABLE,
    EXIT_OK,
    EXIT_REGRESSION,
    CheckError,
    CheckOptions,
    compare,
    compare_metric,
    floor_value,
    parse_floor_arg,
    resolve_options,
)
from ganbench.plan.suite import CheckConfig, SuiteError, parse_suite
from ganbench.record.store import Store


def stats(mean, std=0.0, n=3, direction="higher", extractor=None):
    return MetricStats(mean=mean, std=std, n=n, direction=direction, extractor=extractor)


@pytest.mark.parametrize(
    "direction, base, now, std, floor, expected",
    [
        ("higher", 8.0, 6.0, 0.0, 1.0, "regressed"),     # 2 modes lost, floor 1
        ("higher", 8.0, 7.5, 0.0, 1.0, "ok"),            # within the floor
        ("higher", 8.0, 6.0, 1.0, 1.0, "ok"),            # 3·std = 3 covers a drop of 2
        ("higher", 6.0, 8.0, 0.0, 1.0, "improved"),
        ("lower", 0.2, 0.5, 0.05, 0.1, "regressed"),     # KL up by 0.3 > max(0.15, 0.1)
        ("lower", 0.5, 0.2, 0.05, 0.1, "improved"),
        ("lower", 0.2, 0.28, 0.05, 0.1, "ok"),
    ],
)
def test_direction_and_tolerance(direction, base, now, std, floor, expected):
    opts = CheckOptions(k=3, floors={"m": floor})
    row = compare_metric("g", "m", stats(base, std, direction=direction), stats(now, 0.0, direction=direction), opts)
    assert row.status == expected, row.reason
    assert row.tolerance == pytest.approx(max(3 * std, floor))
    assert row.delta == pytest.approx(now - base)


def test_relative_floor_scales_with_the_baseline_mean():
    assert floor_value("5%", 200.0) == pytest.approx(10.0)
    assert floor_value("5%", -40.0) == pytest.approx(2.0)
    opts = CheckOptions(floors={"fid": "10%"})
    assert compare_metric("g", "fid", stats(50.0, direction="lower"), stats(54.0, direction="lower"), opts).status == "ok"
    assert compare_metric("g", "fid", stats(50.0, direction="lower"), stats(56.0, direction="lower"), opts).status == "regressed"


def test_default_floor_is_relative_for_unknown_metrics():
    opts = CheckOptions()
    assert opts.floor_spec("some_new_score") == "5%"
    assert opts.floor_spec("modes") == 1.0
    assert opts.floor_spec("gen_samples_per_s") == "50%"  # pattern *_per_s


def test_throughput_is_skipped_unless_asked_for():
    base, now = stats(1000.0), stats(10.0)  # a 100x slowdown
    assert compare_metric("g", "train_samples_per_s", base, now, CheckOptions()).status == "skipped"
    asked = CheckOptions(metrics=["*"])
    assert compare_metric("g", "train_samples_per_s", base, now, asked).status == "regressed"
    # with a 50 % floor, a 30 % slowdown (normal noise on shared CI) passes
    assert compare_metric("g", "train_samples_per_s", base, stats(700.0), asked).status == "ok"


def test_metric_without_direction_or_value():
    assert compare_metric("g", "m", stats(1.0, direction=None), stats(0.0, direction=None), CheckOptions()).status == "skipped"
    assert compare_metric("g", "m", stats(1.0), None, CheckOptions()).status == "not-comparable"
    assert compare_metric("g", "m", stats(1.0), stats(None), CheckOptions()).status == "not-comparable"


def test_different_extractor_is_not_comparable():
    row = compare_metric("g", "fid", stats(10.0, direction="lower", extractor="inception-v3"),
                         stats(10.0, direction="lower", extractor="ganbench-mnist-cnn"), CheckOptions())
    assert row.status == "not-comparable" and "extractor" in row.reason


def test_options_precedence_defaults_suite_cli():
    suite_cfg = CheckConfig(k=2, floors={"modes": 3}, metrics=["modes"])
    opts = resolve_options(suite_cfg)
    assert (opts.k, opts.floor_spec("modes"), opts.metrics) == (2, 3, ["modes"])
    opts = resolve_options(suite_cfg, k=5, floors={"modes": "10%"}, metrics=["*"])
    assert (opts.k, opts.floor_spec("modes"), opts.metrics) == (5, "10%", ["*"])
    with pytest.raises(CheckError):
        resolve_options(None, k=-1)


@pytest.mark.parametrize("text", ["modes", "=3", "modes=abc", "modes=-1", "fid=x%"])
def test_bad_floor_argument_is_named(text):
    with pytest.raises(CheckError, match="floor"):
        parse_floor_arg(text)


def test_suite_check_section_is_validated_and_not_hashed():
    from ganbench.plan.suite import suite_hash

    base = "name: s\nbudget: {steps: 5}\ndatasets: [mog-ring8]\nmodels: [{model: gan}]\n"
    with_check = base + "check: {k: 2, floors: {modes: 2, fid: '10%'}, metrics: [modes]}\n"
    assert parse_suite(with_check).check.floors == {"modes": 2, "fid": "10%"}
    assert suite_hash(parse_suite(base)) == suite_hash(parse_suite(with_check))  # tolerances do not change numbers
    with pytest.raises(SuiteError, match=r"s.yaml: check.floors: .*'modes'"):
        parse_suite(base + "check: {floors: {modes: lots}}\n", "s.yaml")
    with pytest.raises(SuiteError, match=r"check.tolerance: unknown field"):
        parse_suite(base + "check: {tolerance: 3}\n", "s.yaml")


# ---- on real stores -------------------------------------------------------------------------


def test_baseline_holds_mean_std_n_per_group(check_store, check_baseline):
    data = json.loads(check_baseline.read_text())
    with Store.open(check_store, create=False) as store:
        meta = store.meta()
        fin = store.metrics(final_only=True)
    assert data["suite_hash"] == meta["suite_hash"]
    assert data["hardware"]["cpu"] == meta["hardware"]["cpu"]
    assert data["plugins"]["gan"]["version"]
    (group,) = data["groups"]
    assert group["seeds"] == [0, 1]
    vals = fin[fin["name"] == "reverse_kl"].sort_values("run_id")["value"].to_numpy()
    m = group["metrics"]["reverse_kl"]
    assert m["n"] == 2 and m["direction"] == "lower"
    assert m["mean"] == pytest.approx(vals.mean()) and m["std"] == pytest.approx(np.std(vals, ddof=1))
    again = load_baseline(check_baseline)
    assert again.groups[("gan", "mog-ring8", 1)].metrics["reverse_kl"].mean == pytest.approx(m["mean"])


def test_store_checked_against_its_own_baseline_passes(check_store, check_baseline):
    result = compare(check_store, load_baseline(check_baseline))
    assert result.exit_code == EXIT_OK, result.to_json()
    assert result.counts()["ok"] >= 3 and not result.problems


def _set_final(store_dir, name, value):
    con = sqlite3.connect(store_dir / "results.sqlite")
    with con:
        n = con.execute("UPDATE metrics SET value=? WHERE name=? AND final=1", (value, name)).rowcount
    con.close()
    assert n > 0


def test_worse_numbers_are_a_regression(store_copy, check_baseline):
    _set_final(store_copy, "reverse_kl", 50.0)  # far above log(8): as bad as it gets and then some
    result = compare(store_copy, load_baseline(check_baseline))
    assert result.exit_code == EXIT_REGRESSION
    (bad,) = [r for r in result.rows if r.status == "regressed"]
    assert bad.metric == "reverse_kl" and "up by" in bad.reason


def test_changed_suite_is_not_comparable(store_copy, check_baseline):
    with Store.open(store_copy) as store:
        store.set_meta("suite_hash", "0000000000000000")
    result = compare(store_copy, load_baseline(check_baseline))
    assert result.exit_code == EXIT_NOT_COMPARABLE
    assert any("suite differs" in p for p in result.problems)


def test_failed_run_is_not_comparable(store_copy, check_baseline):
    with Store.open(store_copy) as store:
        store.upsert_run("gan__mog-ring8__pack1__seed1", status="failed", error="train_step raised at step 3")
    result = compare(store_copy, load_baseline(check_baseline))
    assert result.exit_code == EXIT_NOT_COMPARABLE
    assert any("seed1 is failed: train_step raised" in p for p in result.problems)
    assert any(r.status == "not-comparable" and "missing seeds [1]" in r.reason for r in result.rows)


def test_missing_metric_and_changed_config_are_not_comparable(store_copy, check_baseline):
    con = sqlite3.connect(store_copy / "results.sqlite")
    with con:
        con.execute("DELETE FROM metrics WHERE name='modes'")
    con.close()
    result = compare(store_copy, load_baseline(check_baseline))
    assert result.exit_code == EXIT_NOT_COMPARABLE
    assert any(r.metric == "modes" and r.status == "not-comparable" for r in result.rows)

    with Store.open(store_copy) as store:
        for seed in (0, 1):
            run_id = f"gan__mog-ring8__pack1__seed{seed}"
            cfg = store.runs().set_index("run_id").loc[run_id, "config"]
            store.upsert_run(run_id, config={**cfg, "budget": {"steps": 10}})  # as with --budget steps=10
    result = compare(store_copy, load_baseline(check_baseline))
    assert result.exit_code == EXIT_NOT_COMPARABLE
    assert any("run config differs in: budget" in r.reason for r in result.rows)


def test_baseline_refuses_unfinished_store(store_copy):
    from ganbench.gate.baseline import BaselineError

    with Store.open(store_copy) as store:
        store.upsert_run("gan__mog-ring8__pack1__seed0", status="failed", error="boom")
    with pytest.raises(BaselineError, match="seed0 \\(failed\\)"):
        build_baseline(store_copy)


def test_config_key_recorded_only_on_one_side_is_a_note(store_copy, check_baseline):
    """A newer ganbench recording one more config key must not void old baselines."""
    with Store.open(store_copy) as store:
        for run_id, cfg in store.runs().set_index("run_id")["config"].items():
            store.upsert_run(run_id, config={**cfg, "new_setting": 1})
    result = compare(store_copy, load_baseline(check_baseline))
    assert result.exit_code == EXIT_OK
    assert any("new_setting" in n for n in result.notes)
