"""Conformance checks for translation models (``Capabilities.task == "translate"``).

The generative checks of :mod:`ganbench.testing` call ``sample``; a translation model has
``translate`` instead, so :func:`ganbench.testing.check_model` and ``pytest --ganbench-plugin`` run
these for it. They use the same :class:`~ganbench.testing.Kit` and a small synthetic task with a
known answer: the kit's bright-square images in domain 0, the same images negated in domain 1 (and
mirrored in domain 2 for models of any number of domains), batched by the harness's own
:class:`~ganbench.train.translation.TranslationBatcher`.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from typing import Any

import torch

from ganbench.contract.translation import TASKS, TranslationBatch, TranslationDataset
from ganbench.testing.checks import check_spec
from ganbench.testing.errors import not_applicable
from ganbench.testing.kit import TRANSLATION_REQUIRED, Kit, kit_domains, n_domains
from ganbench.testing.synthetic import image_data, sliced_wasserstein

REQUIRED = TRANSLATION_REQUIRED
N_CONTENTS = 512


def kit_dataset(kit: Kit, seed: int = 0) -> TranslationDataset:
    """Domain 0: the kit's square images; 1: negated; 2: mirrored; further: rolled by i pixels."""
    caps = kit.spec.capabilities
    x, y = image_data(N_CONTENTS + kit.n_eval, kit.shape, seed)
    views = [x, -x, x.flip(-1)] + [x.roll(i, -1) for i in range(3, n_domains(caps))]
    v = torch.stack(views[: n_domains(caps)]).to(kit.device)
    d = v.shape[0]
    train, ev = v[:, :N_CONTENTS].contiguous(), v[:, N_CONTENTS:].contiguous()
    part = None if caps.paired else (torch.arange(N_CONTENTS) % d).to(kit.device)
    return TranslationDataset("kit-translate", "image", train.reshape(d * N_CONTENTS, *kit.shape),
                              y[:N_CONTENTS].repeat(d).to(kit.device), 4,
                              {"extra": {"n_eval": kit.n_eval}},  # type: ignore[arg-type]  # read as a mapping
                              domains=kit_domains(caps), views=train, part=part, eval_views=ev,
                              eval_labels=y[N_CONTENTS:].to(kit.device))


def batches(kit: Kit, model: Any, seed: int = 1) -> Iterator[TranslationBatch]:
    from ganbench.train.translation import TranslationBatcher

    b = TranslationBatcher(kit_dataset(kit), torch.Generator().manual_seed(seed), kit.spec.capabilities.paired)
    k = kit.real_per_step(model)
    while True:
        yield b.next(k)[0]


def step(kit: Kit, model: Any, batch: TranslationBatch, i: int) -> dict[str, float]:
    """One ``train_step(batch)``, its losses checked as the harness checks them."""
    try:
        losses = model.train_step(batch)
    except Exception as exc:
        raise kit.fail(f"train_step raised {type(exc).__name__} at step {i} (batch of {len(batch)}): {exc}") from exc
    return kit.valid_losses(losses, i)


def train(kit: Kit, model: Any, steps: int) -> dict[str, float]:
    losses: dict[str, float] = {}
    it = batches(kit, model)
    for i in range(steps):
        losses = step(kit, model, next(it), i + 1)
    return losses


def translate(kit: Kit, model: Any, n: int = 32, target: int = 1, seed: int = 123) -> torch.Tensor:
    """The first ``n`` held-out inputs (domain 0) translated to ``target``, checked as the harness does."""
    from ganbench.train.translation import TranslationRunError, translate_all

    ds = kit_dataset(kit)
    assert ds.eval_views is not None
    x = ds.eval_views[0, :n]
    dom = torch.full((n,), target, dtype=torch.long, device=x.device)
    try:
        return translate_all(model, x, dom, torch.Generator(device=kit.device).manual_seed(seed), kit.who)
    except TranslationRunError as exc:
        raise kit.fail(str(exc).removeprefix(f"{kit.who}: ")) from exc


def check_t_spec(kit: Kit) -> None:
    """The spec is well formed and its translation capabilities are consistent."""
    check_spec(kit)
    caps = kit.spec.capabilities
    if caps.task not in TASKS:
        raise kit.fail(f"capabilities.task {caps.task!r} is not one of {', '.join(TASKS)}")
    if caps.domains is not None and caps.domains < 2:
        raise kit.fail(f"capabilities.domains must be at least 2 (or None for any number), got {caps.domains}")
    if caps.packing:
        raise kit.fail("a translation model cannot declare packing (capabilities.packing must be False)")


def check_t_shapes(kit: Kit) -> None:
    """``translate`` returns the input's shape, finite, in [-1, 1], before and after training."""
    model = kit.build()
    translate(kit, model, 5)
    train(kit, model, 2)
    x = translate(kit, model, 17)
    if x.device.type != torch.device(kit.device).type:
        raise kit.fail(f"translate() returned a tensor on {x.device}, expected the run's device {kit.device}")


