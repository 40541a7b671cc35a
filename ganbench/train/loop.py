"""One run, from building the plugin's model to its final metrics.

The harness owns the loop: it draws the real batches, counts the budget, runs the clock, checks
every loss and sample the plugin returns, and calls the metrics. A plugin that raises or returns
garbage fails its own run with an error naming it; it never takes the suite down.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.contract import (
    BuildContext,
    Dataset,
    DatasetRequest,
    MetricContext,
    MetricSpec,
    MetricValue,
    ModelSpec,
)
from ganbench.contract.figures import store_figures
from ganbench.contract.training_progress import TrainingBudget, TrainingProgress
from ganbench.data import default_root
from ganbench.plan.matrix import RunSpec
from ganbench.plugins import Registry
from ganbench.record.kept import make_keeper
from ganbench.record.store import MetricRow, Store
from ganbench.train.batches import DeviceBatcher
from ganbench.train.budget import BudgetMeter
from ganbench.train.checkpoint import Checkpointer
from ganbench.train.clock import StepClock, synchronize
from ganbench.train.compiled import TrainStep
from ganbench.train.ema import EMA
from ganbench.train.losses import LossSeries
from ganbench.train.packing import real_per_step
from ganbench.train.seeding import generator, seed_everything
from ganbench.train.translation import TranslationPath, TranslationRunError, store_rows

log = logging.getLogger(__name__)

SAMPLE_CHUNK = 10_000
SAMPLE_CHUNK_IMAGE = 1_000
"""Images per ``sample`` call: G's activations for 10,000 MNIST-sized images at 128 channels are
4 GB per layer, which killed CPU runs of suites/mnist.yaml for memory; 1,000 keeps a GPU busy."""
IMAGE_RANGE_TOL = 1e-3
N_SAMPLE_ARTIFACT_VECTOR = 2500
N_SAMPLE_ARTIFACT_IMAGE = 64
N_SAMPLE_TEXT = 12
"""Sequence runs: generated sequences shown as text (decoded with ``info.extra["itos"]`` when the
dataset has a vocabulary of strings) in the report's run section."""
LOSS_ROWS_PER_WRITE = 200


class RunFailure(RuntimeError):
    """A run that cannot go on; the message names the culprit (plugin, hook, step)."""


@dataclass
class RunOutcome:
    run_id: str
    status: str
    error: str | None = None
    steps: int = 0
    kimg: float = 0.0
    train_seconds: float = 0.0
    final: dict[str, float] = field(default_factory=dict)
    execution: str | None = None  # eager / compiled (...) / vectorized ×N: how the steps ran


ProgressFn = Callable[[float, str], None]


def _who(spec: ModelSpec, plugin: str | None) -> str:
    return f"model {spec.name!r} (plugin {plugin or '?'}, version {spec.version})"


class DatasetCache:
    """Datasets are loaded once per process and shared by all runs that use them."""

    def __init__(self) -> None:
        self._cache: dict[tuple, Dataset] = {}

    def get(self, registry: Registry, run: RunSpec, device: torch.device) -> Dataset:
        key = (run.dataset, repr(sorted(run.dataset_params.items())), str(device), run.data_root)
        if key not in self._cache:
            spec = registry.dataset(run.dataset)
            root = Path(run.data_root).expanduser() if run.data_root else default_root()
            req = DatasetRequest(params={**spec.defaults, **run.dataset_params}, root=root, device=device)
            try:
                self._cache[key] = spec.load(req)
            except Exception as exc:
                raise RunFailure(f"dataset {run.dataset!r}: {exc}") from exc
        return self._cache[key]


def select_metrics(registry: Registry, run: RunSpec, dataset: Dataset) -> list[MetricSpec]:
    """The metric families a run computes (docs/metrics.md, "Which metrics run").

    A suite that lists ``metrics`` gets exactly those (third-party ones included) that apply.
    Otherwise the dataset's ``default_metrics``, else every family that applies *and* comes with
    ganbench or a first-party plugin: an installed third-party metric never joins a benchmark
    nobody asked it into (it costs time, may fail, and changes what a suite measures). Families in
    ``skip_metrics`` never run."""
    skip = set(getattr(run, "skip_metrics", ()) or ())
    if run.metrics is not None:
        return [registry.metrics[m] for m in run.metrics
                if m not in skip and registry.metrics[m].applies_to(dataset)]
    ds_spec = registry.datasets.get(run.dataset)
    if ds_spec is not None and ds_spec.default_metrics:
        return [registry.metrics[m] for m in ds_spec.default_metrics if m in registry.metrics and m not in skip]
    owners = getattr(registry, "metric_owner", {})
    return [m for name, m in registry.metrics.items()
            if name not in skip and _runs_by_default(owners.get(name)) and m.applies_to(dataset)]


