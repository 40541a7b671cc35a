"""What an inference GAN's encoder learned (BiGAN/ALI, VEEGAN).

For a model with :class:`~ganbench.contract.latents.Encoding` (``encode`` and ``generate``):

* ``recon_mse``: mean squared error per value between real samples x and G(E(x)), on a fixed
  subset of the training data (images in [-1, 1]). An adversarially trained encoder is not
  trained to reconstruct pixels, so this measures how far "E inverts G" holds, not image quality.
* ``nn1_accuracy`` (the BiGAN paper's number, Donahue et al. 2017 Table 1: 97.39 % on
  permutation-invariant MNIST): 1-nearest-neighbour classification of the *test* split's images by
  Euclidean distance between encoder features E(x), the labelled gallery being the whole training
  split, as ``jeffdonahue/bigan`` computes ``NNC_e`` (``train_gan.py``: ``nnc_score`` with
  ``metric='euclidean'`` on ``l2distable(E(x))``, which is E(x) itself for a uniform or Gaussian
  z). Datasets whose provider has a test split (the MNIST family) only.
* ``probe_accuracy`` (datasets with labels): ganbench's own measure, not a paper's: a linear
  softmax classifier on standardised E(x), fitted on one fixed subset of the training data and
  scored on another, disjoint one ("how linearly separable are the classes in E(x)").

At the final evaluation the metric leaves a figure for the report: rows of real images, each
followed by its reconstruction G(E(x)).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ganbench.contract import MetricContext, MetricSpec, MetricValue
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.latents import can_encode
from ganbench.contract.versions import API_VERSION

RECON_SAMPLES = 2000
PROBE_TRAIN = 10_000
PROBE_TEST = 5000
PROBE_STEPS = 200
PROBE_L2 = 1e-4
SEED = 20161010
CHUNK = 2000
NN_CHUNK = 256  # 256 x 60,000 float64 distances: 120 MB at a time


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
def nn1_predict(gallery: torch.Tensor, gallery_labels: torch.Tensor, queries: torch.Tensor) -> torch.Tensor:
    """The label of each query's nearest gallery point (Euclidean; the first on ties), in chunks
    so that 10,000 x 60,000 distances never sit in memory at once."""
    g, q = gallery.double().cpu().flatten(1), queries.double().cpu().flatten(1)
    if g.shape[1] != q.shape[1] or len(g) == 0:
        raise ValueError(f"gallery {tuple(g.shape)} and queries {tuple(q.shape)} must be non-empty with equal widths")
    idx = torch.cat([torch.cdist(q[i : i + NN_CHUNK], g).argmin(1)
                     for i in range(0, len(q), NN_CHUNK)])
    return gallery_labels.cpu()[idx]


def _test_split(ds: object) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The held-out split of an MNIST-family dataset trained on its training split, prepared as
    the training data is (range, padding); None for other datasets."""
    info = getattr(ds, "info", {}) or {}
    params = info.get("params") or {}
    if getattr(ds, "name", None) not in ("mnist", "fashion-mnist") or params.get("split", "train") != "train" \
            or not info.get("root"):
        return None
    from pathlib import Path

    from ganbench.data.images import pad_to, to_unit_range
    from ganbench.data.mnist import load_split

    images, labels = load_split(Path(info["root"]), ds.name, "test", download_ok=False)  # type: ignore[attr-defined]
    return pad_to(to_unit_range(images.unsqueeze(1)), int(info.get("resolution") or 28)), labels


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
    test = _test_split(ds) if ds.labels is not None else None
    if test is not None:
        n_gal = min(int(opts.get("nn_train", len(ds))), len(ds))
        n_q = min(int(opts.get("nn_test", len(test[0]))), len(test[0]))
        gal = torch.arange(len(ds)) if n_gal == len(ds) else perm[:n_gal]
        f_gal = _encode(model, ds.data[gal.to(ds.data.device)].float())
        f_q = _encode(model, test[0][:n_q].to(ds.data.device).float())
        pred = nn1_predict(f_gal, ds.labels[gal.to(ds.labels.device)], f_q)
        out["nn1_accuracy"] = MetricValue(
            float((pred == test[1][:n_q]).double().mean()), "higher", None, None, n_q,
            note=f"1-NN (Euclidean on E(x)) of {n_q:,} test images against {n_gal:,} labelled training "
                 "images: the BiGAN paper's Table 1 measure")
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
            note=f"ganbench's own measure (the BiGAN paper's is nn1_accuracy): linear softmax probe on E(x), "
                 f"fitted on {p.n_train} training images (train acc {100 * p.train_accuracy:.1f}%), scored on "
                 f"{p.n_test} other training images")
    figures = getattr(ctx, "figures", None)
    if ctx.final and isinstance(figures, dict) and ds.kind == "image" and n_rec >= 32:
        pairs = torch.stack([x[:32], x_rec[:32]], 0).reshape(2, 4, 8, *x.shape[1:])  # (x|rec, rows, cols, ...)
        figures["reconstructions (odd rows: x, even rows: G(E(x)))"] = pairs.transpose(0, 1).reshape(8, 8, *x.shape[1:])
    return out


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    description = ("Inference GANs: reconstruction error of x -> E(x) -> G(E(x)), the BiGAN paper's 1-NN "
                   "test accuracy on E(x) and ganbench's linear probe (models with encode/generate only)")
    return [MetricSpec("encoder", compute, description=description, version="2", api_version=API_VERSION)]
