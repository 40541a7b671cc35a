#!/usr/bin/env python
"""The device check: every GPU number ganbench needs, measured in one run of at most 8 minutes.

A GPU is lent only now and then, for about 15 minutes, so this script is prepared and tested in
advance (``--device cpu --tiny`` runs in CI) and is run unchanged when one is available:

    python benchmarks/device_check.py --out reports/device

It writes ``DIR/device-check.json`` and ``DIR/device-check.md`` (hardware named: GPU, driver,
torch and CUDA versions). Sections, each in its own forked process with a hard time cap, so a
crash, a hang or a CUDA error in one is recorded and the others still run (and each section's peak
GPU memory is its own):

1. ``pacgan_step``: PacGAN's MoG model, steps/s of a hand-written PyTorch loop vs ganbench eager
   (the harness's RunLoop) like with like, interleaved, both update rules (``gan_step_pair.py``,
   the comparison ``test_bench_gan_step.py`` makes); the plugin's ``train_step`` in a tight loop;
   compiled; pack 1 and 4.
2. ``replicas``: aggregate steps/s of N = 1, 10, 40, 80 vectorised replicas and of the replica
   groups of ``suites/pacgan-mog-paper.yaml``; the projected wall time of the full protocol.
3. ``protocol``: that protocol at a tenth of its budget (all 80 runs, ``run_suite`` with
   ``vectorize``), timed, its table beside PacGAN's Table 1.
4. ``fidelity``: IS + FID of 50,000 32x32 samples end to end with a random-weight Inception-v3 of
   the real architecture; feature extraction images/s.
5. ``zoo``: CIFAR-10-shaped training steps/s (batch 64) of dcgan, wgan-gp, sngan, sagan, biggan,
   stylegan: eager, compiled, bf16 autocast; beside StudioGAN's published steps/s.
6. ``stylegan_learning``: does StyleGAN learn MNIST at the reference's widths? The zoo-sanity
   protocol (``suites/zoo-sanity.yaml``: 600 steps, batch 64, 2 seeds, digits and FID at step 100
   and at the end, the same pass rule) with G and D at StyleGAN2-ADA's 512 channels, z and w 512,
   mapping depth 2, no mixing (its ``cifar`` config); the CPU check can only afford 32/16 channels,
   where NVIDIA's own networks collapse too (plugins/ganbench-stylegan/README.md). Needs MNIST and
   its evaluator under ``--data`` (default ``$GANBENCH_DATA``); carry them to the GPU machine. Seeds
   run one after the other, each recorded when done; to give it the time alone:
   ``--sections stylegan_learning --budget-s 300 --data DIR``.
7. ``seqgan``: SeqGAN's Table 1 row (``benchmarks/seqgan_device.py``): the seconds of each unit of
   its schedule on the device and the projected wall time of the paper's (18,750 MLE steps, 50 D
   pre-training rounds, 200 adversarial epochs), then the run itself: as many adversarial epochs as
   the section's cap allows, or the paper's 200 with ``--seqgan-full`` (give it the time:
   ``--sections seqgan --seqgan-full --budget-s 3600``). Needs the authors' oracle
   ``seqgan/target_params_py3.pkl`` under ``--data``; its NLL-oracle beside the paper's 8.736.


Every row carries its peak GPU memory (``torch.cuda.max_memory_allocated``; "n/a on CPU").
docs/device-check.md says what each number means.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = "ganbench-device-check/1"
SECTIONS = ("pacgan_step", "replicas", "protocol", "fidelity", "zoo", "stylegan_learning", "seqgan")
# share of the total time budget each section may use (hard cap; the protocol gets the most)
SHARES = {"pacgan_step": 0.2, "replicas": 0.07, "protocol": 0.31, "fidelity": 0.15, "zoo": 0.27, "stylegan_learning": 0.22,
          "seqgan": 0.2}
SHARES_TINY = {"pacgan_step": 0.22, "replicas": 0.1, "protocol": 0.18, "fidelity": 0.2, "zoo": 0.3, "stylegan_learning": 0.15,
               "seqgan": 0.1}
PAPER_SUITE = ROOT / "suites" / "pacgan-mog-paper.yaml"
PROTOCOL_RUNS, PROTOCOL_STEPS = 80, 400_000
ZOO = ("dcgan", "wgan-gp", "sngan", "sagan", "biggan", "stylegan")
NA_CPU = "n/a on CPU"
# tests only: "SECTION:raise" fails a section at its start, "SECTION:hang" hangs it after its first row
ENV_FAULT = "GANBENCH_DEVICE_CHECK_FAULT"


def _fault(name: str, kind: str) -> bool:
    return f"{name}:{kind}" in os.environ.get(ENV_FAULT, "").split(",")

# /work/shared/PROTOCOLS.md: StudioGAN logs, batch 64, one GPU (probably a TITAN RTX)
STUDIOGAN_STEPS_PER_S = {"dcgan": 23.1, "wgan-gp": 2.9, "sngan": 3.56, "sagan": 3.5, "biggan": 2.46}
# PacGAN (Lin et al. 2018) Table 1, 10 trials, mean ± standard error: modes, HQ %, reverse KL
PACGAN_TABLE1 = {
    ("mog-ring8", 1): ("6.3±0.5", "98.2±0.2", "0.45±0.09"),
    ("mog-ring8", 2): ("7.9±0.1", "95.6±2.0", "0.07±0.03"),
    ("mog-ring8", 3): ("7.8±0.1", "97.7±0.3", "0.10±0.02"),
    ("mog-ring8", 4): ("7.8±0.1", "95.9±1.4", "0.07±0.02"),
    ("mog-grid25", 1): ("17.3±0.8", "94.8±0.7", "0.70±0.07"),
    ("mog-grid25", 2): ("23.8±0.7", "91.3±0.8", "0.13±0.04"),
    ("mog-grid25", 3): ("24.6±0.4", "94.2±0.4", "0.06±0.02"),
    ("mog-grid25", 4): ("24.8±0.2", "93.6±0.6", "0.04±0.01"),
}


# ------------------------------------------------------------------------------------------------
# Shared helpers (run inside the section processes)
# ------------------------------------------------------------------------------------------------


class Section:
    """What a section function gets: options, its deadline, and ``row()`` to record a measurement
    (written to disk at once, so a section killed at its cap keeps what it measured)."""

    def __init__(self, name: str, opts: dict[str, Any], path: Path, cap_s: float, prior: dict[str, Any]):
        import torch

        self.name, self.opts, self.path, self.prior = name, opts, path, prior
        self.tiny: bool = opts["tiny"]
        self.device = torch.device(opts["device"])
        self.t0 = time.perf_counter()
        self.deadline = self.t0 + cap_s
        self.data: dict[str, Any] = {"rows": [], "summary": {}}
        self.flush()

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def flush(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, default=str))
        os.replace(tmp, self.path)

    def row(self, **fields: Any) -> dict[str, Any]:
        self.data["rows"].append(fields)
        self.flush()
        if _fault(self.name, "hang"):
            time.sleep(3600)
        return fields

    def measure(self, name: str, fn: Callable[[], dict[str, Any]], **fields: Any) -> dict[str, Any]:
        """Run one measurement with a fresh peak-memory counter; an exception becomes the row's error."""
        reset_peak(self.device)
        try:
            values = fn()
        except Exception as exc:  # recorded, the section goes on
            return self.row(name=name, error=f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}",
                            **fields)
        return self.row(name=name, values=values, peak_mem_mb=peak_mem(self.device), **fields)


