"""Property: any document given as a suite or a baseline is either usable or refused with one
error line, never a traceback, within bounded time (hypothesis, fixed example budget)."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ganbench.commands import error_line
from ganbench.gate.baseline import BaselineError, load_baseline
from ganbench.plan.matrix import build_matrix
from ganbench.plan.suite import SuiteError, parse_suite, suite_hash

FUZZ = settings(max_examples=150, deadline=2000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

scalars = st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70) | st.floats() | st.text(max_size=12)
values = st.recursive(scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                      max_leaves=20)
SUITE_KEYS = ["name", "seeds", "budget", "datasets", "models", "eval", "batch_size", "device", "timeout_s", "vectorize"]
GOOD = {"name": "s", "seeds": 1, "budget": {"steps": 5}, "datasets": ["mog-ring8"], "models": [{"model": "gan"}]}


@st.composite
def suite_docs(draw) -> str:
    kind = draw(st.sampled_from(["mutated", "raw", "alias"]))
    if kind == "raw":
        return draw(st.text(max_size=200))
    if kind == "alias":  # nested anchors: small ones are legal, big ones must be refused quickly
        depth, width = draw(st.integers(1, 12)), draw(st.integers(1, 12))
        lines = [f"      l0: &l0 [{', '.join(['x'] * width)}]"]
        lines += [f"      l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, depth)]
        return ("name: s\nbudget: {steps: 5}\ndatasets: [mog-ring8]\nmodels:\n  - model: gan\n    hparams:\n"
                + "\n".join(lines) + "\n")
    doc = dict(GOOD)
    for key in draw(st.lists(st.sampled_from(SUITE_KEYS), max_size=3)):
        doc[key] = draw(values)
    return yaml.safe_dump(doc)


def _one_line(exc: Exception) -> None:
    line = error_line(str(exc))
    assert "\n" not in line and line.startswith("error: ") and len(line) > len("error: ")


@FUZZ
@given(suite_docs())
def test_any_suite_document_is_usable_or_one_error_line(registry, text):
    try:
        suite = parse_suite(text, "fuzz.yaml")
        runs = build_matrix(suite, registry, "fuzz.yaml")
    except SuiteError as exc:
        _one_line(exc)
        assert "fuzz.yaml" in str(exc)
        return
    suite_hash(suite)  # what a run does with a loaded suite: hash it, serialise every config
    for r in runs:
        json.dumps(r.config(), default=str)


BASE = {
    "format": "ganbench-baseline", "format_version": 1, "suite": "s", "suite_hash": "h",
    "groups": [{"label": "gan", "dataset_label": "ring", "pack": 1, "seeds": [0], "config": {},
                "metrics": {"modes": {"mean": 8.0, "std": 0.0, "n": 1, "values": [8.0]}}}],
}
GROUP_KEYS = ["label", "dataset_label", "pack", "seeds", "config", "metrics", "model_version"]
METRIC_KEYS = ["mean", "std", "n", "values", "direction"]


@st.composite
def baseline_docs(draw) -> bytes:
    kind = draw(st.sampled_from(["mutated", "raw"]))
    if kind == "raw":
        return draw(st.binary(max_size=200))
    doc = json.loads(json.dumps(BASE))
    for key in draw(st.lists(st.sampled_from(["suite_hash", "groups", "plugins", "suite"]), max_size=1)):
        doc[key] = draw(values)
    if isinstance(doc["groups"], list) and doc["groups"] and isinstance(doc["groups"][0], dict):
        g = doc["groups"][0]
        for key in draw(st.lists(st.sampled_from(GROUP_KEYS), max_size=2)):
            g[key] = draw(values)
        m = g.get("metrics")
        if isinstance(m, dict) and isinstance(m.get("modes"), dict):
            for key in draw(st.lists(st.sampled_from(METRIC_KEYS), max_size=2)):
                m["modes"][key] = draw(values)
    return json.dumps(doc).encode()


@FUZZ
@given(baseline_docs())
def test_any_baseline_document_is_usable_or_one_error_line(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("fuzz") / "base.json"
    p.write_bytes(data)
    try:
        b = load_baseline(p)
    except BaselineError as exc:
        _one_line(exc)
        assert str(p) in str(exc)
        return
    assert b.groups and b.suite_hash
    for g in b.groups.values():
        assert g.metrics and all(isinstance(s, int) for s in g.seeds)
        for m in g.metrics.values():
            assert all(v is None or isinstance(v, float) for v in m.values)
