"""Like-with-like speed of the GAN plugin: its step under the harness vs a hand-written loop.

Shared by ``benchmarks/test_bench_gan_step.py`` (pytest-benchmark, CPU, one thread) and the
device check's ``pacgan_step`` section, so both compare the same two things:

- **hand**: what a researcher writes by hand around PacGAN's MoG model, importing nothing from
  ganbench: G = 4 × [Linear 400 without bias, BatchNorm (momentum 0.05, eps 1e-4), ReLU] →
  Linear 2; D = 3 maxout layers 200 × 5 on ``pack`` concatenated samples → Linear 1; every weight
  N(0, 0.02²), every bias 0; Adam (β 0.8, 0.999); non-saturating loss; batch 100; the batches drawn
  as the harness draws them (a fresh ``randperm`` per epoch from a seeded generator, sliced);
  PacGAN's simultaneous update (both gradients at the step's starting point) or the alternating
  one (a D step on detached fakes, then a G step on fresh latents through the updated D).
- **harness**: the ``gan`` plugin with the same widths, init and update rule, trained by
  ``execute_run`` → ``RunLoop`` on the same data tensor exactly as ``ganbench run`` does it (store,
  budget meter, clock, loss checks and thinned loss curve, progress callback), evaluation excluded
  (it is outside the harness's training clock too, and metrics have their own benchmarks).

Both are timed from model construction to the last step (wall and process CPU time), in
interleaved pairs whose order alternates round by round, so a neighbour's load or a drifting
clock hits both alike; the result is the median over rounds of hand seconds / harness seconds,
i.e. the harness's speed as a fraction of the hand loop's (goal: >= 0.95).
"""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

BATCH = 100
UPDATES = ("simultaneous", "alternating")
GOAL = 0.95
PACGAN_WIDTHS = {"g_hidden": 400, "g_layers": 4, "d_hidden": 200, "d_layers": 3, "maxout_pieces": 5}


# ------------------------------------------------------------------------------------------------
# hand: PyTorch only
# ------------------------------------------------------------------------------------------------


class _Maxout(nn.Module):
    def __init__(self, d_in: int, units: int, pieces: int):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.fc = nn.Linear(d_in, units * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x).view(x.shape[0], self.units, self.pieces).max(dim=2).values


def hand_networks(hp: dict[str, Any], pack: int, device: torch.device) -> tuple[nn.Module, nn.Module]:
    layers: list[nn.Module] = []
    d, gh = 2, int(hp["g_hidden"])
    for _ in range(int(hp["g_layers"])):
        layers += [nn.Linear(d, gh, bias=False), nn.BatchNorm1d(gh, eps=1e-4, momentum=0.05), nn.ReLU()]
        d = gh
    G = nn.Sequential(*layers, nn.Linear(d, 2))
    dl: list[nn.Module] = []
    d = 2 * pack
    for _ in range(int(hp["d_layers"])):
        dl.append(_Maxout(d, int(hp["d_hidden"]), int(hp["maxout_pieces"])))
        d = int(hp["d_hidden"])
    D = nn.Sequential(*dl, nn.Linear(d, 1))
    with torch.no_grad():
        for mod in [*G.modules(), *D.modules()]:
            if isinstance(mod, nn.Linear):
                mod.weight.normal_(0.0, 0.02)
                if mod.bias is not None:
                    mod.bias.zero_()
    return G.to(device), D.to(device)


