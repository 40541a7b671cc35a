"""Suite files: every mistake gives one clear line naming the file and the field."""

from __future__ import annotations

import pytest

from ganbench.plan.matrix import build_matrix
from ganbench.plan.suite import SuiteError, load_suite, parse_budget

GOOD = """
name: s
seeds: 2
budget: {steps: 10}
datasets: [mog-ring8, {name: mog-grid25, params: {n_samples: 500}}]
models:
  - model: gan
    packs: [1, 2, 3]
  - model: gan
    label: gan-minimax
    hparams: {loss: minimax}
"""


def test_matrix_is_the_product(write_suite, registry):
    path = write_suite(GOOD)
    runs = build_matrix(load_suite(path), registry, str(path))
    # (3 packs + 1 pack) x 2 datasets x 2 seeds
    assert len(runs) == (3 + 1) * 2 * 2
    assert len({r.run_id for r in runs}) == len(runs)
    mm = [r for r in runs if r.label == "gan-minimax"]
    assert all(r.hparams["loss"] == "minimax" and r.hparams["g_hidden"] == 400 for r in mm)
    assert {r.dataset_params.get("n_samples") for r in runs if r.dataset == "mog-grid25"} == {500}


def test_cli_overrides(write_suite, registry):
    path = write_suite(GOOD)
    runs = build_matrix(load_suite(path), registry, str(path), seeds=[7], budget=parse_budget("kimg=2"), device="cpu")
    assert {r.seed for r in runs} == {7}
    assert all(r.budget.kind == "kimg" and r.budget.amount == 2 and r.device == "cpu" for r in runs)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("name: s\nbudget: {steps: 10}\ndatasets: [mog-ring8]\nmodels: [{model: gan}]\nbogus: 1\n", "bogus: unknown field"),
        ("name: s\nbudget: {steps: -5}\ndatasets: [mog-ring8]\nmodels: [{model: gan}]\n", "budget.steps: Input should be greater than 0"),
        ("name: s\nbudget: {steps: 5, kimg: 1}\ndatasets: [mog-ring8]\nmodels: [{model: gan}]\n", "exactly one of steps, kimg, seconds"),
        ("name: s\nbudget: {steps: 5}\ndatasets: [mog-ring8]\nmodels: [{model: gan, packs: [0]}]\n", "models[0].packs: pack sizes must be >= 1"),
        ("name: s\nbudget: {steps: 5}\ndatasets: [mog-ring8]\nmodels: [{model: gan, hparam: {}}]\n", "models[0].hparam: unknown field"),
        ("name: s\nbudget: {steps: 5}\ndatasets: []\nmodels: [{model: gan}]\n", "datasets: must list at least one entry"),
        ("budget: {steps: 5}\ndatasets: [mog-ring8]\nmodels: [{model: gan}]\n", "name: Field required"),
        ("- just\n- a list\n", "must be a YAML mapping"),
    ],
)
def test_schema_errors_name_file_and_field(write_suite, text, expected):
    path = write_suite(text)
    with pytest.raises(SuiteError) as err:
        load_suite(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_invalid_yaml_gives_line(write_suite):
    path = write_suite("name: s\nbudget: {steps: 5\nmodels: [\n")
    with pytest.raises(SuiteError, match=r"invalid YAML at line \d+"):
        load_suite(path)


def test_missing_file(tmp_path):
    with pytest.raises(SuiteError, match="suite file not found"):
        load_suite(tmp_path / "nope.yaml")


def test_unknown_model_lists_available(write_suite, registry):
    path = write_suite("name: s\nbudget: {steps: 5}\ndatasets: [mog-ring8]\nmodels: [{model: gann}]\n")
    with pytest.raises(SuiteError) as err:
        build_matrix(load_suite(path), registry, str(path))
    msg = str(err.value)
    assert "models[0].model: unknown model 'gann'" in msg and "gan" in msg.split("available:")[1]


def test_unknown_dataset_and_metric(write_suite, registry):
    path = write_suite("name: s\nbudget: {steps: 5}\ndatasets: [mog-ring9]\nmodels: [{model: gan}]\nmetrics: [nope]\n")
    with pytest.raises(SuiteError) as err:
        build_matrix(load_suite(path), registry, str(path))
    assert "datasets[0]: unknown dataset 'mog-ring9'" in str(err.value)
    assert "metrics: unknown metric 'nope'" in str(err.value)


def test_duplicate_labels_rejected(write_suite, registry):
    path = write_suite("name: s\nbudget: {steps: 5}\ndatasets: [mog-ring8]\nmodels: [{model: gan}, {model: gan}]\n")
    with pytest.raises(SuiteError, match="duplicate label"):
        build_matrix(load_suite(path), registry, str(path))


@pytest.mark.parametrize("text", ["steps=0", "steps=-1", "parsecs=3", "steps"])
def test_bad_budget_override(text):
    with pytest.raises(SuiteError, match="--budget"):
        parse_budget(text)


def test_shipped_suites_are_valid(repo, registry):
    """Every suite in suites/ parses; the ones whose plugins are installed expand to a matrix."""
    for path in sorted((repo / "suites").glob("*.yaml")):
        suite = load_suite(path)
        if all(m.model in registry.models for m in suite.models) and all(
            d.name in registry.datasets for d in suite.dataset_entries
        ):
            assert build_matrix(suite, registry, str(path)), path
