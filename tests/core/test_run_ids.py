"""Run ids are injective in (model label, dataset label, pack, seed) by construction.

A collision overwrites one run's rows with another's in the store, silently. The probe found
two: one dataset listed twice without a label, and ``x`` + ``y__z`` against ``x__y`` + ``z``.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ganbench.plan.ids import id_part, make_run_id
from ganbench.plan.matrix import build_matrix
from ganbench.plan.suite import SuiteError, parse_suite
from ganbench.util.atomic import run_file

labels = st.text(min_size=1, max_size=12)


@given(a=st.tuples(labels, labels, st.integers(1, 64), st.integers(0, 2**32 - 1)),
       b=st.tuples(labels, labels, st.integers(1, 64), st.integers(0, 2**32 - 1)))
def test_distinct_cells_never_share_an_id(a, b):
    if a != b:
        assert make_run_id(*a) != make_run_id(*b)


@given(label=labels)
def test_an_id_part_never_holds_the_separator_and_is_a_file_name(label):
    part = id_part(label)
    assert "_" not in part and "/" not in part and "\\" not in part and "\x00" not in part
    run_file("/tmp", make_run_id(label, label, 1, 0))  # never refused as a file name


def test_the_separator_inside_labels_no_longer_collides():
    assert make_run_id("x", "y__z", 1, 0) != make_run_id("x__y", "z", 1, 0)
    assert make_run_id("gan a", "ring", 1, 0) != make_run_id("gan/a", "ring", 1, 0) != make_run_id("gan-a", "ring", 1, 0)


def test_plain_labels_keep_their_readable_ids():
    assert make_run_id("gan", "mog-ring8", 2, 3) == "gan__mog-ring8__pack2__seed3"
    assert make_run_id("wgan-gp", "cifar10", 1, 0) == "wgan-gp__cifar10__pack1__seed0"


def test_suite_labels_with_the_separator_give_distinct_runs(registry):
    suite = parse_suite("name: s\nbudget: {steps: 5}\nseeds: 1\n"
                        "datasets: [{name: mog-ring8, label: y__z}, {name: mog-ring8, label: z}]\n"
                        "models: [{model: gan, label: x}, {model: gan, label: x__y}]\n")
    runs = build_matrix(suite, registry, "s.yaml")
    assert len({r.run_id for r in runs}) == len(runs) == 4


def test_one_dataset_listed_twice_without_labels_is_refused(registry):
    suite = parse_suite("name: s\nbudget: {steps: 5}\n"
                        "datasets: [{name: mog-ring8, params: {std: 0.01}}, {name: mog-ring8, params: {std: 0.02}}]\n"
                        "models: [{model: gan}]\n")
    with pytest.raises(SuiteError) as err:
        build_matrix(suite, registry, "s.yaml")
    assert str(err.value) == ("s.yaml: datasets[0] and datasets[1] are both called 'mog-ring8' (duplicate label); "
                              "give one a distinct `label`")
