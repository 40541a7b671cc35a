"""Hostile and careless suite files: each is refused at load time with the file and field named,
before anything is trained, and never with a traceback or unbounded memory."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from ganbench.plan.matrix import build_matrix
from ganbench.plan.suite import SuiteError, load_suite, parse_suite

BASE = "name: s\nbudget: {steps: 10}\ndatasets: [mog-ring8]\nmodels: [{model: gan}]\n"


def _suite(**fields: str) -> str:
    parts = {"name": "s", "budget": "{steps: 10}", "datasets": "[mog-ring8]", "models": "[{model: gan}]"}
    parts.update(fields)
    return "".join(f"{k}: {v}\n" for k, v in parts.items())


def test_labels_differing_only_in_unsafe_characters_get_distinct_run_ids(write_suite, registry):
    path = write_suite(_suite(seeds="1", models="[{model: gan, label: 'gan a'}, {model: gan, label: 'gan/a'}]"))
    runs = build_matrix(load_suite(path), registry, str(path))
    assert len({r.run_id for r in runs}) == len(runs) == 2
    assert all("/" not in r.run_id and " " not in r.run_id for r in runs)


def test_dataset_labels_differing_only_in_unsafe_characters_get_distinct_run_ids(write_suite, registry):
    path = write_suite(_suite(seeds="1", datasets="[{name: mog-ring8, label: 'r 8'}, {name: mog-grid25, label: 'r:8'}]"))
    runs = build_matrix(load_suite(path), registry, str(path))
    assert len({r.run_id for r in runs}) == len(runs) == 2


@pytest.mark.parametrize(
    "fields, where",
    [
        ({"budget": "{steps: 1000000000000}"}, "budget.steps"),
        ({"budget": "{kimg: .inf}"}, "budget.kimg"),
        ({"budget": "{seconds: .inf}"}, "budget.seconds"),
        ({"budget": "{seconds: .nan}"}, "budget.seconds"),
        ({"seeds": "100000000"}, "seeds"),
        ({"seeds": "[100000000000000000000]"}, "seeds"),
        ({"seeds": "[-1]"}, "seeds"),
        ({"eval": "{n_samples: 1e11}"}, "eval.n_samples"),
        ({"models": "[{model: gan, packs: [100000]}]"}, "models[0].packs"),
        ({"batch_size": "10000000000"}, "batch_size"),
        ({"timeout_s": ".inf"}, "timeout_s"),
    ],
)
def test_impossible_values_are_refused_naming_the_field(write_suite, fields, where):
    path = write_suite(_suite(**fields))
    with pytest.raises(SuiteError) as err:
        load_suite(path)
    assert f"{path}: {where}" in str(err.value)


def test_large_but_real_values_stay_legal(write_suite):
    # PacGAN: 400k generator steps, 50k samples for FID, 10 seeds, packs up to 64
    suite = load_suite(write_suite(_suite(
        budget="{steps: 400000}", seeds="10", eval="{n_samples: 50000}",
        models="[{model: gan, packs: [1, 2, 4, 64]}]",
    )))
    assert suite.budget.steps == 400_000 and suite.seed_list == list(range(10))
    assert load_suite(write_suite(_suite(seeds="[4294967295]"))).seed_list == [2**32 - 1]
    assert load_suite(write_suite(_suite(budget="{kimg: 25000}"))).budget.kimg == 25000


BOMB = """\
name: s
budget: {steps: 10}
datasets: [mog-ring8]
models:
  - model: gan
    hparams:
      a: &a [x, x, x, x, x, x, x, x, x]
      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
      d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
      e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
      f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
      g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
      h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
"""


def test_alias_bomb_is_refused_quickly_with_bounded_memory(write_suite):
    path = write_suite(BOMB)
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(SuiteError, match="alias"):
            load_suite(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 5
    assert peak < 50 * 2**20


def test_recursive_alias_is_refused(write_suite):
    with pytest.raises(SuiteError, match="alias"):
        load_suite(write_suite(_suite(models="&m [{model: gan, hparams: {x: *m}}]")))


def test_a_few_aliases_stay_legal(write_suite):
    text = ("name: s\nbudget: {steps: 10}\ndatasets: [mog-ring8]\nmodels:\n"
            "  - {model: gan, hparams: &hp {lr: 0.001}}\n  - {model: gan, label: g2, hparams: *hp}\n")
    suite = parse_suite(text)
    assert suite.models[1].hparams == {"lr": 0.001}


def test_oversized_document_is_refused(write_suite):
    path = write_suite(BASE + "description: '" + "x" * (2 * 2**20) + "'\n")
    with pytest.raises(SuiteError, match="larger than"):
        load_suite(path)


def test_deep_nesting_is_one_error_not_a_recursion_traceback(write_suite):
    path = write_suite(_suite(models="[{model: gan, hparams: {x: " + "[" * 5000 + "]" * 5000 + "}}]"))
    with pytest.raises(SuiteError, match=str(path)):
        load_suite(path)


def test_non_utf8_suite_is_one_error(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(BASE.encode() + b"description: \xff\xfe\n")
    with pytest.raises(SuiteError, match="UTF-8"):
        load_suite(path)


@pytest.mark.parametrize("name", ["../../x", "/tmp/abs", "..", "a/../../b", "~/home"])
def test_default_output_folder_stays_under_reports(name, tmp_path):
    from ganbench.plan.suite import default_out_dir

    suite = parse_suite(_suite(name=repr(name)))
    out = default_out_dir(suite, base=tmp_path / "reports")
    assert out.resolve().parent == (tmp_path / "reports").resolve()
    assert "/" not in out.name and not out.name.startswith(".")


def test_dataset_params_are_checked_when_the_suite_loads(write_suite, registry):
    for params, expected in (("{n_sample: 5}", "unknown parameter(s) n_sample"), ("{std: -1}", "'std' must be a positive")):
        path = write_suite(_suite(datasets=f"[{{name: mog-ring8, params: {params}}}]"))
        with pytest.raises(SuiteError) as err:
            build_matrix(load_suite(path), registry, str(path))
        assert f"{path}: datasets[0].params" in str(err.value) and expected in str(err.value)
