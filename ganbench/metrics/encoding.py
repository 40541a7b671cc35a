"""What an inference GAN's encoder learned (BiGAN/ALI, VEEGAN).

For a model with :class:`~ganbench.latents.Encoding` (``encode`` and ``generate``):

* ``recon_mse``: mean squared error per value between real samples x and G(E(x)), on a fixed
  subset of the training data (images in [-1, 1]). An adversarially trained encoder is not
  trained to reconstruct pixels, so this measures how far "E inverts G" holds, not image quality.
* ``probe_accuracy`` (datasets with labels): a linear softmax classifier on standardised E(x),
  fitted on one fixed subset of the training data and scored on another, disjoint one: the
  BiGAN paper's "how linearly separable are the classes in the learned representation".

At the final evaluation the metric leaves a figure for the report: rows of real images, each
followed by its reconstruction G(E(x)).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ganbench.api import MetricContext, MetricSpec, MetricValue
from ganbench.hookspecs import hookimpl
from ganbench.latents import can_encode

RECON_SAMPLES = 2000
PROBE_TRAIN = 10_000
PROBE_TEST = 5000
PROBE_STEPS = 200
PROBE_L2 = 1e-4
SEED = 20161010
CHUNK = 2000


@dataclass(frozen=True)
class ProbeScore:
    train_accuracy: float
    test_accuracy: float
    n_train: int
    n_test: int


def reconstruction_mse(x: torch.Tensor, x_rec: torch.Tensor) -> float:
    """Mean over samples and values of (x - x_rec)²."""
    if x.shape != x_rec.shape:
        raise ValueError(f"reconstruction has shape {tuple(x_rec.shape)}, the input {tuple(x.shape)}")
    return float((x.float() - x_rec.float()).pow(2).mean())


def linear_probe(f_train: torch.Tensor, y_train: torch.Tensor, f_test: torch.Tensor, y_test: torch.Tensor,
                 n_classes: int, steps: int = PROBE_STEPS, l2: float = PROBE_L2) -> ProbeScore:
    """Multinomial logistic regression (L-BFGS, L2 ``l2``) on features standardised with the
    training set's mean and std; deterministic (zero init, full batch)."""
    f_train, f_test = f_train.double().cpu().flatten(1), f_test.double().cpu().flatten(1)
    y_train, y_test = y_train.long().cpu(), y_test.long().cpu()
    mu, sd = f_train.mean(0), f_train.std(0).clamp_min(1e-8)
    a, b = (f_train - mu) / sd, (f_test - mu) / sd
    w = torch.zeros(a.shape[1], n_classes, dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(n_classes, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, bias], lr=1.0, max_iter=steps, history_size=20, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(a @ w + bias, y_train) + l2 * w.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    with torch.no_grad():
        tr = float(((a @ w + bias).argmax(1) == y_train).double().mean())
        te = float(((b @ w + bias).argmax(1) == y_test).double().mean())
    return ProbeScore(tr, te, len(a), len(b))


@torch.no_grad()
def _encode(model: object, x: torch.Tensor) -> torch.Tensor:
    return torch.cat([model.encode(x[i : i + CHUNK]).detach() for i in range(0, len(x), CHUNK)])  # type: ignore[attr-defined]


@torch.no_grad()
def _reconstruct(model: object, x: torch.Tensor) -> torch.Tensor:
    return torch.cat([model.generate(model.encode(x[i : i + CHUNK])).detach()  # type: ignore[attr-defined]
                      for i in range(0, len(x), CHUNK)])


def compute(ctx: MetricContext) -> dict[str, MetricValue]:
    model = getattr(ctx, "model", None)
    if not can_encode(model):
        return {}  # not an inference GAN: nothing to measure
    ds = ctx.dataset
    opts = ctx.options
    perm = torch.randperm(len(ds), generator=torch.Generator().manual_seed(SEED))
    n_rec = min(int(opts.get("recon_samples", RECON_SAMPLES)), len(ds))
    x = ds.data[perm[:n_rec].to(ds.data.device)].float()
    x_rec = _reconstruct(model, x)
    out = {"recon_mse": MetricValue(reconstruction_mse(x, x_rec), "lower", None, n_rec,
                                    note="mean (x - G(E(x)))^2 per value over real training samples")}
    if ds.labels is not None and ds.num_classes:
        n_tr = min(int(opts.get("probe_train", PROBE_TRAIN)), (2 * len(ds)) // 3)
        n_te = min(int(opts.get("probe_test", PROBE_TEST)), len(ds) - n_tr)
        tr, te = perm[:n_tr], perm[n_tr : n_tr + n_te]
        f_tr = _encode(model, ds.data[tr.to(ds.data.device)].float())
        f_te = _encode(model, ds.data[te.to(ds.data.device)].float())
        p = linear_probe(f_tr, ds.labels[tr.to(ds.labels.device)], f_te, ds.labels[te.to(ds.labels.device)],
                         int(ds.num_classes))
        out["probe_accuracy"] = MetricValue(
            p.test_accuracy, "higher", None, None, p.n_test,
            note=f"linear softmax probe on E(x): fitted on {p.n_train} training images (train acc "
                 f"{100 * p.train_accuracy:.1f}%), scored on {p.n_test} others")
    figures = getattr(ctx, "figures", None)
    if ctx.final and isinstance(figures, dict) and ds.kind == "image" and n_rec >= 32:
        pairs = torch.stack([x[:32], x_rec[:32]], 0).reshape(2, 4, 8, *x.shape[1:])  # (x|rec, rows, cols, ...)
        figures["reconstructions (odd rows: x, even rows: G(E(x)))"] = pairs.transpose(0, 1).reshape(8, 8, *x.shape[1:])
    return out


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    return [
        MetricSpec(
            name="encoder",
            compute=compute,
            description="Inference GANs: reconstruction error of x -> E(x) -> G(E(x)) and linear-probe accuracy "
                        "on E(x) (models with encode/generate only)",
            version="1",
        )
    ]
