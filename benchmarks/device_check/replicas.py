"""Section 2, ``replicas``: vectorised replicas and the paper protocol's replica groups."""

from __future__ import annotations

from typing import Any

from benchmarks.device_check.common import (
    PAPER_SUITE,
    PROTOCOL_STEPS,
    Section,
    _values,
    rate,
)
from benchmarks.device_check.pacgan_step import gan_hparams, ring_data


def replica_rate(sec: Section, n: int, pack: int, hp: dict[str, Any], tight: dict[str, Any]) -> dict[str, Any]:
    import torch

    from ganbench.api import BuildContext
    from ganbench.plugins import load_registry

    spec = load_registry().model("gan")
    models = []
    for seed in range(n):
        torch.manual_seed(seed)
        models.append(spec.build(BuildContext((2,), "vector", None, pack, sec.device, seed, 100, dict(hp))))
    trainer = spec.build_replicas(models)
    data = ring_data(100_000, sec.device)
    g = torch.Generator(device=sec.device).manual_seed(0)
    per = 100 * pack

    def step() -> None:
        trainer.train_step(data[torch.randint(0, 100_000, (n, per), device=sec.device, generator=g)], None)

    out = rate(step, sec.device, **tight)
    out["group_steps_per_s"] = out.pop("steps_per_s")
    out["aggregate_steps_per_s"] = n * out["group_steps_per_s"]
    return out


def section_replicas(sec: Section) -> None:
    from ganbench.plan.matrix import build_matrix
    from ganbench.plan.suite import load_suite
    from ganbench.plugins import load_registry
    from ganbench.train.replicas import group_runs

    hp = gan_hparams(sec.tiny)
    tight = dict(warmup=1 if sec.tiny else 5, min_steps=2 if sec.tiny else 20,
                 max_steps=2 if sec.tiny else 5000, seconds=0.1 if sec.tiny else 2.5)
    for n in (1, 2, 4, 8) if sec.tiny else (1, 10, 40, 80):
        sec.measure(f"{n} replicas, pack 1", lambda n=n: replica_rate(sec, n, 1, hp, tight), replicas=n, pack=1,
                    mode=f"vectorized ×{n}")
    registry = load_registry()
    suite = load_suite(PAPER_SUITE)
    runs = build_matrix(suite, registry, str(PAPER_SUITE), device=sec.opts["device"], seeds=[0, 1] if sec.tiny else None)
    groups = group_runs(runs, registry, suite.vectorize)
    shapes: dict[tuple[int, int], int] = {}
    for grp in groups:
        key = (grp[0].pack, len(grp))
        shapes[key] = shapes.get(key, 0) + 1
    rates: dict[tuple[int, int], float] = {}
    for (pack, n), count in sorted(shapes.items()):
        r = sec.measure(f"paper matrix group: {n} seeds, pack {pack}", lambda n=n, pack=pack: replica_rate(sec, n, pack, hp, tight),
                        replicas=n, pack=pack, groups_in_protocol=count, mode=f"vectorized ×{n}")
        if _values(r).get("group_steps_per_s"):
            rates[(pack, n)] = _values(r)["group_steps_per_s"]
    steps = int(suite.budget.steps or PROTOCOL_STEPS)
    summary: dict[str, Any] = {"protocol_runs": len(runs), "replica_groups": len(groups), "steps_per_run": steps,
                               "widths": "paper" if not sec.tiny else "tiny (g_hidden 32, d_hidden 16)"}
    if len(rates) == len(shapes):
        seconds = sum(count * steps / rates[key] for key, count in shapes.items())
        total_steps = len(runs) * steps
        summary.update(projected_protocol_train_s=seconds, projected_protocol_train_h=seconds / 3600,
                       matrix_aggregate_steps_per_s=total_steps / seconds)
    sec.data["summary"] = summary
    sec.flush()