def _runs_by_default(owner: Any) -> bool:
    """Built-in and first-party families run unasked, and those of plugins handed to
    ``load_registry(extra_plugins=...)`` by the caller; installed third-party ones only when listed."""
    return owner is None or bool(getattr(owner, "first_party", False)) or getattr(owner, "distribution", "") is None


def check_samples(x: Any, n: int, dataset: Dataset, who: str) -> torch.Tensor:
    """A plugin's samples must have the dataset's shape, be finite, and (images) lie in [-1, 1]."""
    if not isinstance(x, torch.Tensor):
        raise RunFailure(f"{who}: sample() returned {type(x).__name__}, expected a torch.Tensor")
    expected = (n, *dataset.sample_shape)
    if tuple(x.shape) != expected:
        raise RunFailure(f"{who}: sample({n}) returned shape {tuple(x.shape)}, expected {expected}")
    if not torch.isfinite(x).all():
        raise RunFailure(f"{who}: sample() returned non-finite values (NaN or inf)")
    if dataset.kind == "sequence":
        check_tokens(x, dataset, who)
    if dataset.kind == "image":
        lo, hi = float(x.min()), float(x.max())
        if lo < -1 - IMAGE_RANGE_TOL or hi > 1 + IMAGE_RANGE_TOL:
            raise RunFailure(f"{who}: sample() returned values in [{lo:.3g}, {hi:.3g}], images must be in [-1, 1]")
    return x


def check_tokens(x: torch.Tensor, dataset: Dataset, who: str) -> None:
    """Sequence samples are integer token ids below the dataset's vocabulary size."""
    if x.dtype.is_floating_point or x.dtype.is_complex or x.dtype == torch.bool:
        raise RunFailure(f"{who}: sample() returned {x.dtype}, sequences must be integer token ids")
    vocab = dataset.info.vocab_size
    if x.numel() and (int(x.min()) < 0 or (vocab is not None and int(x.max()) >= vocab)):
        raise RunFailure(f"{who}: sample() returned token ids in [{int(x.min())}, {int(x.max())}], "
                         f"the vocabulary is [0, {vocab})")


