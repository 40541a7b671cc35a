"""Section 5, ``zoo``: CIFAR-10-shaped training throughput of the zoo models, beside StudioGAN's."""

from __future__ import annotations

import time
from typing import Any

from benchmarks.device_check.common import (
    ZOO,
    Section,
    _values,
    rate,
    ratio,
    sync,
)

# /work/shared/PROTOCOLS.md: StudioGAN logs, batch 64, one GPU (probably a TITAN RTX)
STUDIOGAN_STEPS_PER_S = {"dcgan": 23.1, "wgan-gp": 2.9, "sngan": 3.56, "sagan": 3.5, "biggan": 2.46}


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