def sync(device: Any) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def reset_peak(device: Any) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)


def peak_mem(device: Any) -> float | str:
    import torch

    if device.type != "cuda":
        return NA_CPU
    return round(torch.cuda.max_memory_allocated(device) / 2**20, 1)


def rate(step: Callable[[], Any], device: Any, *, warmup: int, min_steps: int, max_steps: int,
         seconds: float) -> dict[str, float]:
    """Steady-state steps/s of ``step``: ``warmup`` untimed calls, then timed calls until
    ``seconds`` passed (at least ``min_steps``, at most ``max_steps``), one synchronise at the end
    (no per-step sync: the device queue stays full, as in a bare training loop)."""
    t0 = time.perf_counter()
    for _ in range(warmup):
        step()
    sync(device)
    first = time.perf_counter() - t0
    n, t0 = 0, time.perf_counter()
    while n < max_steps and (n < min_steps or time.perf_counter() - t0 < seconds):
        step()
        n += 1
    sync(device)
    dt = time.perf_counter() - t0
    return {"steps_per_s": n / dt, "timed_steps": n, "timed_s": dt, "warmup_s": max(first, 1e-9)}


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def _values(row: dict[str, Any]) -> dict[str, Any]:
    return row.get("values") or {}


# ------------------------------------------------------------------------------------------------
# 1. PacGAN MoG model: bare loop vs plugin step vs harness eager vs compiled
# ------------------------------------------------------------------------------------------------


def gan_hparams(tiny: bool) -> dict[str, Any]:
    from ganbench.plugins import load_registry

    hp = dict(load_registry().model("gan").defaults)
    if tiny:  # shrunk so CI runs it in seconds; the GPU run uses the paper's widths
        hp.update(g_hidden=32, d_hidden=16)
    return hp


def ring_data(n: int, device: Any) -> Any:
    """PacGAN's ring of 8 (std 0.01), drawn here without ganbench."""
    import torch

    g = torch.Generator().manual_seed(0)
    k = torch.randint(0, 8, (n,), generator=g).double()
    centres = torch.stack([torch.cos(2 * math.pi * k / 8), torch.sin(2 * math.pi * k / 8)], 1)
    return (centres + 0.01 * torch.randn(n, 2, generator=g, dtype=torch.float64)).float().to(device)


def mog_suite_text(pack: int, steps: int, hp: dict[str, Any], compile_: bool, device: str, n_eval: int) -> str:
    return json.dumps({
        "name": f"device-check-pacgan-pack{pack}{'-compiled' if compile_ else ''}",
        "seeds": 1, "device": device, "batch_size": 100, "budget": {"steps": steps},
        "eval": {"points": 2, "n_samples": n_eval}, "compile": compile_,
        "datasets": ["mog-ring8"],
        "models": [{"model": "gan", "packs": [pack], "hparams": hp}],
    })


def harness_rate(sec: Section, pack: int, steps: int, hp: dict[str, Any], compile_: bool) -> dict[str, Any]:
    """Run the model through ganbench's own loop (run_suite → RunLoop) and read its booked steps/s
    from the store: the whole run, and the second half alone (after any compilation)."""
    from ganbench.record.store import Store
    from ganbench.run.runner import run_suite

    with tempfile.TemporaryDirectory() as tmp:
        suite = Path(tmp) / "suite.yaml"
        suite.write_text(mog_suite_text(pack, steps, hp, compile_, sec.opts["device"], 100 if sec.tiny else 500))
        t0 = time.perf_counter()
        res = run_suite(suite, Path(tmp) / "out", render=False)
        wall = time.perf_counter() - t0
        with Store.open(res.store_path, create=False) as store:
            runs, metrics = store.runs(), store.metrics()
    run = runs.iloc[0]
    if run.status != "done":
        raise RuntimeError(f"run {run.run_id} {run.status}: {run.error}")
    pts = metrics.drop_duplicates("step").sort_values("step")  # the halfway and the final evaluation
    (s1, t1), (s2, t2) = (pts.iloc[0].step, pts.iloc[0].train_seconds), (pts.iloc[-1].step, pts.iloc[-1].train_seconds)
    return {"values": {"steps_per_s": float(s2 - s1) / max(float(t2 - t1), 1e-9),
                       "whole_run_steps_per_s": float(run.steps) / max(float(run.train_seconds), 1e-9),
                       "wall_s": wall},
            "mode": run.execution, "steps": int(run.steps)}