def draw_samples(
    model: Any, n: int, dataset: Dataset, conditional: bool, seed: int, device: torch.device, who: str,
    stream: str = "eval-latents",
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``n`` samples from fixed latent seeds (so every model is evaluated on the same z),
    with balanced labels for conditional models. ``stream`` names the seed stream: the run's
    ``eval-latents``, or another one for latents no evaluation of the run has seen."""
    g = generator(seed, stream, device)
    labels = None
    if conditional and dataset.labels is not None and dataset.labels.ndim == 2:
        # text-to-image (task "text-to-image"): the captions (token ids) of the first n images, cycled,
        # so a metric can score the real images of the same captions (dataset.data[i % len])
        idx = torch.arange(n, device=dataset.labels.device) % len(dataset)
        labels = dataset.labels[idx].to(device)
    elif conditional and dataset.num_classes:
        labels = torch.arange(n, device=device) % dataset.num_classes
    chunks = []
    with torch.no_grad():
        chunk = SAMPLE_CHUNK_IMAGE if dataset.kind == "image" else SAMPLE_CHUNK
        for start in range(0, n, chunk):
            k = min(chunk, n - start)
            lab = labels[start : start + k] if labels is not None else None
            try:
                out = model.sample(k, lab, generator=g)
            except Exception as exc:
                raise RunFailure(f"{who}: sample() raised {type(exc).__name__}: {exc}") from exc
            chunks.append(check_samples(out, k, dataset, who).detach())
    return torch.cat(chunks), labels


def _sync(device: torch.device) -> None:
    synchronize(device)


class RunLoop:
    """Executes one :class:`RunSpec`, writing its metrics into the store as they come."""

    def __init__(
        self,
        run: RunSpec,
        registry: Registry,
        store: Store,
        *,
        datasets: DatasetCache | None = None,
        progress: ProgressFn | None = None,
        cache_dir: Path | None = None,
        checkpoint: Checkpointer | None = None,
    ):
        self.run = run
        self.registry = registry
        self.checkpoint = checkpoint
        self.store = checkpoint.track(store) if checkpoint else store
        self.datasets = datasets or DatasetCache()
        self.progress = progress or (lambda f, s: None)
        self.cache_dir = cache_dir or default_root() / "cache"
        self.spec = registry.model(run.model)
        owner = registry.model_owner.get(run.model)
        self.plugin = f"{owner.distribution or owner.name} {owner.version or ''}".strip() if owner else None
        self.who = _who(self.spec, self.plugin)
        self.meter: BudgetMeter | None = None
        self.loss_series = LossSeries()
        self._loss_rows: list[MetricRow] = []
        self.step_mode = "eager"  # how train_step ran: eager / compiled (...) / vectorized ×N
        caps = self.spec.capabilities  # image-to-image models: batches, step and evaluation of their own
        self.translation = TranslationPath(caps, self.who) if caps.task == "translate" else None
        self.keeper = make_keeper(run, self.spec.version, self.plugin)  # the suite's keep: final / best / none

    # -- evaluation -----------------------------------------------------------------------
    def evaluate(self, model: Any, meter: BudgetMeter, final: bool) -> dict[str, float]:
        run, ds = self.run, self.dataset
        # eval.options.n_samples_per_dataset lets one suite follow each dataset's protocol
        # (PacGAN: 2,500 samples on MoG, 26,000 on stacked MNIST)
        n = int((run.eval.options.get("n_samples_per_dataset") or {}).get(run.dataset, run.eval.n_samples))
        _sync(self.device)
        t0 = time.perf_counter()
        translated = None
        if self.translation is not None:
            try:
                translated = self.translation.evaluate(model, ds, n, generator(run.seed, "eval-latents", self.device))
            except TranslationRunError as exc:
                raise RunFailure(str(exc)) from exc
            samples, labels = translated.translated, None
        else:
            samples, labels = draw_samples(
                model, n, ds, self.spec.capabilities.conditional, run.seed, self.device, self.who
            )
        _sync(self.device)
        gen_seconds = time.perf_counter() - t0
        values: dict[str, MetricValue] = {}
        figures: dict[str, Any] = {}  # image grids metrics leave for the report (final evaluation)
        for metric in self.metrics:
            if metric.final_only and not final:
                continue
            mctx = MetricContext(
                dataset=ds, samples=samples, labels=labels, device=self.device,
                cache_dir=self.cache_dir, options=run.eval.options, final=final, translation=translated, model=model, figures=figures,
                metric_families=self.registry.metrics,
            )
            try:
                out = metric.compute(mctx)
            except Exception as exc:  # a metric failing is recorded, never a silent number
                log.warning("run %s: metric %s failed: %s", run.run_id, metric.name, exc)
                values[f"{metric.name}.error"] = MetricValue(float("nan"), None, note=f"{type(exc).__name__}: {exc}")
                continue
            for key, v in out.items():
                values[key] = v if isinstance(v, MetricValue) else MetricValue(float(v))
        ema = getattr(model, "ema", None)
        if isinstance(ema, EMA):  # the protocol's "samples from G_ema, decay d" travels with every number
            values["sampler/ema_decay"] = MetricValue(
                ema.decay if ema.kind == "constant" else ema.last_decay, None, note=ema.describe()
            )
        mode = f"mode: {self.step_mode}"  # every throughput number carries how it was measured
        values["gen_samples_per_s"] = MetricValue(n / max(gen_seconds, 1e-9), "higher", n_samples=n, note=mode)
        if final:
            # a translation step consumes a source and a target image per sample of its batch
            per_sample, what = (2, "real images (sources and targets) consumed") if self.translation else \
                (1, "real samples through D")
            values["train_samples_per_s"] = MetricValue(
                per_sample * meter.real_samples / max(meter.seconds, 1e-9), "higher",
                note=f"{mode}; {what} per training second",
            )
            values["train_steps_per_s"] = MetricValue(meter.steps / max(meter.seconds, 1e-9), "higher", note=mode)
            if self.device.type == "cuda":
                values["peak_mem_mb"] = MetricValue(
                    torch.cuda.max_memory_allocated(self.device) / 2**20, "lower", note=mode
                )
            self._store_samples(samples, labels)
            if translated is not None:
                store_rows(self.store, run.run_id, translated)
            try:
                store_figures(self.store, run.run_id, figures)
            except ValueError as exc:  # a metric's malformed figure is recorded, never a crash
                values["figures.error"] = MetricValue(float("nan"), None, note=str(exc))
        if self.keeper is not None:
            self.keeper.after_evaluation(model, values, meter, ds, final)
        rows = [
            MetricRow(
                run.run_id, meter.steps, meter.kimg, meter.seconds, key, float(v.value), v.direction,
                v.extractor, v.n_samples, v.n_real, v.note, final,
            )
            for key, v in values.items()
        ]
        rows, self._loss_rows = self._loss_rows + rows, []  # the loss points so far, in the same write
        self.store.add_metrics(rows)
        return {k: float(v.value) for k, v in values.items()}

    def _store_samples(self, samples: torch.Tensor, labels: torch.Tensor | None) -> None:
        k = N_SAMPLE_ARTIFACT_VECTOR if self.dataset.kind == "vector" else N_SAMPLE_ARTIFACT_IMAGE
        if self.dataset.kind == "sequence":  # token ids, stored exactly; the first few as text for the report
            self.store.put_array(self.run.run_id, "samples", samples[:N_SAMPLE_ARTIFACT_VECTOR].cpu().numpy().astype(np.int32))
            itos = self.dataset.info.extra.get("itos")
            rows = samples[:N_SAMPLE_TEXT].cpu().tolist()
            text = ["".join(str(itos[i]) for i in r) if itos else " ".join(map(str, r)) for r in rows]
            self.store.put_array(self.run.run_id, "sample_text", np.array(text, dtype=str))
            return
        arr = samples[:k].float().cpu().numpy()
        self.store.put_array(self.run.run_id, "samples", arr.astype(np.float16 if arr.ndim > 2 else np.float32))
        if labels is not None and labels.ndim == 1:  # class labels: the report's one-row-per-class grid
            self.store.put_array(self.run.run_id, "sample_labels", labels[:k].cpu().numpy())
        elif labels is not None:  # text-to-image: the captions' token ids, kept beside the samples
            self.store.put_array(self.run.run_id, "sample_captions", labels[:k].cpu().numpy())
        info = self.dataset.info
        if "centers" in info:  # lets the report draw MoG scatter plots from the store alone
            self.store.put_array(self.run.run_id, "mode_centers", np.asarray(info["centers"], dtype=np.float32))
            self.store.put_array(self.run.run_id, "mode_std", np.array([info["std"]], dtype=np.float32))
        skipped = (info.extra or {}).get("skipped") if hasattr(info, "extra") else None
        if skipped:  # files the provider could not use: part of the record, shown in the report
            self.store.put_array(self.run.run_id, "dataset_skipped", np.array([str(s)[:300] for s in skipped]))

    # -- schedule -------------------------------------------------------------------------
    def _eval_due(self, meter: BudgetMeter, next_point: list[int]) -> bool:
        """Intermediate evaluations: every N steps, or at N evenly spaced budget fractions."""
        ev = self.run.eval
        if ev.every:
            return meter.steps % ev.every == 0
        if ev.points and next_point[0] < ev.points and meter.fraction >= next_point[0] / ev.points:
            next_point[0] += 1
            return True
        return False

    # -- the run --------------------------------------------------------------------------
    def prepare(self, device: torch.device) -> tuple[Any, BuildContext]:
        """Seed, load the dataset, pick the metrics and build the plugin's model (checked)."""
        run = self.run
        self.device = device
        seed_everything(run.seed, run.deterministic)
        self.dataset = self.datasets.get(self.registry, run, device)
        ds = self.dataset
        self.metrics = select_metrics(self.registry, run, ds)
        ctx = BuildContext(
            data_shape=ds.sample_shape,
            data_kind=ds.kind,
            num_classes=ds.num_classes,
            pack=run.pack,
            device=device,
            seed=run.seed,
            batch_size=run.batch_size,
            hparams=dict(run.hparams),
            domains=tuple(getattr(ds, "domains", ())),
            vocab_size=ds.info.vocab_size if ds.kind == "sequence" else None,
            progress=TrainingProgress(TrainingBudget(run.budget.kind, float(run.budget.amount))),
        )
        try:
            model = self.spec.build(ctx)
        except Exception as exc:
            raise RunFailure(f"{self.who}: build raised {type(exc).__name__}: {exc}") from exc
        required = self.translation.required if self.translation else ("train_step", "sample", "state_dict", "load_state_dict")
        for attr in required:
            if not callable(getattr(model, attr, None)):
                raise RunFailure(f"{self.who}: built model has no {attr}() method")
        ctx.progress.budget = training_budget(run, real_per_step(ctx, int(getattr(model, "d_steps_per_g_step", 1))))
        self.progress_state = ctx.progress
        return model, ctx

    def advance_progress(self, meter: BudgetMeter) -> None:
        """Tell the model (``ctx.progress``) where the run is, just before its next ``train_step``."""
        self.progress_state.update(step=meter.steps, fraction=meter.fraction, kimg=meter.kimg)

    def execute(self, device: torch.device) -> RunOutcome:
        run = self.run
        model, ctx = self.prepare(device)
        ds = self.dataset
        d_steps = int(getattr(model, "d_steps_per_g_step", 1))
        per_step = real_per_step(ctx, d_steps)
        try:
            batcher = (self.translation.batcher(ds, generator(run.seed, "data-order")) if self.translation
                       else DeviceBatcher(ds, generator(run.seed, "data-order")))
        except TranslationRunError as exc:
            raise RunFailure(str(exc)) from exc
        meter = self.meter = BudgetMeter(run.budget)
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)

        next_point = [1]
        if self.checkpoint:  # resume: model, RNGs, data position, budget, schedule, history
            next_point[0] = self.checkpoint.restore(model, batcher, meter, next_point[0])
        last_losses: Mapping[str, float] = {}
        self.loss_series = LossSeries(start_fraction=meter.fraction)
        step_model = self.translation.step_model(model) if self.translation else model
        train_step = TrainStep(step_model, run.compile, self.spec.capabilities.compile_safe, device)
        clock = StepClock(device)  # synchronises CUDA at both ends of every step
        while not meter.exhausted:
            real, labels = batcher.next(per_step)
            self.advance_progress(meter)
            clock.start()
            try:
                losses = train_step(real, labels if self.spec.capabilities.conditional else None)
            except Exception as exc:
                raise RunFailure(
                    f"{self.who}: train_step raised {type(exc).__name__} at step {meter.steps + 1}: {exc}"
                ) from exc
            meter.add(real_samples=per_step, seconds=clock.stop())
            self.step_mode = train_step.mode
            last_losses = self._check_losses(losses, meter.steps)
            self.record_losses(last_losses)
            if self._eval_due(meter, next_point) and not meter.exhausted:
                self.evaluate(model, meter, final=False)
            if self.checkpoint and not meter.exhausted:
                if self.checkpoint.due(meter.steps):
                    self._flush_losses()  # into the checkpoint's history, so a resume keeps them
                self.checkpoint.maybe_save(model, batcher, meter, next_point[0])
            self.progress(meter.fraction, _loss_text(last_losses))
        _sync(device)
        final = self.evaluate(model, meter, final=True)
        if self.checkpoint:
            self.checkpoint.finish()
        return RunOutcome(run.run_id, "done", None, meter.steps, meter.kimg, meter.seconds, final, self.step_mode)

    def record_losses(self, losses: Mapping[str, float]) -> None:
        """Add one step's (checked) losses to the thinned loss curve; store a point when one is due."""
        meter = self.meter
        assert meter is not None
        point = self.loss_series.add(losses, meter.fraction, meter.exhausted)
        if point:
            note = "train_step loss, mean over the steps since the previous point"
            self._loss_rows += [
                MetricRow(self.run.run_id, meter.steps, meter.kimg, meter.seconds, name, value, None, note=note)
                for name, value in point.items()
            ]
            if len(self._loss_rows) >= LOSS_ROWS_PER_WRITE:  # a few writes per run, not one per point
                self._flush_losses()

    def _flush_losses(self) -> None:
        rows, self._loss_rows = self._loss_rows, []
        self.store.add_metrics(rows)

    def _check_losses(self, losses: Any, step: int) -> Mapping[str, float]:
        if not isinstance(losses, Mapping):
            raise RunFailure(f"{self.who}: train_step returned {type(losses).__name__}, expected a dict of losses")
        for k, v in losses.items():
            try:
                fv = float(v)
            except (TypeError, ValueError):
                raise RunFailure(f"{self.who}: train_step loss {k!r} is not a number: {v!r}") from None
            if not math.isfinite(fv):
                raise RunFailure(f"{self.who}: train_step returned non-finite loss {k}={fv} at step {step}")
        return losses


def training_budget(run: RunSpec, real_per_step: int) -> TrainingBudget:
    """The run's budget as a model sees it, with the generator steps it will take when that is
    known in advance (steps; kimg, from the real samples each step shows D)."""
    kind, amount = run.budget.kind, float(run.budget.amount)
    total: int | None = None
    if kind == "steps":
        total = int(math.ceil(amount))
    elif kind == "kimg":
        total = int(math.ceil(amount * 1000.0 / max(real_per_step, 1)))
    return TrainingBudget(kind, amount, total)


def _loss_text(losses: Mapping[str, float]) -> str:
    return " ".join(f"{k}={float(v):.3f}" for k, v in list(losses.items())[:3])
