"""The public plugin contract: everything a plugin author imports from ganbench.

A plugin returns :class:`ModelSpec` objects from the ``ganbench_models`` hook. The harness owns the
training loop, the budget, the seeds, the clock and the metrics; a model only has to turn one batch
of real data into one generator update (``train_step``) and to draw samples (``sample``). That split
is what makes every model measured the same way.

The contract is versioned (:data:`API_VERSION`); a spec declares the version it was written for and
the harness refuses, with a clear message, a spec whose major version differs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import pluggy
import torch

from ganbench.contract.budget import TrainingBudget, TrainingProgress, lr_factor, set_lr
from ganbench.contract.latents import Encoding, LatentCode, StructuredCodes, can_encode, has_codes
from ganbench.data import check_params, default_root
from ganbench.record.sinks import Sink, SinkContext, SinkEvent, SinkSpec  # tracker sinks (hook ganbench_sinks)
from ganbench.train.ema import EMA

if TYPE_CHECKING:
    from ganbench.contract.translation import (
        TranslationBatch,
        TranslationDataset,
        TranslationEval,
        TranslationModel,
    )
    from ganbench.metrics.extractors import Extractor
    from ganbench.metrics.refstats import RefStats

API_VERSION = "1.4"
"""1.1 added ``BuildContext.progress`` (budget and progress, for LR schedules), :class:`EMA`,
:func:`lr_factor` and :func:`set_lr`, the optional model capabilities :class:`Encoding` and
:class:`StructuredCodes` (:class:`LatentCode`), and ``MetricContext.model``/``figures`` (metrics of
a capability, report figures); a 1.0 plugin runs unchanged. A spec that targets a newer
minor version than this ganbench provides is refused (it may use what is not here yet).
1.2 added image-to-image translation: ``Capabilities.task`` (``"generate"`` | ``"translate"``),
``paired``/``bidirectional``/``domains``, ``BuildContext.domains``, ``DatasetSpec.task``,
``MetricContext.translation`` and the types of :mod:`ganbench.contract.translation` (docs/image-to-image.md);
every new field has a default that keeps an earlier 1.x plugin working unchanged.
1.4 added token sequences: the data kind ``"sequence"`` (``Dataset.data`` a LongTensor ``(N, length)``
of token ids in ``[0, vocab_size)``, ``sample`` returns the same), ``DatasetInfo.vocab_size`` and
``BuildContext.vocab_size`` (None for other kinds); see docs/sequences.md."""

hookimpl = pluggy.HookimplMarker("ganbench")
"""Marks a plugin's hook implementations (``@hookimpl def ganbench_models(): ...``)."""

DATA_KINDS = ("vector", "image", "sequence")
"""``sequence``: (API 1.4) token ids ``(N, length)``, int64, in ``[0, vocab_size)``."""


@dataclass(frozen=True)
class Capabilities:
    """What a model can be trained on; the harness skips (with a reason) runs a model cannot do."""

    data_kinds: tuple[str, ...] = ("vector",)
    conditional: bool = False
    """The model uses class labels (they are passed to ``train_step`` and ``sample``)."""
    packing: bool = True
    """The model builds D for ``ctx.pack`` concatenated samples (PacGAN)."""
    min_resolution: int | None = None
    max_resolution: int | None = None
    compile_safe: bool = False
    """``train_step`` has static shapes and no host sync inside; the harness may capture it with
    ``torch.compile`` (CUDA graphs on a GPU) when the suite asks for ``compile: true``."""
    task: str = "generate"
    """(API 1.2) ``"generate"``: ``sample`` from noise; ``"translate"``: an image-to-image model
    (``train_step(batch)`` and ``translate``, see :class:`TranslationModel`), run only on
    translation datasets."""
    paired: bool = False
    """(translate) trains on aligned pairs (pix2pix); only such models are ever handed pairs."""
    bidirectional: bool = False
    """(translate) ``translate`` also maps back to the source domain; the cycle error is measured."""
    domains: int | None = None
    """(translate) the number of domains the model translates between; None = any (StarGAN)."""

    def describe(self) -> str:
        parts = ["/".join(self.data_kinds)]
        if self.task != "generate":
            parts.append(f"{self.task} ({'paired' if self.paired else 'unpaired'}, "
                         f"{self.domains or 'any number of'} domains{', both ways' if self.bidirectional else ''})")
        if self.conditional:
            parts.append("conditional")
        if self.packing:
            parts.append("packing")
        if self.min_resolution or self.max_resolution:
            parts.append(f"res {self.min_resolution or '?'}-{self.max_resolution or '?'}")
        return ", ".join(parts)