def section_pacgan_step(sec: Section) -> None:
    import torch

    from ganbench.api import BuildContext
    from ganbench.plugins import load_registry

    hp = gan_hparams(sec.tiny)
    spec = load_registry().model("gan")
    tight = dict(warmup=2 if sec.tiny else 20, min_steps=3 if sec.tiny else 50,
                 max_steps=5 if sec.tiny else 20_000, seconds=0.2 if sec.tiny else 2.5)
    run_steps = 16 if sec.tiny else 1500
    packs = (1, 4)
    got: dict[int, dict[str, float | None]] = {p: {} for p in packs}

    def summarise() -> None:
        sec.data["summary"] = {f"pack{p}": {
            "plugin_over_bare": ratio(g.get("plugin"), g.get("bare")),
            "eager_over_bare": g.get("eager_over_bare"),  # median of interleaved pairs, simultaneous update
            "eager_over_bare_alternating": g.get("eager_over_bare_alternating"),
            "compiled_over_bare": ratio(g.get("compiled"), g.get("bare")),
            "compiled_over_eager": ratio(g.get("compiled"), g.get("eager")),
        } for p, g in got.items()}
        sec.flush()

    def pair_rows(pack: int) -> None:
        """The hand-written loop and ganbench eager, compared like with like (both update rules,
        interleaved pairs): benchmarks/gan_step_pair.py, the comparison test_bench_gan_step.py makes."""
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from gan_step_pair import PACGAN_WIDTHS, compare

        widths = {**PACGAN_WIDTHS, "g_hidden": 32, "d_hidden": 16} if sec.tiny else PACGAN_WIDTHS
        reset_peak(sec.device)
        try:
            res = compare(load_registry(), sec.device, steps=8 if sec.tiny else 300, rounds=2 if sec.tiny else 5,
                          pack=pack, widths=widths, deadline=time.perf_counter() + 0.25 * sec.left())
        except Exception as exc:  # recorded, the section goes on
            sec.row(name="bare PyTorch loop", pack=pack, error=f"{type(exc).__name__}: {str(exc)[:300]}")
            return
        peak = peak_mem(sec.device)
        for update, r in res["rules"].items():
            mode = f"eager, {update} update"
            sec.row(name="bare PyTorch loop", pack=pack, mode=f"{mode}, hand-written (gan_step_pair.py)",
                    values={"steps_per_s": r["hand_steps_per_s"]}, peak_mem_mb=peak, rounds=r["rounds"])
            sec.row(name="ganbench eager (RunLoop)", pack=pack, mode=mode, values={"steps_per_s": r["harness_steps_per_s"]},
                    peak_mem_mb=peak, rounds=r["rounds"], harness_over_hand=r["harness_over_hand"], pair_ratios=r["pair_ratios"],
                    note=f"harness / hand {r['harness_over_hand']:.3f} (median of {r['rounds']} interleaved pairs)")
            suffix = "" if update == "simultaneous" else f"_{update}"
            got[pack]["eager_over_bare" + suffix] = r["harness_over_hand"]
            if update == "simultaneous":
                got[pack]["bare"], got[pack]["eager"] = r["hand_steps_per_s"], r["harness_steps_per_s"]
        summarise()

    def harness_row(pack: int, compile_: bool) -> None:
        info: dict[str, Any] = {}

        def harness() -> dict[str, Any]:
            out = harness_rate(sec, pack, run_steps, hp, compile_)
            info.update(mode=out["mode"], run_steps=out["steps"])
            return out["values"]

        name = "ganbench compiled (RunLoop)" if compile_ else "ganbench eager (RunLoop)"
        r = sec.measure(name, harness, pack=pack)
        r.update(info)
        got[pack]["compiled" if compile_ else "eager"] = _values(r).get("steps_per_s")
        summarise()

    for pack in packs:  # everything eager first: compilation is the slow, cap-threatening part
        pair_rows(pack)

        def plugin_step(pack: int = pack) -> dict[str, Any]:
            torch.manual_seed(0)
            ctx = BuildContext((2,), "vector", None, pack, sec.device, 0, 100, dict(hp))
            model = spec.build(ctx)
            data = ring_data(100_000, sec.device)
            g = torch.Generator(device=sec.device).manual_seed(0)
            return rate(lambda: model.train_step(data[torch.randint(0, 100_000, (100 * pack,), device=sec.device, generator=g)]),
                        sec.device, **tight)

        r = sec.measure("plugin train_step, tight loop", plugin_step, pack=pack, mode="eager (no harness)")
        got[pack]["plugin"] = _values(r).get("steps_per_s")
    for pack in packs:
        if sec.tiny and pack != packs[0]:
            sec.row(name="ganbench compiled (RunLoop)", pack=pack, skipped="--tiny compiles pack 1 only")
        elif sec.left() < (3 if sec.tiny else 45):
            sec.row(name="ganbench compiled (RunLoop)", pack=pack, skipped="section time cap: no time left to compile")
        else:
            harness_row(pack, True)


# ------------------------------------------------------------------------------------------------
# 2. Vectorised replicas and the paper protocol's replica groups
# ------------------------------------------------------------------------------------------------


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
    from ganbench.plan.suite import build_matrix, load_suite
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


# ------------------------------------------------------------------------------------------------
# 3. The protocol at a tenth of its budget
# ------------------------------------------------------------------------------------------------


def tiny_paper_suite(path: Path) -> Path:
    """The paper suite shrunk for CI: 2 seeds, tiny widths, 2 evaluation points of 500 samples."""
    import yaml

    doc = yaml.safe_load(PAPER_SUITE.read_text())
    doc.update(name="pacgan-mog-paper-tiny", seeds=2, eval={"points": 2, "n_samples": 500})
    for m in doc["models"]:
        m["hparams"] = {**m.get("hparams", {}), "g_hidden": 32, "d_hidden": 16}
    path.write_text(yaml.safe_dump(doc))
    return path


