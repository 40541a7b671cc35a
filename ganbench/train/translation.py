"""How the harness runs a translation model (``Capabilities.task == "translate"``).

:class:`RunLoop` keeps owning the budget, clock, checkpoints and metrics; for a translation model
it asks a :class:`TranslationPath` for three things instead: the batches (:class:`TranslationBatcher`,
pairs only for models that declare ``paired``), the step (``model.train_step(batch)``) and the
evaluation inputs (fixed held-out digits translated by ``model.translate``, handed to metrics as a
:class:`~ganbench.contract.translation.TranslationEval`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from ganbench.contract import Capabilities, Dataset
from ganbench.contract.translation import TranslationBatch, TranslationDataset, TranslationEval

EVAL_CHUNK = 2000
N_ARTIFACT_ROWS = 8
IMAGE_RANGE_TOL = 1e-3


class TranslationRunError(RuntimeError):
    """A model and dataset that cannot run together, or a model that returned bad images."""


class _Stream:
    """Indices of one pool, a fresh permutation per epoch (as :class:`DeviceBatcher` does)."""

    def __init__(self, pool: torch.Tensor):
        self.pool = pool.cpu()
        self.perm = torch.empty(0, dtype=torch.long)
        self.pos = 0

    def take(self, k: int, g: torch.Generator) -> torch.Tensor:
        parts = []
        while k:
            if self.pos >= self.perm.numel():
                self.perm, self.pos = self.pool[torch.randperm(self.pool.numel(), generator=g)], 0
            n = min(k, self.perm.numel() - self.pos)
            parts.append(self.perm[self.pos : self.pos + n])
            self.pos, k = self.pos + n, k - n
        return torch.cat(parts)


class TranslationBatcher:
    """Training batches of a :class:`TranslationDataset` for one model.

    Two domains: sources from domain 0, targets from domain 1. A paired model gets the same
    contents in both; an unpaired model gets contents of domain 0's part and of domain 1's part,
    drawn independently (on a paired dataset the contents are split into parts here, so an
    unpaired model never sees one digit in two domains). More domains: sources from every domain
    (each content in its part for unpaired models), target domains uniform among the others.
    """

    def __init__(self, ds: TranslationDataset, g: torch.Generator, paired: bool):
        assert ds.views is not None
        self.ds, self.g, self.paired = ds, g, paired
        d, n = ds.views.shape[:2]
        self.d, self.n = d, n
        if paired:
            pools = [torch.arange(n) for _ in range(d)]
        else:  # one disjoint part of the contents per domain, the dataset's or (paired data) every d-th
            part = ds.part.cpu() if ds.part is not None else torch.arange(n) % d
            pools = [torch.nonzero(part == k).flatten() for k in range(d)]
        if d == 2:
            self.streams = [_Stream(pools[0])] if paired else [_Stream(pools[0]), _Stream(pools[1])]
        else:  # rows (domain, content) a source may come from, then one stream per target domain
            rows = torch.arange(d * n) if paired else torch.cat([k * n + pools[k] for k in range(d)])
            self.streams = [_Stream(rows)] + ([] if paired else [_Stream(p) for p in pools])

    def next(self, k: int) -> tuple[TranslationBatch, None]:
        views, dev = self.ds.views, self.ds.views.device  # type: ignore[union-attr]
        assert views is not None
        if self.d == 2:
            src = self.streams[0].take(k, self.g)
            tgt = src if self.paired else self.streams[1].take(k, self.g)
            sd, td = torch.zeros(k, dtype=torch.long), torch.ones(k, dtype=torch.long)
        else:
            rows = self.streams[0].take(k, self.g)
            sd, src = rows // self.n, rows % self.n
            td = (sd + torch.randint(1, self.d, (k,), generator=self.g)) % self.d
            if self.paired:
                tgt = src
            else:
                tgt = torch.empty(k, dtype=torch.long)
                for dom in range(self.d):
                    sel = torch.nonzero(td == dom).flatten()
                    if sel.numel():
                        tgt[sel] = self.streams[1 + dom].take(sel.numel(), self.g)
        sd_dev, td_dev = sd.to(dev), td.to(dev)
        batch = TranslationBatch(views[sd_dev, src.to(dev)], views[td_dev, tgt.to(dev)], sd_dev, td_dev, self.paired)
        return batch, None

    def state(self) -> dict:
        return {"streams": [{"perm": s.perm, "pos": s.pos} for s in self.streams], "g": self.g.get_state()}

    def restore(self, state: dict) -> None:
        for s, st in zip(self.streams, state["streams"], strict=True):
            s.perm, s.pos = st["perm"].cpu(), int(st["pos"])
        self.g.set_state(state["g"])


class _StepAdapter:
    """Lets the harness's step runner call ``train_step(batch)`` as it calls ``train_step(real, labels)``."""

    def __init__(self, model: Any):
        self.model = model

    def train_step(self, batch: TranslationBatch, _labels: Any = None) -> Mapping[str, float]:
        return self.model.train_step(batch)  # type: ignore[no-any-return]

    def state_dict(self) -> dict[str, Any]:
        return self.model.state_dict()  # type: ignore[no-any-return]

    def load_state_dict(self, state: Mapping[str, Any]) -> Any:
        return self.model.load_state_dict(state)


