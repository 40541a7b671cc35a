"""How well an InfoGAN-style categorical code captures the data's classes (Chen et al. 2016).

For a model with :class:`~ganbench.contract.latents.StructuredCodes`, on digit datasets (the MNIST
evaluator labels the samples):

* ``code_accuracy``: for each value k of the categorical code, ``n`` samples with the code fixed
  at k (noise and the other codes drawn from the prior) are labelled by the MNIST evaluator; each
  value is assigned its majority digit and the accuracy is the share of samples whose digit is
  their value's majority digit. 1.0 means every value draws one digit only; ``code_digits`` says
  how many distinct digits the values map to (10 when the code is a permutation of the classes).
* ``code_accuracy_matched``: the same with the best one-to-one assignment of values to digits
  (Hungarian), the usual "clustering accuracy". The majority rule alone rewards collapse: a
  generator that draws one digit whatever the code scores 1.0 with ``code_digits`` 1 (seen on MNIST
  after 120 steps); matched, it scores about 1/10.
* ``q_accuracy`` (the paper's number, "5 % error" on MNIST): the model's own estimate of the code
  (its network Q) on real labelled images, scored as Chen et al. did, "by matching each category
  in c1 to a digit type": the best one-to-one assignment of categories to labels (Hungarian).
  ``q_accuracy_majority`` gives each category its majority label instead (several categories may
  share one), an upper bound on the paper's number, not the paper's number.

The numbers of labels are read from the dataset (``num_classes``) and the evaluator (its outputs),
never a literal 10.

At the final evaluation the metric leaves the paper's picture (Fig. 2) for the report: one grid
per code, each column one value of the code, the other latents fixed along the row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

from ganbench.contract import Dataset, MetricContext, MetricSpec, MetricValue
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.latents import LatentCode, has_codes
from ganbench.contract.versions import API_VERSION
from ganbench.metrics.evaluator import EVALUATOR_NAME, load_evaluator
from ganbench.metrics.preprocess import quantise
from ganbench.metrics.stacked_modes import _evaluator_root

PER_VALUE = 1000
Q_SAMPLES = 10_000
GRID_ROWS = 8
CONTINUOUS_RANGE = (-2.0, 2.0)  # the paper's Fig. 2 varies each continuous code from -2 to 2
CONTINUOUS_STEPS = 10
SEED = 20160612


@dataclass(frozen=True)
class MajorityScore:
    accuracy: float
    mapping: np.ndarray
    """Majority label of each code value (-1 for a value no sample had)."""
    distinct: int
    matched_accuracy: float
    """The accuracy of the best one-to-one assignment of values to labels (Hungarian): unlike the
    majority rule, a generator that draws one digit for every value cannot score high."""


def majority_accuracy(codes: torch.Tensor, labels: torch.Tensor, n_codes: int, n_labels: int) -> MajorityScore:
    """Assign each code value its majority label; the share of samples whose label is it."""
    codes, labels = codes.long().cpu(), labels.long().cpu()
    if codes.shape != labels.shape or codes.ndim != 1 or codes.numel() == 0:
        raise ValueError(f"codes {tuple(codes.shape)} and labels {tuple(labels.shape)} must be equal, 1-D, non-empty")
    for what, t, k in (("codes", codes, n_codes), ("labels", labels, n_labels)):
        if int(t.min()) < 0 or int(t.max()) >= k:  # would fall into another row's cells of the table
            raise ValueError(f"{what} must lie in [0, {k}), got values in [{int(t.min())}, {int(t.max())}]")
    table = torch.bincount(codes * n_labels + labels, minlength=n_codes * n_labels).reshape(n_codes, n_labels)
    used = table.sum(1) > 0
    mapping = torch.where(used, table.argmax(1), torch.full((n_codes,), -1)).numpy()
    acc = float(table.max(1).values.sum()) / float(table.sum())
    rows, cols = linear_sum_assignment(table.numpy(), maximize=True)
    matched = float(table.numpy()[rows, cols].sum()) / float(table.sum())
    return MajorityScore(acc, mapping, int(len(set(mapping[mapping >= 0].tolist()))), matched)


def _applies(ds: Dataset) -> bool:
    return ds.kind == "image" and ds.info.get("evaluator") == "mnist" and ds.info.get("digit_channels") in (None, 1) \
        and ds.sample_shape[0] == 1


def _categorical(model: object) -> list[LatentCode]:
    return [c for c in model.latent_codes if c.kind == "categorical"]  # type: ignore[attr-defined]


@torch.no_grad()
def _sample(model: object, n: int, codes: Mapping[str, torch.Tensor], seed: int, device: torch.device,
            chunk: int = 2000) -> torch.Tensor:
    g = torch.Generator(device=device).manual_seed(seed)
    out = []
    for i in range(0, n, chunk):
        part = {k: v[i : i + chunk] for k, v in codes.items()}
        out.append(model.sample_codes(min(chunk, n - i), part, generator=g))  # type: ignore[attr-defined]
    return torch.cat(out)


def code_grids(model: object, device: torch.device) -> dict[str, torch.Tensor]:
    """One grid per code, ``(rows, cols, C, H, W)``: a categorical code varies along the columns
    with the noise fixed per row; a continuous code varies over [-2, 2] along the columns with the
    first categorical code fixed to the row index (noise fixed per row)."""
    grids: dict[str, torch.Tensor] = {}
    cats = _categorical(model)
    for code in model.latent_codes:  # type: ignore[attr-defined]
        if code.kind == "categorical":
            rows, values = GRID_ROWS, [torch.full((GRID_ROWS,), k, device=device) for k in range(code.size)]
            cols = [_sample(model, rows, {code.name: v}, SEED, device) for v in values]
            grids[f"{code.name} (categorical, {code.size} values)"] = torch.stack(cols, 1)
        else:
            rows = cats[0].size if cats else GRID_ROWS
            fixed = {cats[0].name: torch.arange(rows, device=device)} if cats else {}
            cols = [_sample(model, rows, {**fixed, code.name: torch.full((rows,), float(v), device=device)}, SEED, device)
                    for v in np.linspace(*CONTINUOUS_RANGE, CONTINUOUS_STEPS)]
            row_text = f"rows: {cats[0].name} = 0..{rows - 1}" if cats else "rows: noise"
            grids[f"{code.name} (continuous, {CONTINUOUS_RANGE[0]:g} to {CONTINUOUS_RANGE[1]:g}; {row_text})"] = \
                torch.stack(cols, 1)
    return grids


def compute(ctx: MetricContext) -> dict[str, MetricValue]:
    model = getattr(ctx, "model", None)
    if not has_codes(model):
        return {}  # a model without latent codes: nothing to measure
    cats = _categorical(model)
    ev = load_evaluator(_evaluator_root(ctx), ctx.device)
    acc_note = f"evaluator acc {100 * ev.test_accuracy:.2f}%"
    per_value = int(ctx.options.get("code_samples_per_value", PER_VALUE))
    # the table needs a column for every label the evaluator can give, and the dataset may have more
    n_labels = max(int(ctx.dataset.num_classes or 0), int(ev.fc2.out_features))
    out: dict[str, MetricValue] = {}
    for code in cats:
        suffix = "" if len(cats) == 1 else f"/{code.name}"
        values = torch.arange(code.size, device=ctx.device).repeat_interleave(per_value)
        x = _sample(model, values.numel(), {code.name: values}, SEED, ctx.device)
        digits = ev.predict_uint8(quantise(x))
        s = majority_accuracy(values, digits, code.size, n_labels)
        mapping = " ".join(f"{k}->{d}" for k, d in enumerate(s.mapping.tolist()))
        out["code_accuracy" + suffix] = MetricValue(
            s.accuracy, "higher", EVALUATOR_NAME, int(values.numel()),
            note=f"{code.name} value -> majority digit: {mapping}; {acc_note}")
        out["code_digits" + suffix] = MetricValue(s.distinct, "higher", EVALUATOR_NAME, int(values.numel()),
                                                  note=f"distinct digits the {code.size} values of {code.name} map to")
        out["code_accuracy_matched" + suffix] = MetricValue(
            s.matched_accuracy, "higher", EVALUATOR_NAME, int(values.numel()),
            note=f"best one-to-one assignment of {code.name}'s values to digits (Hungarian); a collapsed G scores low")
        ds = ctx.dataset
        infer = getattr(model, "infer_codes", None)
        if callable(infer) and ds.labels is not None and ds.num_classes:
            g = torch.Generator().manual_seed(SEED)
            idx = torch.randperm(len(ds), generator=g)[: int(ctx.options.get("code_q_samples", Q_SAMPLES))]
            with torch.no_grad():
                logits = torch.cat([infer(ds.data[i.to(ds.data.device)])[code.name]
                                    for i in idx.split(2000)])
            q = majority_accuracy(logits.argmax(1), ds.labels[idx.to(ds.labels.device)], code.size, ds.num_classes)
            out["q_accuracy" + suffix] = MetricValue(
                q.matched_accuracy, "higher", None, None, int(idx.numel()),
                note=f"argmax Q({code.name}|x) on real labelled images, each category matched to one label "
                     "(Hungarian), as Chen et al. 2016 score it")
            out["q_accuracy_majority" + suffix] = MetricValue(
                q.accuracy, "higher", None, None, int(idx.numel()),
                note=f"argmax Q({code.name}|x), each category -> its majority label (several may share one): "
                     "an upper bound on q_accuracy, not the paper's number")
    figures = getattr(ctx, "figures", None)
    if ctx.final and isinstance(figures, dict):
        figures.update(code_grids(model, ctx.device))
    return out


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    description = ("InfoGAN: accuracy of the categorical code's majority-digit assignment (MNIST evaluator) "
                   "and of Q on real digits; grids varying each code (models with latent codes only)")
    return [MetricSpec("latent-codes", compute, applies_to=_applies, description=description, version="2", api_version=API_VERSION)]