@dataclass(frozen=True)
class BuildContext:
    """Everything a plugin may use to build a model, and nothing global.

    ``data_shape`` is the shape of one sample: ``(features,)`` for vector data, ``(C, H, W)`` for
    images. ``pack`` is the PacGAN packing degree: D must accept ``pack * data_shape[0]``
    channels/features; use :func:`pack` to fold a batch before D.

    ``progress`` (API 1.1) is the run's :class:`TrainingProgress`: its budget and, updated by the
    harness before every ``train_step``, the steps, kimg and budget fraction so far. Schedules read
    it (``set_lr(opt, lr, lr_factor("linear", ctx.progress))``) instead of hard-coding a step count,
    so they follow whatever budget the suite sets, and a resumed run continues them exactly.
    """

    data_shape: tuple[int, ...]
    data_kind: str
    num_classes: int | None
    pack: int
    device: torch.device
    seed: int
    batch_size: int
    hparams: Mapping[str, Any] = field(default_factory=dict)
    progress: TrainingProgress = field(default_factory=TrainingProgress)
    domains: tuple[str, ...] = ()
    """(API 1.2) A translation dataset's domain names, index = domain label; () otherwise."""
    vocab_size: int | None = None
    """(API 1.4) Sequence data: the number of tokens (ids lie in ``[0, vocab_size)``); None otherwise."""

    @classmethod
    def for_tests(
        cls,
        data_shape: tuple[int, ...] = (2,),
        *,
        data_kind: str | None = None,
        num_classes: int | None = None,
        pack: int = 1,
        device: torch.device | str = "cpu",
        seed: int = 0,
        batch_size: int = 64,
        hparams: Mapping[str, Any] | None = None,
        budget: TrainingBudget | None = None,
        vocab_size: int | None = None,
    ) -> BuildContext:
        """A context for building a model outside the harness, in a plugin's own unit tests.

        Defaults are a 2-D vector dataset (the MoG ring), no labels, no packing, CPU, seed 0,
        batch 64. ``data_kind`` defaults to ``"image"`` for 3-D shapes, else ``"vector"``::

            ctx = BuildContext.for_tests((1, 28, 28), num_classes=10, pack=2)
            model = my_spec.build(ctx)
            real = torch.randn(ctx.batch_size * ctx.pack, *ctx.data_shape)
            losses = model.train_step(real, None)
        """
        kind = data_kind or ("image" if len(data_shape) == 3 else "vector")
        if kind not in DATA_KINDS:
            raise ValueError(f"data_kind {kind!r} is not one of {', '.join(DATA_KINDS)}")
        if kind == "sequence" and not vocab_size:
            raise ValueError("data_kind 'sequence' needs vocab_size (the number of tokens)")
        return cls(tuple(data_shape), kind, num_classes, pack, torch.device(device), seed, batch_size,
                   dict(hparams or {}), TrainingProgress(budget), vocab_size=vocab_size)

    def hp(self, name: str, default: Any) -> Any:
        """A hyperparameter from the suite, or the plugin's default."""
        return self.hparams.get(name, default)

    def rng(self, purpose: str = "latents") -> torch.Generator:
        """A generator on the run's device seeded from the run's seed and ``purpose``.

        Drawing latents from it (instead of torch's global RNG) makes a model's random stream its
        own: the harness can then train several seeds side by side (vectorised replicas) with each
        seed's own latents, data order and initial weights. Batched kernels round differently, so a
        replica's results are statistically the same as its solo run's, not bit-identical.
        """
        digest = hashlib.sha256(f"{self.seed}:{purpose}".encode()).digest()
        return torch.Generator(device=self.device).manual_seed(int.from_bytes(digest[:8], "little") >> 1)

    @property
    def d_input_shape(self) -> tuple[int, ...]:
        """The shape one packed discriminator input has."""
        return (self.pack * self.data_shape[0], *self.data_shape[1:])