def hand_loop(data: torch.Tensor, hp: dict[str, Any], pack: int, steps: int, update: str, seed: int = 0) -> None:
    """Train ``steps`` steps by hand on ``data`` (the harness's own dataset tensor)."""
    device = data.device
    torch.manual_seed(seed)
    G, D = hand_networks(hp, pack, device)
    lr, betas = float(hp["lr"]), (float(hp["beta1"]), float(hp["beta2"]))
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)
    g_params, d_params = list(G.parameters()), list(D.parameters())
    g = torch.Generator().manual_seed(seed + 1)
    n_data, n = data.shape[0], BATCH * pack
    perm, pos = torch.randperm(n_data, generator=g).to(device), 0
    for _ in range(steps):
        if pos + n > n_data:
            perm, pos = torch.randperm(n_data, generator=g).to(device), 0
        real = data[perm[pos:pos + n]].view(BATCH, 2 * pack)
        pos += n
        if update == "simultaneous":
            d_fake = D(G(torch.randn(n, 2, device=device)).view(BATCH, 2 * pack))
            d_loss = F.softplus(-D(real)).mean() + F.softplus(d_fake).mean()
            g_loss = F.softplus(-d_fake).mean()
            opt_d.zero_grad(set_to_none=True)
            opt_g.zero_grad(set_to_none=True)
            d_loss.backward(retain_graph=True, inputs=d_params)  # both gradients at the same point
            g_loss.backward(inputs=g_params)
            opt_d.step()
            opt_g.step()
        else:
            fake = G(torch.randn(n, 2, device=device)).detach().view(BATCH, 2 * pack)
            d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            g_loss = F.softplus(-D(G(torch.randn(n, 2, device=device)).view(BATCH, 2 * pack))).mean()
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)


# ------------------------------------------------------------------------------------------------
# harness: the plugin through execute_run, as `ganbench run` does it
# ------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def no_evaluation() -> Iterator[None]:
    """Evaluation off for the block (restored after, so a later real run still evaluates)."""
    from ganbench.train.loop import RunLoop

    saved = RunLoop.evaluate
    RunLoop.evaluate = lambda self, model, meter, final: {}  # type: ignore[method-assign]
    try:
        yield
    finally:
        RunLoop.evaluate = saved  # type: ignore[method-assign]


class Harness:
    """One results store and dataset cache for all of a comparison's harness runs."""

    def __init__(self, registry: Any, device: torch.device, n_data: int = 100_000):
        from ganbench.record.store import Store
        from ganbench.train.loop import DatasetCache

        self.registry, self.device, self.n_data = registry, device, n_data
        self._tmp = tempfile.TemporaryDirectory()
        self.store = Store.open(Path(self._tmp.name) / "store").__enter__()
        self.datasets = DatasetCache()
        self._n = 0

    def run_spec(self, hp: dict[str, Any], pack: int, steps: int, seed: int = 0) -> Any:
        from ganbench.plan.matrix import RunSpec
        from ganbench.plan.suite import Budget, EvalConfig

        self._n += 1
        return RunSpec(
            run_id=f"pair-{self._n}", suite="pair", model="gan", label="gan", dataset="mog-ring8",
            dataset_label="mog-ring8", dataset_params={"n_samples": self.n_data}, seed=seed, pack=pack,
            hparams=dict(hp), batch_size=BATCH, budget=Budget(steps=steps), eval=EvalConfig(n_samples=10, points=3),
            metrics=None, device=str(self.device),
        )

    def data(self) -> torch.Tensor:
        """The dataset tensor the harness trains on (the hand loop draws from the same one)."""
        return self.datasets.get(self.registry, self.run_spec({}, 1, 1), self.device).data

    def run(self, hp: dict[str, Any], pack: int, steps: int, seed: int = 0) -> None:
        from ganbench.executors.local import execute_run

        run = self.run_spec(hp, pack, steps, seed)
        self.store.upsert_run(run.run_id, suite="pair", model="gan", label="gan", dataset="mog-ring8",
                              dataset_label="mog-ring8", seed=seed, pack=pack, config=run.config(), status="pending")
        fraction = [0.0]

        def progress(r: Any, f: float, info: str) -> None:  # what `ganbench run` does per step: a bar update
            fraction[0] = f

        with no_evaluation():
            outcome = execute_run(run, self.registry, self.store, datasets=self.datasets, progress=progress)
        if outcome.status != "done" or outcome.steps != steps:
            raise RuntimeError(f"harness run {run.run_id}: {outcome.status} after {outcome.steps} steps: {outcome.error}")

    def close(self) -> None:
        self.store.__exit__(None, None, None)
        self._tmp.cleanup()


