"""The ``translation`` metric family: how good an image-to-image translation is, in four numbers.

``translate_fid``    FID of the translated images against real images of the target domain
                     (contents disjoint from the inputs), in the features of the digit evaluator
                     (ganbench-mnist-cnn, not Inception-v3: compare only within ganbench). The note
                     gives the real-vs-real value (the ground truth of the same inputs against the
                     same reference), the floor a perfect translator would reach at this sample size.
``label_preserved``  the digit evaluator's accuracy on the translated images against the input's
                     digit: does the content survive? Its note gives the evaluator's accuracy on
                     the ground truth, the ceiling (thick strokes or edge maps read worse than digits).
``l1``               mean absolute per-pixel difference from the ground truth, in [0, 1] pixel
                     units (the paired task's pix2pix measure; defined for every task here, since
                     every domain is a known transform of the same digit).
``cycle_l1``         mean absolute difference between each input and its translation translated
                     back (CycleGAN's cycle-consistency), for models with ``bidirectional``.

With more than two domains the inputs are translated into domains 1..D-1 in turn; every number
is also given per target domain (``translate_fid/thick``, ...) and the headline is their mean.
Images of domains with an exact inverse (inverted, rotated) are mapped back to plain digits before
the evaluator sees them (``TranslationDataset.canonical``); the cached reference statistics are
keyed on what that transform does (a fingerprint of its output), so a changed transform never
reuses statistics of the old one. Every number uses the dataset's own digit classifier:
``label_preserved`` compares its classes with digit labels, which another extractor's classes
(Inception's ImageNet ones) are not, so ``eval.options.fidelity_extractor`` is refused here.
Per-domain rows count their own translations, not the total.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from ganbench.contract import Dataset, MetricContext, MetricSpec, MetricValue, Requirement
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.translation import TranslationDataset, TranslationEval, is_translation
from ganbench.contract.versions import API_VERSION
from ganbench.metrics.fidelity import choose_extractor, feature_stats, fid_from_stats, to_uint8
from ganbench.metrics.refstats import reference_stats

FAMILY = "translation"
FEATURE_BATCH = 2048


def _canon(ds: TranslationDataset, domain: int, x: torch.Tensor) -> torch.Tensor:
    fn = ds.canonical.get(ds.domains[domain])
    return fn(x) if fn is not None else x


def transform_fingerprint(ds: TranslationDataset, domain: int, like: torch.Tensor) -> str:
    """What the canonical transform of ``domain`` does, as a short hash of its output on a fixed
    probe shaped like the domain's images ("id" without one): part of the reference cache key."""
    fn = ds.canonical.get(ds.domains[domain])
    if fn is None:
        return "id"
    probe = torch.rand((2, *like.shape[1:]), generator=torch.Generator().manual_seed(0)) * 2 - 1
    out = fn(probe.to(like.device)).detach().float().cpu().contiguous()
    return hashlib.sha256(str(tuple(out.shape)).encode() + out.numpy().tobytes()).hexdigest()[:12]


def translation_extractor(ds: Dataset, device: torch.device, options: Mapping[str, Any]) -> Any:
    """The dataset's own digit classifier, whatever the suite's fidelity options say."""
    which = options.get("fidelity_extractor")
    if which not in (None, "auto"):
        raise ValueError(
            f"eval.options.fidelity_extractor: {which!r} cannot score translations; label_preserved compares "
            "the classifier's classes with the inputs' digit labels, so the translation metric always uses the "
            "dataset's own classifier (remove the option)")
    return choose_extractor(ds, device, {k: v for k, v in options.items() if k != "fidelity_extractor"})