@runtime_checkable
class GANModel(Protocol):
    """What ``ModelSpec.build`` returns.

    ``train_step`` performs one generator update, including the discriminator updates that precede
    it. It receives ``real`` with ``d_steps_per_g_step * batch_size * pack`` samples (the harness
    reads the optional attribute ``d_steps_per_g_step``, default 1) and returns scalar losses.
    ``sample`` returns ``n`` samples of ``data_shape``; images in [-1, 1].

    ``state_dict()`` is what checkpoints save (resume after a crash): it must hold everything the
    rest of training depends on (networks, optimizers, and the ``get_state()`` of any
    ``torch.Generator`` the model draws from, e.g. :meth:`BuildContext.rng`), and only tensors in
    plain containers (dict, list, tuple, str, int, float, bool, None), because checkpoints are
    loaded with ``torch.load(weights_only=True)``, never with full pickle. ``load_state_dict``
    restores it into a freshly built model. torch's global RNG is saved by the harness.
    """

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None) -> Mapping[str, float]: ...

    def sample(
        self,
        n: int,
        labels: torch.Tensor | None = None,
        *,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: Mapping[str, Any]) -> Any: ...


@runtime_checkable
class ReplicaGroup(Protocol):
    """What ``ModelSpec.build_replicas`` returns: N solo models of one spec trained as one batched model.

    ``train_step`` receives ``real`` of shape ``(N, d_steps_per_g_step * batch_size * pack, ...)``
    (replica ``i``'s batch at index ``i``) and returns one loss mapping per replica, in order.
    ``unstack`` writes the trained state back into the N solo models and returns them (the harness
    samples, evaluates and checkpoints those). See docs/vectorized.md.
    """

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None) -> list[Mapping[str, float]]: ...

    def unstack(self) -> list[GANModel]: ...


@dataclass(frozen=True)
class ModelSpec:
    """One benchmarkable model, as a plugin announces it."""

    name: str
    build: Callable[[BuildContext], GANModel]
    version: str = "0"
    description: str = ""
    paper: str = ""
    capabilities: Capabilities = field(default_factory=Capabilities)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    """Default hyperparameters, shown in reports; suite ``hparams`` override them."""
    hyperparameters: Mapping[str, str] = field(default_factory=dict)
    """(API 1.4) Name -> one-line meaning of every hyperparameter ``build`` reads that is not a key
    of ``defaults`` (e.g. ``lr_g``, whose default is ``lr``); listing the ``defaults`` keys here too,
    to document them, is welcome. A suite may set only names in ``defaults`` or here: any other is
    refused when the suite loads, naming the model and the valid names (a misspelled ``lr`` would
    otherwise train with the defaults). The conformance kit fails a model whose ``build`` reads a
    name it does not declare."""
    api_version: str = API_VERSION
    build_replicas: Callable[[list[Any]], ReplicaGroup] | None = None
    """Optional: train N solo models (same hyperparameters, different seeds) as one batched
    model. Receives the N models ``build`` returned and returns a :class:`ReplicaGroup`. See
    docs/vectorized.md."""


def api_compatible(version: str) -> bool:
    """Same major version, and a minor version this ganbench provides (a 1.1 plugin may read
    ``ctx.progress``, which a 1.0 ganbench does not have)."""
    want, have = str(version).split("."), API_VERSION.split(".")
    if want[0] != have[0]:
        return False
    try:
        return int(want[1]) <= int(have[1]) if len(want) > 1 else True
    except ValueError:
        return False


