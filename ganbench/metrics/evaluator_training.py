"""Training the MNIST-family evaluators, once per data root (``ganbench data prepare``).

Why apart from :mod:`ganbench.metrics.evaluator`: training reads the dataset's files through
data/ (:func:`ganbench.data.mnist.load_split`), while data/ never imports metrics/; loading a
trained evaluator needs none of this. ``ganbench data prepare NAME`` fetches the dataset's files
(its provider's ``prepare``), then trains the evaluator it is scored with here
(:func:`prepare_evaluator`).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from ganbench.metrics.evaluator import (
    FORMAT_VERSION,
    EvaluatorMissing,
    MnistEvaluator,
    _atomic_save,
    evaluator_path,
    load_evaluator,
    spec_for,
    weights_hash,
)

log = logging.getLogger("ganbench.metrics.evaluator")

TRAIN_SEED = 20160601
BATCH = 128
LR = 2e-3

EVALUATOR_OF = {"mnist": "mnist", "stacked-mnist": "mnist", "fashion-mnist": "fashion-mnist", "mnist-translate": "mnist"}
"""The evaluator each built-in dataset is scored with, trained by ``ganbench data prepare DATASET``."""


def train_evaluator(root: Path, device: torch.device | str = "cpu", progress: bool = True,
                    dataset: str = "mnist") -> MnistEvaluator:
    """Train the evaluator of ``dataset`` from a fixed seed on its training set and save it atomically.

    Raises if the test accuracy ends below the spec's minimum (99 % MNIST, 90 % Fashion-MNIST),
    so a bad evaluator never reaches a report.
    """
    from ganbench.data.mnist import load_split

    spec = spec_for(dataset)
    device = torch.device(device)
    root = Path(root).expanduser()
    xtr, ytr = load_split(root, dataset, "train")
    xte, yte = load_split(root, dataset, "test")
    to_x = lambda u8: u8.unsqueeze(1).float().div(127.5).sub(1.0).to(device)  # noqa: E731
    xtr, xte, ytr, yte = to_x(xtr), to_x(xte), ytr.to(device), yte.to(device)

    torch.manual_seed(TRAIN_SEED)
    g = torch.Generator().manual_seed(TRAIN_SEED)
    model = MnistEvaluator(batchnorm=spec.batchnorm).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    steps_per_epoch = (xtr.shape[0] + BATCH - 1) // BATCH
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=spec.epochs * steps_per_epoch)
    bar = None
    if progress:  # a bar on a terminal, else a line every 15 s: minutes of training are never silent
        from ganbench.util.work_progress import WorkProgress

        bar = WorkProgress(f"training the {spec.name} evaluator ({spec.epochs} epochs, once per data root)",
                           spec.epochs * steps_per_epoch, "steps")
    t0 = time.perf_counter()
    try:
        model.train()
        for _ in range(spec.epochs):
            perm = torch.randperm(xtr.shape[0], generator=g).to(device)
            for i in range(0, xtr.shape[0], BATCH):
                idx = perm[i : i + BATCH]
                loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                if bar is not None:
                    bar.advance(1)
    finally:
        if bar is not None:
            bar.close()
    acc = float((model.predict(xte) == yte).float().mean())
    log.info("%s: test accuracy %.2f%% after %.0f s", spec.name, 100 * acc, time.perf_counter() - t0)
    if acc < spec.min_accuracy:
        raise RuntimeError(f"{spec.name} reached only {100 * acc:.2f}% test accuracy (< {100 * spec.min_accuracy:.0f}%)")
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    digest = weights_hash(state)
    _atomic_save({"format": FORMAT_VERSION, "name": spec.name, "state_dict": state,
                  "test_accuracy": acc, "sha256": digest}, evaluator_path(root, dataset))
    return load_evaluator(root, device, dataset)


def ensure_evaluator(root: Path, device: torch.device | str = "cpu", progress: bool = True,
                     dataset: str = "mnist") -> MnistEvaluator:
    """Load the evaluator of ``dataset``, training it first when it does not exist yet."""
    try:
        return load_evaluator(root, device, dataset)
    except EvaluatorMissing:
        return train_evaluator(root, device, progress, dataset)


def prepare_evaluator(dataset: str, root: Path, device: torch.device | str = "cpu", progress: bool = True) -> MnistEvaluator | None:
    """After ``ganbench data prepare DATASET`` fetched its files: the evaluator ``dataset`` is scored
    with, trained when missing; None for datasets scored without one of ours."""
    which = EVALUATOR_OF.get(dataset)
    if which is None:
        return None
    return ensure_evaluator(Path(root), torch.device(device), progress, dataset=which)