# ------------------------------------------------------------------------------------------------
# the comparison
# ------------------------------------------------------------------------------------------------


def _timed(fn: Any) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def plugin_hparams(registry: Any, update: str, widths: dict[str, int] | None = None, lr: float = 1e-3) -> dict[str, Any]:
    return {**registry.model("gan").defaults, **(widths or PACGAN_WIDTHS), "update": update, "lr": lr}


def compare(registry: Any, device: torch.device, *, steps: int, rounds: int, updates: tuple[str, ...] = UPDATES,
            pack: int = 1, widths: dict[str, int] | None = None, deadline: float | None = None) -> dict[str, Any]:
    """Interleaved (hand, harness) pairs per update rule; returns per-rule samples and ratios.

    ``deadline`` (a ``time.perf_counter()`` value) stops after the last complete round before it.
    """
    harness = Harness(registry, device)
    try:
        data = harness.data()
        hps = {u: plugin_hparams(registry, u, widths) for u in updates}
        for u in updates:  # warm-up: first-call allocations, lazy imports (torch._dynamo via Adam)
            hand_loop(data, hps[u], pack, 3, u)
            harness.run(hps[u], pack, 3)
        samples: dict[str, dict[str, list[float]]] = {
            u: {"hand_s": [], "harness_s": [], "hand_cpu_s": [], "harness_cpu_s": []} for u in updates}
        for r in range(rounds):
            if deadline is not None and r and time.perf_counter() > deadline:
                break
            for u in updates:
                order = ("hand", "harness") if (r % 2 == 0) else ("harness", "hand")
                for side in order:
                    fn = (lambda u=u: hand_loop(data, hps[u], pack, steps, u)) if side == "hand" else \
                         (lambda u=u: harness.run(hps[u], pack, steps))
                    wall, cpu = _timed(fn)
                    samples[u][f"{side}_s"].append(wall)
                    samples[u][f"{side}_cpu_s"].append(cpu)
    finally:
        harness.close()
    out: dict[str, Any] = {"steps": steps, "pack": pack, "batch": BATCH, "widths": dict(widths or PACGAN_WIDTHS),
                           "threads": torch.get_num_threads(), "device": str(device), "goal": GOAL, "rules": {}}
    for u, s in samples.items():
        pairs = [h / x for h, x in zip(s["hand_s"], s["harness_s"])]
        cpu_pairs = [h / x for h, x in zip(s["hand_cpu_s"], s["harness_cpu_s"])]
        out["rules"][u] = {
            "rounds": len(pairs),
            "hand_steps_per_s": steps / statistics.median(s["hand_s"]),
            "harness_steps_per_s": steps / statistics.median(s["harness_s"]),
            "harness_over_hand": statistics.median(pairs),
            "harness_over_hand_cpu": statistics.median(cpu_pairs) if device.type == "cpu" else None,
            "pair_ratios": [round(p, 4) for p in pairs],
            **{k: [round(v, 4) for v in vals] for k, vals in s.items()},
        }
    return out


def table(result: dict[str, Any]) -> str:
    """Markdown table of a :func:`compare` result."""
    lines = ["| update | rounds | hand steps/s | harness steps/s | harness / hand (wall) | (CPU time) |",
             "|---|---:|---:|---:|---:|---:|"]
    for u, r in result["rules"].items():
        cpu = f"{r['harness_over_hand_cpu']:.3f}" if r["harness_over_hand_cpu"] is not None else "n/a"
        lines.append(f"| {u} | {r['rounds']} | {r['hand_steps_per_s']:.1f} | {r['harness_steps_per_s']:.1f} | "
                     f"{r['harness_over_hand']:.3f} | {cpu} |")
    return "\n".join(lines)
