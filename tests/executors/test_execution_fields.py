"""Execution-only suite fields (timeout_s, checkpoint_every, num_cpus, num_gpus) and CLI flags."""

from __future__ import annotations

import pytest

from ganbench.cli import main
from ganbench.plan.matrix import build_matrix
from ganbench.plan.suite import parse_suite, suite_hash

BASE = """
name: t
budget: {steps: 10}
datasets: [mog-ring8]
models:
  - {model: gan}
"""


def test_execution_fields_reach_runs_and_not_the_hash(registry):
    plain = parse_suite(BASE)
    tuned = parse_suite(
        BASE.replace("{model: gan}", "{model: gan, timeout_s: 5, num_gpus: 0.5}")
        + "timeout_s: 30\ncheckpoint_every: 7\nnum_cpus: 2\n"
    )
    assert suite_hash(plain) == suite_hash(tuned), "how runs execute does not change what they compute"
    assert suite_hash(plain) != suite_hash(parse_suite(BASE.replace("steps: 10", "steps: 11")))
    run = build_matrix(tuned, registry)[0]
    assert (run.timeout_s, run.checkpoint_every, run.num_cpus, run.num_gpus) == (5, 7, 2, 0.5)
    assert "timeout_s" not in run.config(), "checkpoints of a run stay valid when only its limits change"


@pytest.mark.parametrize(
    "extra, expected",
    [
        (["--max-concurrent", "2"], "need --executor ray"),
        (["--ray-address", "auto"], "need --executor ray"),
    ],
)
def test_ray_flags_need_the_ray_executor(tiny_suite, tmp_path, capsys, extra, expected):
    assert main(["run", str(tiny_suite), "--out", str(tmp_path / "o"), *extra]) == 2
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize("flag, value", [("--checkpoint-every", "-1"), ("--max-concurrent", "0")])
def test_bad_numbers_are_refused(tiny_suite, flag, value, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(tiny_suite), flag, value])
    assert exc.value.code == 2
    assert flag in capsys.readouterr().err