def protocol_table(store_path: Path) -> tuple[list[dict[str, Any]], dict[str, int]]:
    import numpy as np

    from ganbench.record.store import Store

    with Store.open(store_path, create=False) as store:
        runs, metrics = store.runs(), store.metrics(final_only=True)
    status = runs.status.value_counts().to_dict()
    rows = []
    for (ds, pack), grp in runs[runs.status == "done"].groupby(["dataset", "pack"]):
        m = metrics[metrics.run_id.isin(grp.run_id)]
        row: dict[str, Any] = {"dataset": ds, "pack": int(pack), "seeds": len(grp)}
        for key, scale in (("modes", 1.0), ("hq_share", 100.0), ("reverse_kl", 1.0)):
            v = m[m.name == key].value.to_numpy(dtype=float) * scale
            se = float(v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else float("nan")
            row[key] = {"mean": float(v.mean()) if len(v) else None, "se": se if math.isfinite(se) else None}
        paper = PACGAN_TABLE1.get((ds, int(pack)))
        row["paper"] = {"modes": paper[0], "hq_pct": paper[1], "reverse_kl": paper[2]} if paper else None
        rows.append(row)
    return rows, {str(k): int(v) for k, v in status.items()}


def section_protocol(sec: Section) -> None:
    from ganbench.plan.suite import Budget
    from ganbench.run.runner import run_suite

    proj = (sec.prior.get("replicas") or {}).get("summary", {}).get("projected_protocol_train_s")
    want = float(sec.opts.get("protocol_fraction") or 0.1)
    fraction, reason = (want, "a tenth of the paper's budget" if want == 0.1 else f"--protocol-fraction {want:g}")
    cap = sec.left() - (5 if sec.tiny else 20)  # leave room for the report and start-up
    if sec.tiny:
        fraction, reason = (8 / PROTOCOL_STEPS, "--tiny: 8 steps, 2 seeds, tiny widths")
    elif proj and proj * fraction > 0.45 * cap:  # the harness adds per-step work and evaluation to the micro rate
        fraction = max(0.45 * cap / proj, 100 / PROTOCOL_STEPS)
        reason = (f"reduced from {want:g} to 1/{1 / fraction:.0f} of the budget: the projected training time at "
                  f"{want:g} ({proj * want:.0f} s) exceeds 45 % of this section's cap ({cap:.0f} s); for the full "
                  f"tenth run --sections replicas,protocol --budget-s 600")
    steps = max(8, int(round(PROTOCOL_STEPS * fraction)))
    sec.data["summary"] = {"budget_fraction": steps / PROTOCOL_STEPS, "steps_per_run": steps, "why": reason}
    sec.flush()
    with tempfile.TemporaryDirectory() as tmp:
        suite = tiny_paper_suite(Path(tmp) / "suite.yaml") if sec.tiny else PAPER_SUITE
        out = Path(sec.opts["out"]) / "protocol"
        shutil.rmtree(out, ignore_errors=True)  # a second check into the same folder must not resume the first
        t0 = time.perf_counter()
        res = run_suite(suite, out, budget=Budget(steps=steps), vectorize=10, device=sec.opts["device"], render=False)
        wall = time.perf_counter() - t0
    table, status = protocol_table(res.store_path)
    n = len(res.runs)
    values = {"wall_s": wall, "runs_per_min": 60 * n / wall, "projected_full_protocol_s": wall * PROTOCOL_STEPS / steps}
    report = None
    if not sec.tiny:  # the report of 80 runs is worth keeping; rendering it is not part of the timing
        from ganbench.report.build import render_report

        t0 = time.perf_counter()
        report = str(Path(render_report(res.store_path, out / "report.html")).relative_to(sec.opts["out"]))
        values["report_render_s"] = time.perf_counter() - t0
    sec.row(name=f"protocol, {n} runs x {steps} steps (vectorize 10)", values=values, peak_mem_mb=peak_mem(sec.device),
            status=status, report=report,
            note="wall_s: training + evaluation of every run, the report not included")
    sec.data["table"] = table
    sec.data["summary"].update(runs=n, wall_s=wall, goal="full protocol <= 1 h on one GPU, so a tenth <= 6 min")
    sec.flush()


# ------------------------------------------------------------------------------------------------
# 4. IS + FID of 50k 32x32 samples with a random-weight Inception-v3
# ------------------------------------------------------------------------------------------------


def section_fidelity(sec: Section) -> None:
    import torch

    from ganbench.api import BuildContext, Dataset, MetricContext
    from ganbench.metrics import fidelity
    from ganbench.metrics.extractors import INCEPTION_FILENAME, load_inception, random_inception_weights
    from ganbench.plugins import load_registry
    from ganbench.train.loop import draw_samples

    n = int(sec.opts.get("fid_samples") or (4 if sec.tiny else 50_000))
    bs = 250 if sec.device.type == "cuda" else 32  # what compute_fidelity uses
    tmp = Path(tempfile.mkdtemp(prefix="device-check-fid-"))
    weights = random_inception_weights(tmp / INCEPTION_FILENAME, seed=0)
    t0 = time.perf_counter()
    ext = load_inception(weights, sec.device)
    summary: dict[str, Any] = {"n_samples": n, "load_s": time.perf_counter() - t0, "batch": bs,
                               "inception": "torch-fidelity Inception-v3, random weights (real architecture): "
                                            "timing only, the IS/FID values mean nothing"}
    sec.data["summary"] = summary
    g = torch.Generator(device=sec.device).manual_seed(0)
    # "real" images: smooth random fields, CIFAR-10-shaped, in [-1, 1] (no data needed)
    real = torch.nn.functional.avg_pool2d(torch.rand(n, 3, 40, 40, device=sec.device, generator=g) * 2 - 1, 9, 1)
    ds = Dataset("cifar10-shaped-random", "image", real.clamp(-1, 1), None, None, {})
    spec = load_registry().model("dcgan")
    gen = spec.build(BuildContext((3, 32, 32), "image", None, 1, sec.device, 0, 64, dict(spec.defaults)))
    ref: dict[str, Any] = {}
    # FID's matrix square root (eigenvalues of a 2048x2048 product, on the CPU) costs ~30 s on a busy
    # 2-core box whatever n is: --tiny runs the same code on the first 64 feature dimensions
    dims = 64 if sec.tiny else None
    if dims:
        summary["fid_dims"] = f"--tiny: FID on the first {dims} of 2048 feature dimensions"

    def reference() -> dict[str, Any]:
        t = time.perf_counter()
        feats, _ = ext.extract(fidelity.to_uint8(ds.data, 3, "real"), bs)
        ref["mu"], ref["sigma"] = fidelity.feature_stats(feats[:, :dims])
        dt = time.perf_counter() - t
        return {"seconds": dt, "extract_images_per_s": n / dt}

    sec.measure("reference features + statistics (once per dataset, then cached)", reference, images=n)

    def is_fid() -> dict[str, Any]:
        t = time.perf_counter()
        samples, _ = draw_samples(gen, n, ds, False, 0, sec.device, "dcgan")
        sync(sec.device)
        t1 = time.perf_counter()
        feats, logits = ext.extract(fidelity.to_uint8(samples, 3, "generated"), bs)
        sync(sec.device)
        t2 = time.perf_counter()
        is_mean, _ = fidelity.inception_score(logits, max(1, min(10, n)))
        fid = fidelity.fid_from_stats(*fidelity.feature_stats(feats[:, :dims]), ref["mu"], ref["sigma"])
        t3 = time.perf_counter()
        summary.update(IS=is_mean, FID=fid)
        return {"seconds": t3 - t, "sampling_s": t1 - t, "extraction_s": t2 - t1, "is_fid_math_s": t3 - t2,
                "extract_images_per_s": n / (t2 - t1)}

    sec.measure(f"IS + FID end to end, {n} samples (DCGAN sampling, uint8, Inception, IS, FID vs cached stats)", is_fid,
                images=n, goal="<= 20 s on an H100-class GPU")
    m = min(n, 10_000)
    if sec.tiny:
        sec.row(name="ganbench fidelity metric family", skipped="--tiny: its 2048-dim FID alone takes ~30 s of CPU")
    elif sec.left() < 30:
        sec.row(name="ganbench fidelity metric family", skipped="section time cap reached")
    else:
        def family() -> dict[str, Any]:
            opts = {"inception_weights": str(weights), "inception_download": False, "fid_n_samples": m, "fid_n_real": m,
                    "prdc_n_real": m}
            sub = Dataset("cifar10-shaped-random-sub", "image", ds.data[:m], None, None, {})
            samples, _ = draw_samples(gen, m, sub, False, 1, sec.device, "dcgan")
            t = time.perf_counter()
            fidelity.compute_fidelity(MetricContext(sub, samples, None, sec.device, tmp / "cache", opts, final=True))
            first = time.perf_counter() - t
            t = time.perf_counter()
            fidelity.compute_fidelity(MetricContext(sub, samples, None, sec.device, tmp / "cache", opts, final=True))
            return {"first_call_s": first, "cached_reference_s": time.perf_counter() - t}

        sec.measure(f"ganbench fidelity family (IS, FID, KID, P/R, D/C), {m} samples", family, images=m,
                    note="compute_fidelity as a run's final evaluation: first call computes the reference, then cached")
    shutil.rmtree(tmp, ignore_errors=True)
    sec.flush()


# ------------------------------------------------------------------------------------------------
# 5. Zoo models, CIFAR-10-shaped training throughput
# ------------------------------------------------------------------------------------------------


def zoo_model(name: str, sec: Section, batch: int) -> tuple[Any, Any, Any, Any]:
    import torch

    from ganbench.api import BuildContext
    from ganbench.plugins import load_registry
    from ganbench.testing import tiny_hparams
    from ganbench.train.packing import real_per_step

    spec = load_registry().model(name)
    hp = dict(spec.defaults)
    if sec.tiny:
        hp.update(tiny_hparams(spec, 8))
        hp.update({k: 8 for k in ("g_base_channels", "d_base_channels", "shared_dim", "w_dim") if k in hp})
    ctx = BuildContext((3, 32, 32), "image", 10 if spec.capabilities.conditional else None, 1, sec.device, 0, batch, hp)
    model = spec.build(ctx)
    per = real_per_step(ctx, int(getattr(model, "d_steps_per_g_step", 1)))
    g = torch.Generator(device=sec.device).manual_seed(0)
    real = torch.rand(per, 3, 32, 32, device=sec.device, generator=g) * 2 - 1
    labels = torch.randint(0, 10, (per,), device=sec.device, generator=g) if spec.capabilities.conditional else None
    return spec, model, real, labels


def section_zoo(sec: Section) -> None:
    import torch

    from ganbench.train.compiled import TrainStep

    batch = 4 if sec.tiny else 64
    tight = dict(warmup=1 if sec.tiny else 3, min_steps=1 if sec.tiny else 5, max_steps=1 if sec.tiny else 2000,
                 seconds=0.1 if sec.tiny else 2.0)
    from ganbench.plugins import load_registry

    registry = load_registry()
    got: dict[str, dict[str, float | None]] = {m: {} for m in ZOO}
    declared = {m: registry.model(m).capabilities.compile_safe for m in ZOO}

    def run(name: str, kind: str) -> dict[str, Any]:
        spec, model, real, labels = zoo_model(name, sec, batch)
        if kind == "eager":
            out = rate(lambda: model.train_step(real, labels), sec.device, **tight)
        elif kind == "bf16":
            dev = sec.device.type

            def step() -> None:
                with torch.autocast(dev, dtype=torch.bfloat16):
                    model.train_step(real, labels)

            out = rate(step, sec.device, **tight)
        else:  # the harness's compile wrapper, forced even where the plugin does not declare compile_safe
            ts = TrainStep(model, True, True, sec.device)
            t = time.perf_counter()
            ts(real, labels)
            sync(sec.device)
            first = time.perf_counter() - t
            out = rate(lambda: ts(real, labels), sec.device, **tight)
            out["first_step_s"] = first
            out["mode"] = ts.mode
            if not ts.mode.startswith("compiled"):
                raise RuntimeError(f"compile fell back: {ts.mode}")
        out["n_dis"] = int(getattr(model, "d_steps_per_g_step", 1))
        return out

    plan = [(m, "eager") for m in ZOO] + [(m, "bf16") for m in ZOO] + [(m, "compiled") for m in ZOO]
    for name, kind in plan:
        if kind == "compiled" and sec.tiny and name != ZOO[0]:
            sec.row(name=name, kind=kind, skipped="--tiny compiles the first zoo model only")
            continue
        need = (2 if sec.tiny else 60) if kind == "compiled" else (2 if sec.tiny else 10)
        if sec.left() < need:
            sec.row(name=name, kind=kind, skipped=f"section time cap: under {need} s left")
            continue
        note = {"compiled": "torch.compile via ganbench's TrainStep, forced (plugin declares compile_safe="
                            f"{bool(declared.get(name))})",
                "bf16": "torch.autocast(bfloat16) around train_step; no plugin declares bf16 support yet, "
                        "so this is throughput only (numerics not validated)",
                "eager": "plugin train_step, fp32"}[kind]
        other = {"studiogan_steps_per_s_other_gpu": STUDIOGAN_STEPS_PER_S.get(name)} if kind == "eager" else {}
        r = sec.measure(name, lambda name=name, kind=kind: run(name, kind), kind=kind, batch=batch, note=note, **other)
        vals = _values(r)
        if "mode" in vals:
            r["mode"] = vals.pop("mode")
        got[name][kind] = vals.get("steps_per_s")
        sec.flush()
    sec.data["summary"] = {
        m: {"bf16_over_eager": ratio(got[m].get("bf16"), got[m].get("eager")),
            "compiled_over_eager": ratio(got[m].get("compiled"), got[m].get("eager")),
            "studiogan_steps_per_s": STUDIOGAN_STEPS_PER_S.get(m)}
        for m in ZOO
    }
    sec.data["studiogan_note"] = ("StudioGAN's published steps/s (batch 64, one GPU, probably a TITAN RTX; from "
                                  "its training logs, n_dis DCGAN 2, others 5; ours: the n_dis column): different hardware, code and n_dis, "
                                  "a rough reference only")
    sec.flush()


# ------------------------------------------------------------------------------------------------
# 6. StyleGAN at the reference's widths under the zoo-sanity protocol
# ------------------------------------------------------------------------------------------------

# StyleGAN2-ADA's cifar config: fmaps 1 -> 512 channels at every resolution <= 32, z = w = 512,
# mapping depth 2, no style mixing; the rest (lr 0.0025, R1 0.01, EMA 500 kimg ramp 0.05) are the
# plugin's defaults
STYLEGAN_REFERENCE_HP = {"g_ch": 512, "d_ch": 512, "z_dim": 512, "w_dim": 512, "map_layers": 2, "style_mixing": 0.0}
STYLEGAN_TINY_HP = {"g_ch": 8, "d_ch": 8, "z_dim": 8, "w_dim": 8, "map_layers": 2, "style_mixing": 0.0}


def stylegan_suite_text(tiny: bool, device: str) -> str:
    """suites/zoo-sanity.yaml with only the StyleGAN entry, at the reference's widths."""
    hp = STYLEGAN_TINY_HP if tiny else STYLEGAN_REFERENCE_HP
    budget, every, n, real = (2, 1, 50, 100) if tiny else (600, 100, 5000, 10000)
    return (f"name: stylegan-learning\nseeds: 2\ndevice: {device}\nbatch_size: {8 if tiny else 64}\n"
            f"budget: {{steps: {budget}}}\neval: {{every: {every}, n_samples: {n}, options: {{fid_n_real: {real}}}}}\n"
            f"datasets:\n  - {{name: mnist}}\nmetrics: [fidelity, mnist-modes]\nkeep: none\n"
            f"models:\n  - model: stylegan\n    hparams: {json.dumps(hp)}\n")


def section_stylegan_learning(sec: Section) -> None:
    from ganbench.data import default_root
    from ganbench.data.mnist import mnist_files
    from ganbench.metrics.evaluator import evaluator_path
    from ganbench.report.learning import EARLY_STEP, learning_verdicts
    from ganbench.run.runner import run_suite

    root = Path(sec.opts.get("data") or default_root()).expanduser()
    missing = [p for p in [*mnist_files(root, "mnist"), evaluator_path(root, "mnist")] if not p.is_file()]
    if missing:
        sec.row(name="stylegan, reference widths, zoo-sanity protocol",
                skipped=f"needs MNIST and its evaluator under {root} (missing {missing[0]}): carry them and pass --data")
        return
    out = Path(sec.opts["out"]) / "stylegan-learning"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    suite = out / "stylegan-learning.yaml"
    suite.write_text(stylegan_suite_text(sec.tiny, sec.device.type))
    os.environ["GANBENCH_DATA"] = str(root)
    widths = STYLEGAN_TINY_HP if sec.tiny else STYLEGAN_REFERENCE_HP
    learns = runs = 0
    for seed in ((0,) if sec.tiny else (0, 1)):  # one at a time: a section stopped at its cap keeps the seeds it finished
        t = time.perf_counter()
        reset_peak(sec.device)
        run_suite(suite, out, seeds=[seed], render=False, check_ready=False)
        v = learning_verdicts(out).set_index("seed").loc[seed]
        vals = {k: float(v[c]) for k, c in (("modes_at_100", f"modes@{EARLY_STEP}"), ("modes_end", "modes"),
                                            ("fid_at_100", f"fid@{EARLY_STEP}"), ("fid_end", "fid"),
                                            ("fid_ratio", "fid_ratio"))
                if v[c] is not None and math.isfinite(float(v[c])) and float(v[c]) > 0}
        vals["seconds"] = time.perf_counter() - t
        sec.row(name=f"stylegan g/d {widths['g_ch']}/{widths['d_ch']} ch, seed {seed}", values=vals,
                peak_mem_mb=peak_mem(sec.device), verdict="learns" if v["learns"] else f"NO: {v['why_not']}",
                note="zoo-sanity rule: >= 9 digits at the end and FID <= 2/3 of its step-100 value")
        learns, runs = learns + int(bool(v["learns"])), runs + 1
        sec.data["summary"] = {"learns": learns, "runs": runs,
                               "widths": f"G {widths['g_ch']}, D {widths['d_ch']}, z/w {widths['z_dim']}"}
        sec.flush()


def section_seqgan(sec: Section) -> None:
    """SeqGAN's row through benchmarks/seqgan_device.py: the probe, then the run that fits the cap."""
    import importlib.util

    from ganbench.data import default_root
    from ganbench.data import oracle as of

    spec = importlib.util.spec_from_file_location("seqgan_device", ROOT / "benchmarks" / "seqgan_device.py")
    sd = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(sd)  # type: ignore[union-attr]
    root = Path(sec.opts.get("data") or default_root()).expanduser()
    if not sec.tiny and not of.oracle_path(root).is_file():
        sec.row(name="seqgan, paper's oracle", skipped=f"needs {of.oracle_path(root)} ({of.FIX}): carry it and pass --data")
        return
    out = Path(sec.opts["out"]) / "seqgan"
    shutil.rmtree(out, ignore_errors=True)
    common = ["--out", str(out), "--device", sec.device.type, "--data", str(root), *(["--tiny"] if sec.tiny else [])]
    sec.measure("probe", lambda: _seqgan_probe(sd, common), kind="probe")
    probe = json.loads((out / "seqgan-device.json").read_text())["probe"]
    if sec.opts.get("seqgan_full"):
        adv = 200
    else:  # the adversarial epochs that fit what is left of the cap after pre-training, at least 1
        spare = 0.8 * sec.left() - probe["pretrain_s"] - probe["d_pretrain_s"]
        adv = max(1, min(200, int(spare / max(probe["adversarial_epoch_s"], 1e-9))))
    if sec.tiny:
        adv = min(adv, 3)  # what seqgan_device --tiny runs at most
    sec.data["summary"] = {"adv_epochs": adv, "projected_paper_s": probe["projected_paper_s"]}
    sec.flush()
    t = time.perf_counter()
    rc = sd.main([*common, "--adv-epochs", str(adv)])
    report = json.loads((out / "seqgan-device.json").read_text())
    nll = list(report.get("nll_oracle", {}).values())
    if rc != 0 or not nll:
        sec.row(name=f"seqgan, {adv} adversarial epochs", error=f"seqgan_device exit {rc}; failed: {report.get('failed')}")
        return
    sec.row(name=f"seqgan, {adv} adversarial epochs", values={"nll_oracle": sum(nll) / len(nll), "seconds": time.perf_counter() - t},
            peak_mem_mb=peak_mem(sec.device), note=f"paper 8.736 after 200 epochs; the authors' log: {sd.LOG_ADVERSARIAL}")


def _seqgan_probe(sd: Any, common: list[str]) -> dict[str, Any]:
    assert sd.main([*common, "--probe-only"]) == 0
    probe = json.loads((Path(common[1]) / "seqgan-device.json").read_text())["probe"]
    return {k: float(v) for k, v in probe.items() if float(v) > 0}


SECTION_FNS: dict[str, Callable[[Section], None]] = {
    "pacgan_step": section_pacgan_step, "replicas": section_replicas, "protocol": section_protocol,
    "fidelity": section_fidelity, "zoo": section_zoo, "stylegan_learning": section_stylegan_learning,
    "seqgan": section_seqgan,
}


# ------------------------------------------------------------------------------------------------
# Driver: one forked process per section, hard caps, JSON + Markdown
# ------------------------------------------------------------------------------------------------


def _child(name: str, opts: dict[str, Any], path: str, cap_s: float, prior: dict[str, Any]) -> None:
    if opts.get("compile_backend"):
        os.environ["GANBENCH_COMPILE_BACKEND"] = opts["compile_backend"]
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        import torch

        torch.set_num_threads(int(opts["threads"]))  # the harness's thread rule: bare and harness alike
        sec = Section(name, opts, Path(path), cap_s, prior)
        if _fault(name, "raise"):
            raise RuntimeError(f"fault injected by ${ENV_FAULT}")
        SECTION_FNS[name](sec)
    except BaseException as exc:
        data = json.loads(Path(path).read_text()) if Path(path).exists() else {"rows": [], "summary": {}}
        data["error"] = f"{type(exc).__name__}: {str(exc)[:500]}"
        data["traceback"] = traceback.format_exc()[-3000:]
        Path(path).write_text(json.dumps(data, indent=1, default=str))
        os._exit(1)
    os._exit(0)


def _fork() -> Any:
    """Sections are forked from a driver that imported torch and ganbench but never touched CUDA
    (a CUDA context does not survive a fork): start-up is paid once, each section's GPU state is new."""
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


def _probe(device: str | None, path: str) -> None:
    import torch

    from ganbench.record.hardware import hardware_info

    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    info = hardware_info(dev)
    info["cudnn"] = torch.backends.cudnn.version() if dev.type == "cuda" else None
    if dev.type == "cuda":
        p = torch.cuda.get_device_properties(dev)
        info.update(gpu_memory_gib=round(p.total_memory / 2**30, 1), compute_capability=f"{p.major}.{p.minor}")
    Path(path).write_text(json.dumps(info, default=str))
    os._exit(0)


def hardware(device: str | None, out: Path) -> dict[str, Any]:
    """GPU name, driver, torch/CUDA/cuDNN versions, CPU: probed in a child (the driver stays CUDA-free)."""
    path = out / "sections" / "hardware.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    proc = _fork().Process(target=_probe, args=(device, str(path)))
    proc.start()
    proc.join(120)
    if proc.is_alive():
        proc.kill()
    try:
        info: dict[str, Any] = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        info = {"error": f"hardware probe failed (exit code {proc.exitcode})", "device": device or "cpu"}
    try:
        smi = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
        if smi.returncode == 0 and smi.stdout.strip():
            name, driver, mem = [x.strip() for x in smi.stdout.strip().splitlines()[0].split(",")[:3]]
            info.update(driver=driver, nvidia_smi_gpu=name, nvidia_smi_memory=mem)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    info.setdefault("driver", None)
    try:
        info["ganbench_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                                 text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        info["ganbench_commit"] = None
    return info


def run_section(name: str, opts: dict[str, Any], out: Path, cap_s: float, prior: dict[str, Any]) -> dict[str, Any]:
    """One section in its own process: it stops itself ``margin`` seconds before ``cap_s``; at
    ``cap_s`` it is killed, and the rows it wrote so far are kept."""
    path = out / "sections" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    margin = min(10.0, 0.1 * cap_s)
    t0 = time.perf_counter()
    proc = _fork().Process(target=_child, args=(name, opts, str(path), cap_s - margin, prior))
    proc.start()
    proc.join(cap_s)
    status = "ok"
    if proc.is_alive():
        proc.kill()
        proc.join(10)
        status = "timeout"
    seconds = time.perf_counter() - t0
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        data = {"rows": [], "summary": {}}
    if status == "timeout":
        data["error"] = f"killed at the section's time cap ({cap_s:.0f} s); rows measured before that are kept"
    elif proc.exitcode != 0:
        status = "error"
        data.setdefault("error", f"section process exited with code {proc.exitcode}")
    elif not data.get("rows"):
        status = "error"
        data.setdefault("error", "section recorded no measurement")
    data.update(status=status, seconds=seconds, cap_s=cap_s)
    return data


def fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        return f"{v:.{digits}g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def markdown(report: dict[str, Any]) -> str:
    hw = report["hardware"]
    lines = [
        f"# ganbench device check ({'--tiny, ' if report['tiny'] else ''}{report['device']})",
        "",
        f"- device: **{hw.get('gpu') or hw.get('cpu')}** ({report['device']}); driver {hw.get('driver') or '—'}; "
        f"torch {hw.get('torch')}, CUDA {hw.get('cuda') or '—'}, cuDNN {hw.get('cudnn') or '—'}; "
        f"CPU {hw.get('cpu')} × {hw.get('cpu_count')}; python {hw.get('python')}; ganbench {hw.get('ganbench_commit')}",
        f"- started {report['started']}, total {report['total_s']:.0f} s (budget {report['budget_s']:.0f} s)",
    ]
    if report["tiny"]:
        lines.append("- **--tiny**: shrunk models and sizes, a smoke test of the script; not performance figures")
    if report["device"] == "cpu":
        lines.append("- **CPU figures**: no GPU was used; peak GPU memory is n/a")
    for name in SECTIONS:
        sec = report["sections"].get(name)
        if sec is None:
            continue
        lines += ["", f"## {name} — {sec['status']} ({sec['seconds']:.0f} s of {sec['cap_s']:.0f} s)"]
        if sec.get("error"):
            lines.append(f"\n**error:** {sec['error'].splitlines()[0]}")
        rows = sec.get("rows") or []
        if rows:
            keys: list[str] = []
            for r in rows:
                for k in _values(r):
                    if k not in keys:
                        keys.append(k)
            extra = [k for k in ("pack", "replicas", "kind", "mode", "verdict", "studiogan_steps_per_s_other_gpu")
                     if any(k in r for r in rows)]
            lines += ["", "| " + " | ".join(["measurement", *extra, *keys, "peak GPU MB", "note"]) + " |",
                      "|" + "---|" * (len(extra) + len(keys) + 3)]
            for r in rows:
                note = r.get("error") or r.get("skipped") or r.get("note") or r.get("goal") or ""
                cells = [str(r.get("name")), *[fmt(r.get(k)) for k in extra], *[fmt(_values(r).get(k)) for k in keys],
                         fmt(r.get("peak_mem_mb", "—")), str(note).replace("|", "/")]
                lines.append("| " + " | ".join(cells) + " |")
        summary = sec.get("summary") or {}
        if summary:
            lines += ["", "summary: " + "; ".join(
                f"{k}: " + (", ".join(f"{kk} {fmt(vv)}" for kk, vv in v.items()) if isinstance(v, dict) else fmt(v))
                for k, v in summary.items())]
        if sec.get("studiogan_note"):
            lines.append(f"\nStudioGAN column: {sec['studiogan_note']}.")
        if sec.get("table"):
            lines += ["", "| dataset | pack | seeds | modes (ours) | HQ % (ours) | rKL (ours) | modes (PacGAN) | HQ % (PacGAN) "
                      "| rKL (PacGAN) |", "|---|---|---|---|---|---|---|---|---|"]
            for t in sec["table"]:
                p = t.get("paper") or {}

                def ms(d: dict[str, Any]) -> str:
                    return f"{fmt(d.get('mean'))}±{fmt(d.get('se'))}" if d.get("mean") is not None else "—"

                lines.append(f"| {t['dataset']} | {t['pack']} | {t['seeds']} | {ms(t['modes'])} | {ms(t['hq_share'])} | "
                             f"{ms(t['reverse_kl'])} | {p.get('modes', '—')} | {p.get('hq_pct', '—')} | "
                             f"{p.get('reverse_kl', '—')} |")
            lines.append("\nOurs at the budget fraction above (mean ± standard error over seeds); PacGAN Table 1 at "
                         "the full budget, 10 trials.")
    return "\n".join(lines) + "\n"


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, type=Path, help="folder for device-check.json, device-check.md, protocol/")
    ap.add_argument("--device", choices=("cuda", "cpu"), default=None, help="default: cuda when torch sees one")
    ap.add_argument("--tiny", action="store_true", help="seconds-sized smoke run (what CI runs on the CPU)")
    ap.add_argument("--budget-s", type=float, default=None,
                    help="total time budget split over the sections (default 450; --tiny 100)")
    ap.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    ap.add_argument("--fid-samples", type=int, default=None, help="samples for IS/FID (default 50000; --tiny 4)")
    ap.add_argument("--protocol-fraction", type=float, default=0.1,
                    help="share of the paper budget the protocol section trains (default 0.1; cut to fit its cap)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch CPU threads in every section (default 1: the harness's thread rule for a run)")
    ap.add_argument("--data", default=None, help="MNIST and its evaluator for stylegan_learning (default $GANBENCH_DATA)")
    ap.add_argument("--seqgan-full", action="store_true",
                    help="seqgan: the paper's 200 adversarial epochs whatever the cap (give it the time)")
    ap.add_argument("--compile-backend", default=None,
                    help="torch.compile backend (default inductor; --tiny on the CPU: eager, i.e. graph capture only)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    sections = [x.strip() for x in args.sections.split(",") if x.strip()]
    bad = [x for x in sections if x not in SECTION_FNS]
    if bad:
        print(f"device_check: --sections: unknown {', '.join(bad)} (choose from {', '.join(SECTIONS)})", file=sys.stderr)
        return 2
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")  # is_available() without a CUDA context
    os.environ.setdefault("MPLBACKEND", "Agg")
    t0 = time.perf_counter()
    import torch  # noqa: F401  (imported once here, inherited by every forked section)

    import ganbench.plugins
    import ganbench.run.runner  # noqa: F401

    ganbench.plugins.load_registry()
    args.out.mkdir(parents=True, exist_ok=True)
    hw = hardware(args.device, args.out)
    device = args.device or str(hw.get("device") or "cpu")
    budget = args.budget_s or (100.0 if args.tiny else 450.0)
    backend = args.compile_backend or ("eager" if args.tiny and device == "cpu" else None)
    opts = {"device": device, "tiny": args.tiny, "out": str(args.out.resolve()), "compile_backend": backend,
            "fid_samples": args.fid_samples, "threads": args.threads, "protocol_fraction": args.protocol_fraction,
            "data": args.data, "seqgan_full": args.seqgan_full}
    report: dict[str, Any] = {
        "schema": SCHEMA, "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "device": device,
        "tiny": args.tiny, "budget_s": budget, "compile_backend": backend or "inductor", "threads": args.threads,
        "hardware": hw,
        "sections": {},
    }
    shares = SHARES_TINY if args.tiny else SHARES
    share = sum(shares[x] for x in sections)
    left = budget - (time.perf_counter() - t0)
    for name in sections:
        cap = max(5.0, left * shares[name] / share)
        print(f"device_check: {name} (cap {cap:.0f} s) ...", file=sys.stderr, flush=True)
        prior = {k: {"summary": v.get("summary", {})} for k, v in report["sections"].items()}
        sec = report["sections"][name] = run_section(name, opts, args.out, cap, prior)
        print(f"device_check: {name}: {sec['status']} in {sec['seconds']:.1f} s"
              + (f" ({sec['error'].splitlines()[0]})" if sec.get("error") else ""), file=sys.stderr, flush=True)
    report["total_s"] = time.perf_counter() - t0
    (args.out / "device-check.json").write_text(json.dumps(report, indent=1, default=str))
    (args.out / "device-check.md").write_text(markdown(report))
    print(args.out / "device-check.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
