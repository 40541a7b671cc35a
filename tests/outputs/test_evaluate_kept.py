"""ganbench evaluate: a kept generator re-scored without training, stored as its own run."""

from __future__ import annotations

import pytest

from ganbench.cli import main
from ganbench.rescore import evaluate_kept
from ganbench.results import load
from ganbench.runner import run_suite


@pytest.fixture
def kept_out(tmp_path, tiny_suite, registry):
    out = tmp_path / "mog"
    run_suite(tiny_suite, out, registry=registry, render=False, seeds=[0], keep="final")
    return out


def test_rescoring_with_the_runs_protocol_reproduces_its_numbers(kept_out, registry):
    rid = "gan__mog-ring8__pack1__seed0"
    new_id, values = evaluate_kept(kept_out, rid, ["mog-modes"], 200, registry=registry)  # the suite's own n
    r = load(kept_out)
    orig = r.metrics[(r.metrics["run_id"] == rid) & r.metrics["final"]].set_index("name")["value"]
    for k in ("modes", "hq_share", "reverse_kl"):
        assert values[k] == pytest.approx(orig[k], abs=1e-12)  # same generator, same latents: same numbers
    row = r.runs.set_index("run_id").loc[new_id]
    assert row["label"] == "gan [re-scored, 200 samples]" and row["status"] == "done"
    assert row["config"]["evaluation"] == {"of": rid, "kept": "final", "step": 20, "metrics": ["mog-modes"],
                                           "n_samples": 200, "device": "cpu"}


def test_rescoring_with_more_samples_is_a_new_evaluation(kept_out, capsys):
    rid = "gan__mog-ring8__pack2__seed0"
    assert main(["evaluate", str(kept_out), rid, "--metrics", "mog-modes", "--n-samples", "1000"]) == 0
    new_id = f"{rid}__eval-mog-modes-n1000"
    assert new_id in capsys.readouterr().out
    m = load(kept_out).metrics
    rows = m[(m["run_id"] == new_id) & (m["name"] == "modes")]
    assert rows["n_samples"].tolist() == [1000] and rows["final"].all()
    assert main(["evaluate", str(kept_out), rid, "--metrics", "nope"]) == 2
    assert "unknown metric(s) nope" in capsys.readouterr().err
    assert main(["evaluate", str(kept_out), rid, "--metrics", "fidelity"]) == 2
    assert "do(es) not apply to dataset 'mog-ring8'" in capsys.readouterr().err