def check_pairing(caps: Capabilities, ds: Dataset, who: str) -> TranslationDataset:
    """The dataset must be a translation dataset the model can train on (pairs, domain count)."""
    if not isinstance(ds, TranslationDataset) or ds.views is None:
        raise TranslationRunError(f"{who}: translates images, but dataset {ds.name!r} is not a translation dataset")
    if caps.paired and not ds.paired:
        raise TranslationRunError(f"{who}: trains on aligned pairs, but dataset {ds.name!r} is unpaired (paired: false)")
    if caps.domains is not None and caps.domains != ds.n_domains:
        raise TranslationRunError(
            f"{who}: translates between {caps.domains} domains, dataset {ds.name!r} has {ds.n_domains} ({', '.join(ds.domains)})"
        )
    return ds


def check_translated(x: Any, like: torch.Tensor, who: str) -> torch.Tensor:
    """``translate`` must return a finite tensor of the input's shape in [-1, 1]."""
    if not isinstance(x, torch.Tensor):
        raise TranslationRunError(f"{who}: translate() returned {type(x).__name__}, expected a torch.Tensor")
    if tuple(x.shape) != tuple(like.shape):
        raise TranslationRunError(f"{who}: translate() returned shape {tuple(x.shape)}, expected {tuple(like.shape)}")
    if not torch.isfinite(x).all():
        raise TranslationRunError(f"{who}: translate() returned non-finite values (NaN or inf)")
    lo, hi = float(x.min()), float(x.max())
    if lo < -1 - IMAGE_RANGE_TOL or hi > 1 + IMAGE_RANGE_TOL:
        raise TranslationRunError(f"{who}: translate() returned values in [{lo:.3g}, {hi:.3g}], images must be in [-1, 1]")
    return x.detach()


def translate_all(model: Any, source: torch.Tensor, domain: torch.Tensor, g: torch.Generator, who: str) -> torch.Tensor:
    """``model.translate`` over ``source`` in chunks, without gradients, every chunk checked."""
    out = []
    with torch.no_grad():
        for i in range(0, source.shape[0], EVAL_CHUNK):
            x, d = source[i : i + EVAL_CHUNK], domain[i : i + EVAL_CHUNK]
            try:
                y = model.translate(x, d, generator=g)
            except Exception as exc:
                raise TranslationRunError(f"{who}: translate() raised {type(exc).__name__}: {exc}") from exc
            out.append(check_translated(y, x, who))
    return torch.cat(out)


def eval_inputs(ds: TranslationDataset, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """The fixed evaluation inputs: ``n`` held-out contents in domain 0, each with its target domain
    (domain 1, or domains 1..D-1 in turn), ground truth and digit label."""
    assert ds.eval_views is not None
    n = max(1, min(n, int(ds.info.extra.get("n_eval", n))))
    dev = ds.eval_views.device
    tgt = torch.ones(n, dtype=torch.long, device=dev) if ds.n_domains == 2 else \
        1 + torch.arange(n, device=dev) % (ds.n_domains - 1)
    idx = torch.arange(n, device=dev)
    labels = ds.eval_labels[:n] if ds.eval_labels is not None else None
    return ds.eval_views[0, :n], tgt, ds.eval_views[tgt, idx], labels


def evaluate(model: Any, caps: Capabilities, ds: TranslationDataset, n: int, g: torch.Generator,
             who: str) -> TranslationEval:
    """Translate the evaluation inputs (and back, for bidirectional models)."""
    assert ds.eval_views is not None
    source, tgt, truth, labels = eval_inputs(ds, n)
    translated = translate_all(model, source, tgt, g, who)
    back = translate_all(model, translated, torch.zeros_like(tgt), g, who) if caps.bidirectional else None
    n_in = int(ds.info.extra.get("n_eval", source.shape[0]))
    refs = {int(d): ds.eval_views[int(d), n_in:] for d in torch.unique(tgt).tolist()}
    return TranslationEval(ds, source, 0, tgt, translated, truth, labels, back, refs)


def store_rows(store: Any, run_id: str, ev: TranslationEval) -> None:
    """The first rows of input -> output -> truth (-> cycle) for the report, as float16 arrays."""
    k = N_ARTIFACT_ROWS
    arrays = {"translation_source": ev.source, "translation_output": ev.translated, "translation_truth": ev.truth}
    if ev.reconstructed is not None:
        arrays["translation_cycle"] = ev.reconstructed
    for name, x in arrays.items():
        store.put_array(run_id, name, x[:k].float().cpu().numpy().astype(np.float16))
    store.put_array(run_id, "translation_domains", ev.target_domain[:k].cpu().numpy())


class TranslationPath:
    """The three things :class:`~ganbench.train.loop.RunLoop` does differently for a translation model."""

    required = ("train_step", "translate", "state_dict", "load_state_dict")

    def __init__(self, caps: Capabilities, who: str):
        self.caps, self.who = caps, who

    def batcher(self, ds: Dataset, g: torch.Generator) -> TranslationBatcher:
        return TranslationBatcher(check_pairing(self.caps, ds, self.who), g, self.caps.paired)

    def step_model(self, model: Any) -> _StepAdapter:
        return _StepAdapter(model)

    def evaluate(self, model: Any, ds: Dataset, n: int, g: torch.Generator) -> TranslationEval:
        return evaluate(model, self.caps, check_pairing(self.caps, ds, self.who), n, g, self.who)
