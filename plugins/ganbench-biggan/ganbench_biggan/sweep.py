"""The truncation sweep: evaluation samples regenerated at several truncation values.

To plot IS/FID against truncation without retraining, every BigGAN model remembers the generator
state and labels of its last few ``sample`` calls (with the first few images they produced). The
``truncation`` metric matches the evaluation samples it is given against the records of the model
being evaluated (``MetricContext.model``, API 1.1), replays the same latents' RNG stream at each psi, and
reports ``spread@trunc=psi`` always and, for every other metric family named in
``eval.options.truncation_metrics`` (e.g. ``fidelity``), its keys as ``KEY@trunc=psi``.
No match (another model's run) -> no keys, so listing the metric in a mixed suite is harmless.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Mapping
from typing import Any

import torch

from ganbench.api import MetricContext, MetricSpec, MetricValue

HEAD = 4
CHUNK = 1_000  # the harness samples images 1,000 per call; the replay draws the stream the same way
CALLS_KEPT = 64  # sample calls remembered: the first of a 50k evaluation (50 calls) must survive
DEFAULT_PSI = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)

def remember(model: Any, n: int, labels: torch.Tensor, generator: torch.Generator | None) -> None:
    """Record the RNG state a ``sample`` call starts from (the images are added by :func:`note_head`)."""
    if generator is None:
        return
    calls = model.__dict__.setdefault("_sample_calls", deque(maxlen=CALLS_KEPT))
    calls.append({"state": generator.get_state().clone(), "device": generator.device, "labels": labels.detach(), "head": None})


def note_head(model: Any, out: torch.Tensor) -> None:
    calls = model.__dict__.get("_sample_calls")
    if calls and calls[-1]["head"] is None:
        calls[-1]["head"] = out[:HEAD].detach().clone()


def _find(model: Any, samples: torch.Tensor) -> dict | None:
    """The ``sample`` call of ``model`` (the one evaluated) that produced ``samples``; None for another model."""
    head = samples[:HEAD]
    for call in reversed(getattr(model, "__dict__", {}).get("_sample_calls", ())):
        h = call["head"]
        if h is not None and h.shape == head.shape and torch.equal(h.to(head.device), head):
            return call
    return None


@torch.no_grad()
def replay(model: Any, call: dict, n: int, labels: torch.Tensor | None, psi: float) -> torch.Tensor:
    """The same evaluation latents' RNG stream and labels, truncated at ``psi``."""
    g = torch.Generator(device=call["device"])
    g.set_state(call["state"])
    if labels is None:
        labels = model.balanced_labels(n)
    with model.sampling():  # the generator sample() used: the EMA's when the model keeps one
        out = [
            model.generate(min(CHUNK, n - s), labels[s : s + CHUNK], g, psi).clamp(-1, 1)
            for s in range(0, n, CHUNK)
        ]
    return torch.cat(out)


def spread(x: torch.Tensor) -> float:
    """Mean per-pixel standard deviation across samples: a cheap diversity proxy."""
    return float(x.float().flatten(1).std(dim=0).mean())


def _other_metrics(ctx: MetricContext, names: list[str]) -> list[MetricSpec]:
    """The families named in ``truncation_metrics``, from the harness (API 1.5), never discovery."""
    return [ctx.metric_families[n] for n in names if n in ctx.metric_families and n != "truncation"]


def compute(ctx: MetricContext) -> Mapping[str, MetricValue]:
    model = ctx.model
    call = _find(model, ctx.samples)
    if call is None:
        return {}
    psis = [float(p) for p in ctx.options.get("truncations", DEFAULT_PSI)]
    others = _other_metrics(ctx, list(ctx.options.get("truncation_metrics", [])))
    n = int(ctx.samples.shape[0])
    out: dict[str, MetricValue] = {}
    for psi in psis:
        x = replay(model, call, n, ctx.labels, psi)
        tag = f"@trunc={psi:g}"
        out[f"spread{tag}"] = MetricValue(spread(x), None, n_samples=n, note="mean per-pixel std over samples")
        for spec in others:
            sub = dataclasses.replace(ctx, samples=x)
            for key, v in spec.compute(sub).items():
                out[f"{key}{tag}"] = v if isinstance(v, MetricValue) else MetricValue(float(v))
    return out


METRIC = MetricSpec(
    name="truncation",
    compute=compute,
    applies_to=lambda ds: ds.kind == "image",
    description="BigGAN truncation sweep: sample spread (and optionally IS/FID via truncation_metrics) per psi",
    final_only=True,
    api_version="1.5",
)
