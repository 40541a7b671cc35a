"""Train several runs of one model (same config, different seeds) as one batched model.

A paper protocol such as PacGAN's MoG table is 80 runs of a model so small that one training
step is all overhead; a plugin that provides ``ModelSpec.build_replicas`` lets the harness run N
seeds in one step. Each replica is built exactly as its solo run (``RunLoop.prepare`` seeds and
builds it), draws its own data order, is evaluated by its own ``RunLoop`` and gets its own store
rows.

What that does and does not promise: a replica starts from the solo run's initial weights and
sees the solo run's latent and data streams, so for the first steps it tracks the solo run to
floating-point tolerance. Batched matrix products reduce in another order than the solo ones,
and GAN dynamics amplify such rounding differences, so over a long run a replica's trajectory
diverges from its solo twin: not bit-identical, and at 24 seeds per arm not shown to end in the
same distribution either (docs/vectorized.md: replicas reached a higher HQ share, +0.07 [0.02,
0.13]; cause not found). tests/equivalence holds each replica to its solo run by a paired TOST
over the first 12 steps. Each replica's run row records ``execution = vectorized ×N``: compare
vectorised runs with vectorised runs.

Each replica books the group's full wall time per step (it really waited that long), so its
``train_steps_per_s`` is the group's step rate, labelled with its mode; the group's aggregate
throughput is N times that.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import torch

from ganbench.plan.matrix import RunSpec
from ganbench.plugins import Registry
from ganbench.train.batches import DeviceBatcher
from ganbench.train.budget import BudgetMeter
from ganbench.train.clock import StepClock, vectorized_mode
from ganbench.train.loop import DatasetCache, RunFailure, RunLoop, RunOutcome, _loss_text, _sync
from ganbench.train.packing import real_per_step
from ganbench.train.seeding import generator

log = logging.getLogger(__name__)


def replica_key(run: RunSpec) -> str:
    """Runs with the same key differ only by seed and can share one batched model."""
    cfg = run.config()
    cfg.pop("seed")
    return json.dumps(cfg, sort_keys=True, default=str)


def group_runs(runs: Iterable[RunSpec], registry: Registry, max_replicas: int) -> list[list[RunSpec]]:
    """Groups of up to ``max_replicas`` runs to train together; runs that can't be vectorised
    (no ``build_replicas``, or a seconds budget, whose clock replicas would share) stay alone."""
    groups: dict[str, list[list[RunSpec]]] = {}
    order: list[list[RunSpec]] = []
    for run in runs:
        spec = registry.models.get(run.model)
        if max_replicas < 2 or spec is None or spec.build_replicas is None or run.budget.kind == "seconds":
            order.append([run])
            continue
        chunks = groups.setdefault(replica_key(run), [])
        if not chunks or len(chunks[-1]) >= max_replicas:
            chunks.append([])
            order.append(chunks[-1])
        chunks[-1].append(run)
    return order


class ReplicaLoop:
    """Executes a group of runs in lockstep; returns one outcome per run (failures per replica)."""

    def __init__(
        self,
        runs: list[RunSpec],
        registry: Registry,
        store: Any,
        *,
        datasets: DatasetCache | None = None,
        progress: Callable[[RunSpec, float, str], None] | None = None,
    ):
        self.runs = runs
        self.datasets = datasets or DatasetCache()
        self.loops = [RunLoop(r, registry, store, datasets=self.datasets) for r in runs]
        self.progress = progress
        self.spec = registry.model(runs[0].model)

    def execute(self, device: torch.device) -> list[RunOutcome]:
        outcomes: dict[str, RunOutcome] = {}
        alive: list[int] = []
        models: list[Any] = []
        ctx = None
        for i, loop in enumerate(self.loops):
            try:
                model, ctx = loop.prepare(device)
            except RunFailure as exc:
                outcomes[loop.run.run_id] = RunOutcome(loop.run.run_id, "failed", str(exc))
                continue
            alive.append(i)
            models.append(model)
        if not alive:
            return [outcomes[r.run_id] for r in self.runs]
        lead = self.loops[alive[0]]
        try:
            trainer = self.spec.build_replicas(models)
        except Exception as exc:
            raise RunFailure(f"{lead.who}: build_replicas raised {type(exc).__name__}: {exc}") from exc
        for i in alive:
            self.loops[i].step_mode = vectorized_mode(len(alive))
        d_steps = int(getattr(trainer, "d_steps_per_g_step", 1))
        per_step = real_per_step(ctx, d_steps)
        batchers = [DeviceBatcher(self.loops[i].dataset, generator(self.loops[i].run.seed, "data-order")) for i in alive]
        meters = []
        for i in alive:
            self.loops[i].meter = BudgetMeter(self.loops[i].run.budget)
            meters.append(self.loops[i].meter)
        failed: set[int] = set()  # positions in `alive` whose losses went bad: evaluated no more
        next_point = [1]
        n = len(alive)
        conditional = bool(self.spec.capabilities.conditional)
        clock = StepClock(device)
        while not meters[0].exhausted:
            batches = [b.next(per_step) for b in batchers]
            real = torch.stack([x for x, _ in batches])
            # each replica's own labels, as its solo run gets them (RunLoop.execute)
            labels = torch.stack([y for _, y in batches]) if conditional and batches[0][1] is not None else None
            for k, i in enumerate(alive):
                self.loops[i].advance_progress(meters[k])
            clock.start()
            try:
                losses = trainer.train_step(real, labels)
            except Exception as exc:
                raise RunFailure(f"{lead.who}: replica train_step raised {type(exc).__name__}: {exc}") from exc
            dt = clock.stop()
            if not replica_losses_ok(losses, n):
                raise RunFailure(f"{lead.who}: replica train_step must return one loss dict per replica ({n})")
            for k, i in enumerate(alive):
                meters[k].add(real_samples=per_step, seconds=dt)  # the wall time it waited, labelled vectorized ×n
                if k in failed:
                    continue
                try:
                    self.loops[i].record_losses(self.loops[i]._check_losses(losses[k], meters[k].steps))
                except RunFailure as exc:
                    failed.add(k)
                    outcomes[self.loops[i].run.run_id] = _failed(self.loops[i], str(exc))
            if lead._eval_due(meters[0], next_point) and not meters[0].exhausted:
                self._evaluate(trainer, alive, failed, final=False, outcomes=outcomes)
            if self.progress:
                for k, i in enumerate(alive):
                    if k not in failed:
                        self.progress(self.loops[i].run, meters[k].fraction, _loss_text(losses[k]))
        _sync(device)
        self._evaluate(trainer, alive, failed, final=True, outcomes=outcomes)
        for k, i in enumerate(alive):
            rid = self.loops[i].run.run_id
            if rid not in outcomes:
                m = meters[k]
                outcomes[rid] = RunOutcome(rid, "done", None, m.steps, m.kimg, m.seconds)
        return [outcomes[r.run_id] for r in self.runs]

    def _evaluate(self, trainer: Any, alive: list[int], failed: set[int], *, final: bool,
                  outcomes: dict[str, RunOutcome]) -> None:
        try:
            solo = trainer.unstack()
            if len(solo) != len(alive):
                raise ValueError(f"returned {len(solo)} models for {len(alive)} replicas")
        except Exception as exc:  # the plugin's fault: every replica still running fails, the suite goes on
            for k, i in enumerate(alive):
                if k not in failed:
                    failed.add(k)
                    loop = self.loops[i]
                    outcomes[loop.run.run_id] = _failed(loop, f"{loop.who}: unstack raised {type(exc).__name__}: {exc}")
            return
        for k, i in enumerate(alive):
            if k in failed:
                continue
            loop = self.loops[i]
            try:
                loop.evaluate(solo[k], loop.meter, final=final)
            except RunFailure as exc:
                failed.add(k)
                outcomes[loop.run.run_id] = _failed(loop, str(exc))


def _failed(loop: RunLoop, error: str) -> RunOutcome:
    m = loop.meter
    return RunOutcome(loop.run.run_id, "failed", error, m.steps if m else 0, m.kimg if m else 0.0, m.seconds if m else 0.0)


def replica_losses_ok(losses: Any, n: int) -> bool:
    return isinstance(losses, list) and len(losses) == n and all(isinstance(x, Mapping) for x in losses)