def pack(x: torch.Tensor, m: int) -> torch.Tensor:
    """Fold ``m`` consecutive samples into one discriminator input (PacGAN).

    ``(B*m, C, ...) -> (B, m*C, ...)``: consecutive samples are concatenated along the channel
    (image) or feature (vector) axis, as in Lin et al. 2018.
    """
    if m == 1:
        return x
    if x.shape[0] % m:
        raise ValueError(f"batch of {x.shape[0]} samples cannot be packed by {m}")
    b = x.shape[0] // m
    return x.reshape(b, m * x.shape[1], *x.shape[2:])


def pack_labels(labels: torch.Tensor | None, m: int) -> torch.Tensor | None:
    """Labels of packed inputs: the first label of each pack (for conditional packed D)."""
    if labels is None or m == 1:
        return labels
    return labels.reshape(-1, m)[:, 0]


# --------------------------------------------------------------------------------------------
# Datasets (hook ``ganbench_datasets``)
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class DatasetInfo(Mapping[str, Any]):
    """What metrics and the report need to know about a loaded dataset, typed.

    Read it as attributes (``info.centers``). For code written against the earlier untyped dict it
    also reads as a read-only mapping: ``info["centers"]``, ``info.get("evaluator")`` and
    ``"std" in info`` see every field that is set (not None) and every key of ``extra``.
    """

    centers: torch.Tensor | None = None
    """Mixture-of-Gaussians mode centres, ``(modes, features)`` (the mode-coverage metric)."""
    std: float | None = None
    """Standard deviation of each mixture component."""
    modes: int | None = None
    """Number of modes the dataset has."""
    evaluator: str | None = None
    """Tag of the classifier that scores this data: ``mnist``, ``fashion-mnist``, ``inception``."""
    classes: tuple[str, ...] | None = None
    """Class names, index = label."""
    resolution: int | None = None
    digit_channels: int | None = None
    """Stacked MNIST: how many digit channels one image holds (1 or 3)."""
    vocab_size: int | None = None
    """(API 1.4) Sequence data: the number of tokens; ids lie in ``[0, vocab_size)``."""
    params: Mapping[str, Any] = field(default_factory=dict)
    """The provider's parameters after defaults (``check_params``)."""
    root: str | Path | None = None
    """The data root the files were read from (evaluators live there too)."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Anything else a provider wants its own metrics to see."""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> DatasetInfo:
        """Known keys become fields, the rest goes to ``extra`` (providers written for the dict)."""
        names = {f.name for f in fields(cls)} - {"extra"}
        known = {k: v for k, v in values.items() if k in names}
        if isinstance(known.get("classes"), list):
            known["classes"] = tuple(known["classes"])
        extra = {k: v for k, v in values.items() if k not in names and k != "extra"}
        return cls(**known, extra={**dict(values.get("extra") or {}), **extra})

    def _items(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        return {**{k: v for k, v in out.items() if v is not None}, **self.extra}

    def __getitem__(self, key: str) -> Any:
        return self._items()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())


@dataclass
class Dataset:
    """A loaded dataset, held in memory on the run's device.

    Small benchmark datasets fit on any device, so the harness indexes this tensor directly:
    no DataLoader workers, no per-batch host-to-device copies. Images are scaled to [-1, 1].
    ``info`` carries what metrics need (e.g. the MoG ``centers`` and ``std``) as a
    :class:`DatasetInfo`; a plain dict is accepted and converted.
    """

    name: str
    kind: str
    data: torch.Tensor
    labels: torch.Tensor | None = None
    num_classes: int | None = None
    info: DatasetInfo = field(default_factory=DatasetInfo)

    def __post_init__(self) -> None:
        if not isinstance(self.info, DatasetInfo):
            self.info = DatasetInfo.from_mapping(self.info)

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(self.data.shape[1:])

    def __len__(self) -> int:
        return int(self.data.shape[0])


@dataclass(frozen=True)
class DatasetRequest:
    """What the harness asks a dataset provider for."""

    params: Mapping[str, Any]
    root: Path
    device: torch.device
    seed: int = 0
    download: bool = True