def check_t_determinism(kit: Kit) -> None:
    """Same seed, same data -> same translations after 3 steps; repeated calls agree."""
    outs = []
    for _ in range(2):
        model = kit.build(seed=kit.seed)
        train(kit, model, 3)
        outs.append((translate(kit, model, seed=7), translate(kit, model, seed=7)))
    (a1, a2), (b1, _) = outs
    if not torch.allclose(a1, a2, atol=1e-6):
        raise kit.fail("two translate() calls with equally seeded generators differ: draw noise from `generator`")
    if not torch.allclose(a1, b1, atol=1e-6, rtol=1e-5):
        raise kit.fail(f"same seed, same data, different translations after 3 steps "
                       f"(max diff {float((a1 - b1).abs().max()):.3g}): use only torch's seeded RNG")


def check_t_state_dict(kit: Kit) -> None:
    """``state_dict`` survives ``torch.load(weights_only=True)``; the copy translates and trains alike."""
    a = kit.build(seed=kit.seed)
    train(kit, a, 3)
    buf = io.BytesIO()
    torch.save(a.state_dict(), buf)
    buf.seek(0)
    try:
        state = torch.load(buf, weights_only=True)
    except Exception as exc:
        raise kit.fail(f"state_dict() does not load with torch.load(weights_only=True): {type(exc).__name__}: {exc}") from exc
    b = kit.build(seed=kit.seed + 1000)
    b.load_state_dict(state)
    if not torch.allclose(translate(kit, a), translate(kit, b), atol=1e-5, rtol=1e-4):
        raise kit.fail("after load_state_dict(state_dict()) the copy translates differently: state_dict misses weights")
    batch = next(batches(kit, a, seed=99))
    for m in (a, b):
        torch.manual_seed(4242)
        step(kit, m, batch, 4)
    xa, xb = translate(kit, a), translate(kit, b)
    if not torch.allclose(xa, xb, atol=1e-4, rtol=1e-3):
        raise kit.fail(f"a resumed copy trains differently on the same batch (max diff {float((xa - xb).abs().max()):.3g}): "
                       "include optimiser state, RNG states and buffers (image pools) in state_dict")


def check_t_losses(kit: Kit) -> None:
    """Every ``train_step(batch)`` returns a non-empty dict of finite numbers (10 steps)."""
    kit.notes["losses"] = train(kit, kit.build(), 10)


def check_t_updates(kit: Kit) -> None:
    """One ``train_step`` changes what ``translate`` returns."""
    model = kit.build()
    before = translate(kit, model)
    train(kit, model, 1)
    if torch.equal(before, translate(kit, model)):
        raise kit.fail("one train_step did not change the translations (train_step must update the generator)")


def check_t_domains(kit: Kit) -> None:
    """``translate`` uses ``target_domain``: models of several targets map to each differently."""
    caps = kit.spec.capabilities
    if not caps.bidirectional and n_domains(caps) == 2:
        not_applicable("the model translates in one direction only (capabilities.bidirectional is False)")
    model = kit.build()
    train(kit, model, 2)
    outs = [translate(kit, model, target=t) for t in range(n_domains(caps))]
    if all(torch.equal(outs[0], o) for o in outs[1:]):
        raise kit.fail("translate() returns the same images whatever target_domain says")


def check_t_improves(kit: Kit) -> None:
    """A short run moves translations towards the target domain: the sliced Wasserstein distance
    between translations and real target-domain images shrinks by ``min_improvement`` (the
    distribution an unpaired model is trained to match; L1 to the ground truth is noted too)."""
    model = kit.build()
    ds = kit_dataset(kit)
    assert ds.eval_views is not None
    n = min(kit.n_eval // 2, 256)
    truth, real = ds.eval_views[1, :n], ds.eval_views[1, n : 2 * n]
    x0 = translate(kit, model, n)
    before, l1_before = sliced_wasserstein(x0, real), float((x0 - truth).abs().mean()) / 2
    t0 = time.perf_counter()
    train(kit, model, kit.steps)
    x1 = translate(kit, model, n)
    after, l1_after = sliced_wasserstein(x1, real), float((x1 - truth).abs().mean()) / 2
    kit.notes.update(swd_before=before, swd_after=after, l1_before=l1_before, l1_after=l1_after,
                     train_seconds=time.perf_counter() - t0, train_steps=kit.steps)
    if not after <= (1 - kit.min_improvement) * before:
        raise kit.fail(f"{kit.steps} training steps did not bring translations closer to the target domain: sliced "
                       f"Wasserstein distance {before:.4g} -> {after:.4g} (needs -{kit.min_improvement:.0%}; "
                       f"L1 to the ground truth {l1_before:.4g} -> {l1_after:.4g})")


TRANSLATION_CHECKS: dict[str, Callable[[Kit], None]] = {
    "spec": check_t_spec,
    "shapes": check_t_shapes,
    "determinism": check_t_determinism,
    "state_dict": check_t_state_dict,
    "losses": check_t_losses,
    "updates": check_t_updates,
    "domains": check_t_domains,
    "improves": check_t_improves,
}
"""The checks a translation model gets, in the order they run."""