def _extract(ext: Any, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    feats, logits = ext.extract(to_uint8(x, ext.channels, "translated images"), FEATURE_BATCH)
    return feats, logits


def domain_scores(ctx: MetricContext, ev: TranslationEval, ext: Any, d: int) -> dict[str, tuple[float, str]]:
    """FID, label accuracy and L1 of the inputs translated into domain ``d``, with notes."""
    ds = ev.dataset
    sel = torch.nonzero(ev.target_domain == d).flatten()
    out_x, truth = ev.translated[sel], ev.truth[sel]
    f_out, logit_out = _extract(ext, _canon(ds, d, out_x))
    f_truth, logit_truth = _extract(ext, _canon(ds, d, truth))
    refs = ev.references[d]
    view = Dataset(f"{ds.name}-{ds.domains[d]}-reference", "image", refs)

    def features_of(idx: torch.Tensor) -> torch.Tensor:
        return _extract(ext, _canon(ds, d, refs[idx.to(refs.device)]))[0].cpu()

    key = f"{ext.name}+canon-{transform_fingerprint(ds, d, refs)}"  # the features depend on the transform too
    ref, _ = reference_stats(ctx.cache_dir, view, key, ext.weights_id, len(view), 1, features_of)
    n = int(sel.numel())
    scores: dict[str, tuple[float, str]] = {"_n": (float(n), "")}
    if n >= 2:
        mu, sigma = feature_stats(f_out)
        mu_t, sigma_t = feature_stats(f_truth)
        floor = fid_from_stats(mu_t, sigma_t, ref.mu, ref.sigma)
        scores["translate_fid"] = (fid_from_stats(mu, sigma, ref.mu, ref.sigma),
                                   f"{n} translated vs {ref.n} real {ds.domains[d]} images (test split, other digits); "
                                   f"real vs real (ground truth) {floor:.3g}")
    if ev.content_labels is not None:
        y = ev.content_labels[sel].to(logit_out.device)
        acc = float((logit_out.argmax(1) == y).float().mean())
        ceiling = float((logit_truth.argmax(1) == y).float().mean())
        scores["label_preserved"] = (acc, f"evaluator accuracy on the ground-truth {ds.domains[d]} images: {ceiling:.4f}")
    l1 = float((out_x - truth).abs().mean()) / 2.0
    scores["l1"] = (l1, "mean |output - ground truth| per pixel, [0, 1] units")
    return scores


def compute_translation(ctx: MetricContext) -> dict[str, MetricValue]:
    """All translation numbers of one evaluation point (nothing when no translation was drawn)."""
    ev: TranslationEval | None = getattr(ctx, "translation", None)
    if ev is None:
        return {}
    ds = ev.dataset
    ext = translation_extractor(ds, ctx.device, ctx.options)
    directions = {"translate_fid": "lower", "label_preserved": "higher", "l1": "lower"}
    targets = sorted(int(d) for d in torch.unique(ev.target_domain).tolist())
    per: dict[int, dict[str, tuple[float, str]]] = {d: domain_scores(ctx, ev, ext, d) for d in targets}
    out: dict[str, MetricValue] = {}
    n = int(ev.translated.shape[0])
    route = f"{ds.domains[ev.source_domain]} -> {', '.join(ds.domains[d] for d in targets)}"
    for key, direction in directions.items():
        have = [d for d in targets if key in per[d]]
        if not have:
            continue
        if len(targets) > 1:
            for d in have:
                value, note = per[d][key]
                n_d = int(per[d]["_n"][0])  # this domain's own translations
                out[f"{key}/{ds.domains[d]}"] = MetricValue(value, direction, ext.name, n_d, None, note)
            mean = sum(per[d][key][0] for d in have) / len(have)
            out[key] = MetricValue(mean, direction, ext.name, n, None, f"{route}: mean over {len(have)} target domains")
        else:
            value, note = per[have[0]][key]
            out[key] = MetricValue(value, direction, ext.name, n, None, f"{route}; {note}")
    if ev.reconstructed is not None:
        cyc = float((ev.reconstructed - ev.source).abs().mean()) / 2.0
        out["cycle_l1"] = MetricValue(cyc, "lower", None, n, None,
                                      f"mean |G_back(G(x)) - x| per pixel, [0, 1] units ({route} and back)")
    return out


def requirements(spec: Any, root: Path, options: Mapping[str, Any]) -> list[Requirement]:
    """The digit evaluator, for translation datasets only."""
    if getattr(spec, "task", "generate") != "translate":
        return []
    from ganbench.data.requirements import _evaluator

    return [_evaluator(Path(root).expanduser(), "mnist")]


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    description = ("image-to-image: FID against the target domain, label preserved (digit evaluator), "
                   "L1 to the ground truth, cycle-consistency L1")
    return [MetricSpec(FAMILY, compute_translation, applies_to=is_translation, requirements=requirements,
                       description=description, version="2", api_version=API_VERSION)]