@dataclass(frozen=True)
class Requirement:
    """Something a run needs before it can start (a dataset file, evaluator weights), reported by
    a dataset's or metric's ``requirements`` hook so the preflight can list everything missing at
    once, before anything trains.

    ``present``: it is there. ``download``: a URL it would be fetched from when missing (the
    preflight checks the host is reachable). ``fix``: what the user runs or sets to get it.
    """

    what: str
    path: Path | None
    present: bool
    fix: str = ""
    download: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset provider. ``files(root)`` lists the files it needs, for ``ganbench datasets``;
    ``prepare(root)`` fetches or builds them (``ganbench data prepare NAME``)."""

    name: str
    kind: str
    load: Callable[[DatasetRequest], Dataset]
    description: str = ""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    files: Callable[[Path], list[Path]] | None = None
    prepare: Callable[[Path], Any] | None = None
    default_metrics: tuple[str, ...] = ()
    check_params: Callable[[Mapping[str, Any]], Any] | None = None
    """Validate a suite's ``params`` for this dataset without loading anything (raise
    ``ValueError`` naming the parameter); called when the suite loads. Without it, names not in
    ``defaults`` are refused."""
    requirements: Callable[[Path, Mapping[str, Any]], list[Requirement]] | None = None
    """What a run on this dataset needs on disk beyond ``files(root)`` (checked by the preflight
    before anything trains). Without it the preflight checks ``files(root)``."""
    version: str = "0"
    """The provider's version, recorded with every run (bump it when the data a run sees changes)."""
    api_version: str = API_VERSION
    """The plugin API this provider was written for; another major version is refused."""
    task: str = "generate"
    """(API 1.2) ``"translate"`` for a :class:`TranslationDataset` provider: the suite matrix pairs
    it only with translation models; its params name its ``domains`` (a list) and ``paired``."""


# --------------------------------------------------------------------------------------------
# Metrics (hook ``ganbench_metrics``)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricValue:
    """One number with what is needed to never misread it.

    ``direction`` is ``"higher"`` or ``"lower"`` (which way is better; used by reports and
    ``ganbench check``); ``extractor`` names the feature network (``inception-v3``,
    ``ganbench-mnist-cnn``) so numbers from different extractors are never compared.
    """

    value: float
    direction: str | None = None
    extractor: str | None = None
    n_samples: int | None = None
    n_real: int | None = None
    note: str | None = None


@dataclass
class MetricContext:
    """What a metric gets at an evaluation point."""

    dataset: Dataset
    samples: torch.Tensor
    """Generated samples on the device (``n_samples`` of them)."""
    labels: torch.Tensor | None
    """The labels the samples were conditioned on (conditional models) or None."""
    device: torch.device
    cache_dir: Path
    options: Mapping[str, Any] = field(default_factory=dict)
    """The suite's ``eval.options`` (e.g. sample counts, extractor paths)."""
    final: bool = False
    translation: TranslationEval | None = None
    """(API 1.2) For translation models: the inputs, translations, ground truth and cycle
    reconstructions of this evaluation (``samples`` are the translations); None otherwise."""
    model: Any = None
    """The model being evaluated (API 1.1), for metrics of an optional capability
    (:class:`Encoding`: ``encode``/``generate``; :class:`StructuredCodes`: InfoGAN's codes). Check
    with :func:`can_encode` / :func:`has_codes`; a metric must not train it. None outside a run."""
    figures: dict[str, Any] = field(default_factory=dict)
    """Image grids to show in the report (API 1.1): at the final evaluation a metric may add
    ``{title: (rows, cols, C, H, W) array in [-1, 1]}``; the harness stores them with the run and
    the report draws them under "Model figures" (ganbench/contract/figures.py)."""


@dataclass(frozen=True)
class MetricSpec:
    """A metric family. ``compute`` returns ``{key: MetricValue}`` (several keys per family,
    e.g. ``modes`` and ``hq_share``); ``applies_to`` says whether it fits a dataset."""

    name: str
    compute: Callable[[MetricContext], Mapping[str, MetricValue]]
    applies_to: Callable[[Dataset], bool] = lambda ds: True
    description: str = ""
    final_only: bool = False
    """Costly metrics (e.g. 50k-sample FID) run only at the final evaluation."""
    requirements: Callable[[DatasetSpec, Path, Mapping[str, Any]], list[Requirement]] | None = None
    """Files this metric needs for runs on a dataset (feature-extractor weights, an evaluator),
    given the dataset's spec, the data root and the suite's ``eval.options``; the preflight checks
    them before the first step. Return ``[]`` for datasets the metric does not apply to."""
    version: str = "0"
    """The metric's version, recorded with every run (bump it when its numbers change meaning)."""
    api_version: str = API_VERSION
    """The plugin API this metric was written for; another major version is refused."""


