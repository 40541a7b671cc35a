"""Section 1, ``pacgan_step``: PacGAN's MoG model, a bare loop vs the plugin step vs harness eager vs compiled."""

from __future__ import annotations

import json
import math
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.device_check.common import (
    Section,
    _values,
    peak_mem,
    rate,
    ratio,
    reset_peak,
)


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
        from benchmarks.gan_step_pair import PACGAN_WIDTHS, compare

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
