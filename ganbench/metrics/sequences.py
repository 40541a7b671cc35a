"""Metrics of token-sequence generators (data kind ``"sequence"``).

* ``nll_oracle``: the oracle's mean per-token negative log-likelihood of the generated sequences
  (Yu et al. 2017, Sec. 4; their ``target_loss``); lower is better, the oracle's own samples
  score its entropy rate (about 5.75 for the released oracle).
* ``bleu``: BLEU-n of each generated sequence against all held-out sequences as references,
  averaged over the samples (the SeqGAN and LeakGAN papers' protocol), computed by nltk's
  ``sentence_bleu`` (with ``SmoothingFunction().method1``, as Texygen does). Options
  (``eval.options``): ``bleu_n`` (list of orders, default ``[2]``; the paper reports BLEU-2 on
  poems), ``bleu_samples`` (how many samples are scored, default 500: nltk scores one sample
  against every reference, which is slow).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from ganbench.contract import Dataset, MetricContext, MetricSpec, MetricValue
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION

DEFAULT_BLEU_N = (2,)
DEFAULT_BLEU_SAMPLES = 500


def has_oracle(ds: Dataset) -> bool:
    return ds.kind == "sequence" and ds.info.extra.get("oracle") is not None


def nll_oracle(ctx: MetricContext) -> Mapping[str, MetricValue]:
    oracle = ctx.dataset.info.extra["oracle"]
    nll = oracle.nll(ctx.samples.to(next(oracle.parameters()).device))
    n = int(nll.numel())
    note = f"oracle {ctx.dataset.info.extra.get('oracle_md5', '?')[:8]}; mean per-token NLL, std over samples {float(nll.std()):.3f}"
    return {"nll_oracle": MetricValue(float(nll.mean()), "lower", n_samples=n, note=note)}


def has_references(ds: Dataset) -> bool:
    return ds.kind == "sequence" and ds.info.extra.get("references") is not None


def bleu_scores(hypotheses: list[list[int]], references: list[list[int]], orders: tuple[int, ...]) -> dict[int, float]:
    """Mean sentence BLEU-n of each hypothesis against all references (nltk, smoothing method 1)."""
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    smooth = SmoothingFunction().method1
    out = {}
    for n in orders:
        weights = tuple([1.0 / n] * n)
        scores = [sentence_bleu(references, h, weights=weights, smoothing_function=smooth) for h in hypotheses]
        out[n] = float(sum(scores) / max(len(scores), 1))
    return out


def bleu(ctx: MetricContext) -> Mapping[str, MetricValue]:
    opts = ctx.options
    orders = tuple(int(n) for n in (opts.get("bleu_n") or DEFAULT_BLEU_N))
    if not orders or any(n < 1 or n > 8 for n in orders):
        raise ValueError(f"eval.options.bleu_n must list orders between 1 and 8, got {list(orders)}")
    k = int(opts.get("bleu_samples") or DEFAULT_BLEU_SAMPLES)
    refs: torch.Tensor = ctx.dataset.info.extra["references"]
    hyps = ctx.samples[:k].cpu().tolist()
    scores = bleu_scores(hyps, refs.cpu().tolist(), orders)
    note = f"nltk sentence_bleu vs all {len(refs)} held-out sequences, smoothing method1, mean over samples"
    return {f"bleu{n}": MetricValue(v, "higher", n_samples=len(hyps), n_real=len(refs), note=note)
            for n, v in scores.items()}


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    nll_text = "NLL-oracle: the oracle LSTM's mean per-token negative log-likelihood of generated sequences (SeqGAN)"
    bleu_text = "BLEU-n (nltk) of generated sequences against all held-out sequences, mean over samples"
    return [
        MetricSpec("nll_oracle", nll_oracle, applies_to=has_oracle, description=nll_text, version="1", api_version=API_VERSION),
        MetricSpec("bleu", bleu, applies_to=has_references, description=bleu_text, version="1", api_version=API_VERSION),
    ]