# --------------------------------------------------------------------------------------------
# For metric plugins: the feature networks and cached reference statistics ganbench's FID uses
# --------------------------------------------------------------------------------------------


def feature_extractor(dataset: Dataset, device: torch.device | str = "cpu",
                      options: Mapping[str, Any] | None = None) -> Extractor:
    """The feature network ganbench's own FID/KID use for ``dataset``: its trained classifier
    (``info.evaluator`` ``mnist``/``fashion-mnist``) or Inception-v3 for natural images.

    ``options`` are the suite's ``eval.options`` (``inception_weights``, ``fidelity_extractor``).
    Loaded once per process. Its ``name`` belongs in every :class:`MetricValue` you return
    (``extractor=``), so numbers from different networks are never compared.
    """
    from ganbench.metrics.fidelity import choose_extractor

    return choose_extractor(dataset, torch.device(device), options or {})


def image_features(extractor: Extractor, images: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """Features of ``images`` (``(N, C, H, W)`` in [-1, 1], as models sample them), quantised to
    uint8 exactly as ganbench's FID does, computed batch by batch on the extractor's device."""
    from ganbench.metrics.fidelity import check_images, to_uint8

    check_images(images, "images")
    return extractor.extract(to_uint8(images, extractor.channels, "images"), batch_size)[0]


def reference_statistics(ctx: MetricContext, extractor: Extractor, n: int = 10_000,
                         n_features: int = 10_000, batch_size: int = 256) -> RefStats:
    """Mean, covariance and the first ``n_features`` features of ``n`` real images of the dataset
    (a fixed-seed random subset, the same for every run), cached under ``ctx.cache_dir``."""
    from ganbench.metrics.refstats import reference_stats

    ds = ctx.dataset

    def features_of(idx: torch.Tensor) -> torch.Tensor:
        return torch.cat([image_features(extractor, ds.data[idx[i : i + 10_000].to(ds.data.device)], batch_size).cpu()
                          for i in range(0, idx.shape[0], 10_000)])

    stats, _cached = reference_stats(ctx.cache_dir, ds, extractor.name, extractor.weights_id, n, n_features,
                                     features_of)
    return stats


_TRANSLATION_NAMES = ("TranslationBatch", "TranslationDataset", "TranslationEval", "TranslationModel")


def __getattr__(name: str) -> Any:
    """The translation types (API 1.2) live in :mod:`ganbench.contract.translation`, which subclasses
    :class:`Dataset`; they are re-exported here lazily so that both import orders work."""
    if name in _TRANSLATION_NAMES:
        from ganbench.contract import translation

        return getattr(translation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Sink",
    "SinkContext",
    "SinkEvent",
    "SinkSpec",
    "TranslationBatch",
    "TranslationDataset",
    "TranslationEval",
    "TranslationModel",
    "EMA",
    "TrainingBudget",
    "TrainingProgress",
    "lr_factor",
    "set_lr",
    "Dataset",
    "DatasetRequest",
    "DatasetSpec",
    "Requirement",
    "MetricContext",
    "MetricSpec",
    "MetricValue",
    "API_VERSION",
    "BuildContext",
    "Capabilities",
    "GANModel",
    "ModelSpec",
    "api_compatible",
    "pack",
    "pack_labels",
    "hookimpl",
    "check_params",
    "default_root",
    "DatasetInfo",
    "ReplicaGroup",
    "feature_extractor",
    "image_features",
    "reference_statistics",
    "Encoding",
    "LatentCode",
    "StructuredCodes",
    "can_encode",
    "has_codes",
]
