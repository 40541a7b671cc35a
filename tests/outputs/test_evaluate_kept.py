"""ganbench evaluate: a kept generator re-scored without training, stored as its own run."""

from __future__ import annotations

import pytest

from ganbench.api import MetricSpec, MetricValue
from ganbench.cli import main
from ganbench.contract.hookspecs import hookimpl
from ganbench.record.rescore import evaluate_kept
from ganbench.record.results import load
from ganbench.run.runner import run_suite
from tests.helpers.suites import gan, ring, suite_text


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
                                           "n_samples": 200, "device": "cpu", "latents": "eval-latents"}


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


INFOGAN = {"z_dim": 8, "g_hidden": 16, "g_ch": 8, "d_hidden": 16, "d_ch": 8, "q_hidden": 8}
INFOGAN_SUITE = suite_text(
    name="codes", seeds=1, batch_size=16, budget={"steps": 2}, datasets=[{"name": "mnist"}], metrics=["mnist-modes", "latent-codes"],
    eval={"n_samples": 40, "options": {"code_samples_per_value": 20, "code_q_samples": 300}},
    models=[{"model": "infogan", "hparams": INFOGAN}, {"model": "dcgan", "hparams": {"z_dim": 8, "g_base_channels": 4, "d_base_channels": 4}}])


@pytest.fixture(scope="module")
def codes_out(tmp_path_factory, mnist_root, evaluator, registry):
    """A kept InfoGAN and a kept DCGAN (no latent codes), trained 2 steps on MNIST."""
    suite = tmp_path_factory.mktemp("codes") / "codes.yaml"
    suite.write_text(INFOGAN_SUITE)
    out = suite.parent / "out"
    run_suite(suite, out, registry=registry, render=False, keep="final")
    return out


def test_rescoring_a_capability_metric_measures_the_model(codes_out, registry, capsys):
    """latent-codes needs the model (its codes and Q), not only samples: the re-score must store
    the rows the run's own evaluation would, and the CLI must say so."""
    rid = "infogan__mnist__pack1__seed0"
    assert main(["evaluate", str(codes_out), rid, "--metrics", "latent-codes"]) == 0
    new_id = f"{rid}__eval-latent-codes-n40"
    m = load(codes_out).metrics
    rows = m[m["run_id"] == new_id].set_index("name")
    assert {"code_accuracy", "code_accuracy_matched", "code_digits", "q_accuracy"} <= set(rows.index)
    assert rows.loc["code_accuracy", "n_samples"] == 10 * 20  # per-value count from the run's eval options
    # the oracle is the run's own final evaluation of the same networks: code accuracy (G) and Q's
    # accuracy (Q lives in D, which the kept file must hold too) come out the same
    own = m[(m["run_id"] == rid) & m["final"].astype(bool)].set_index("name")["value"]
    for key in ("code_accuracy", "code_accuracy_matched", "q_accuracy", "q_accuracy_majority"):
        assert rows.loc[key, "value"] == pytest.approx(own[key], abs=1e-12), key


def test_a_rescore_that_measures_nothing_is_an_error_and_stores_nothing(codes_out, registry, capsys):
    rid = "dcgan__mnist__pack1__seed0"
    before = load(codes_out).runs["run_id"].tolist()
    assert main(["evaluate", str(codes_out), rid, "--metrics", "latent-codes"]) == 2
    err = capsys.readouterr().err
    assert "'latent-codes' gave no values" in err and "dcgan" in err
    assert load(codes_out).runs["run_id"].tolist() == before, "no run row for a measurement never made"


LEARNING_SUITE = suite_text(name="best", seeds=1, budget={"steps": 30}, eval={"n_samples": 300, "every": 10}, datasets=[ring(1000)],
                            models=[gan(hparams={"g_hidden": 16, "d_hidden": 8, "g_layers": 1, "d_layers": 1, "lr": 0.001})])


class SampleMean:
    """A metric that is a continuous function of the samples: other latents, another value."""

    @hookimpl
    def ganbench_metrics(self):
        def compute(ctx):
            return {"sample_mean": MetricValue(float(ctx.samples.double().mean()), None)}

        return [MetricSpec(name="sample-mean", compute=compute)]


def test_a_kept_best_is_labelled_best_of_k_and_rescored_on_fresh_latents(tmp_path, write_suite):
    """keep: best is the maximum of k noisy evaluations on the run's eval latents. Re-scored on
    those latents it reproduces its own (selected, optimistic) number exactly; the default re-score
    draws fresh latents, and every place its numbers appear says "best of k evaluations"."""
    from ganbench.plugins import load_registry
    from ganbench.record.export import export
    from ganbench.record.kept import read_kept

    registry = load_registry(extra_plugins=[SampleMean()])

    out = tmp_path / "best"
    run_suite(write_suite(LEARNING_SUITE), out, registry=registry, render=False, keep="best")
    rid = "gan__mog-ring8__pack1__seed0"
    m = load(out).metrics
    modes = m[(m["run_id"] == rid) & (m["name"] == "modes")]
    k = modes["step"].nunique()  # the evaluations it was picked from, counted in the store
    assert k == 3  # steps 10, 20 and the final 30
    kept = read_kept(out, rid)
    assert kept["metric"]["of_evaluations"] == k
    at_best = m[(m["run_id"] == rid) & (m["step"] == kept["step"])].drop_duplicates("name", keep="last").set_index("name")["value"]

    same_id, same = evaluate_kept(out, rid, ["mog-modes", "sample-mean"], 300, registry=registry, latents="eval")
    for key in ("modes", "hq_share", "reverse_kl"):  # the latents it was picked on: its own numbers exactly
        assert same[key] == pytest.approx(at_best[key], abs=1e-12)

    new_id, fresh = evaluate_kept(out, rid, ["mog-modes", "sample-mean"], 300, registry=registry)  # default: fresh
    assert new_id == f"{rid}__eval-mog-modes+sample-mean-n300-fresh"
    assert fresh["sample_mean"] != same["sample_mean"]  # other latents, other samples
    row = load(out).runs.set_index("run_id").loc[new_id]
    assert row["label"] == f"gan [re-scored, best of {k} evaluations by modes, fresh latents, 300 samples]"
    assert row["config"]["evaluation"]["kept"] == f"best of {k} evaluations by modes"
    assert row["config"]["evaluation"]["latents"] == "rescore-latents"
    for final_only in (False, True):
        path, _ = export([out], "csv", final_only=final_only, out=tmp_path / f"export-{final_only}.csv")
        assert f"best of {k} evaluations by modes" in path.read_text()
