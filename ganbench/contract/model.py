"""Models in the plugin contract (hook ``ganbench_models``): what a model declares it can do, what
it is built with, and the protocol the harness trains it through.

The harness owns the training loop, the budget, the seeds, the clock and the metrics; a model only
has to turn one batch of real data into one generator update (``train_step``) and to draw samples
(``sample``). That split is what makes every model measured the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import torch

from ganbench.contract.training_progress import TrainingBudget, TrainingProgress
from ganbench.contract.versions import UNDECLARED_API_VERSION

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
    api_version: str = UNDECLARED_API_VERSION
    """The plugin API this model is written against (``"1.4"``); declare it. Undeclared reads as
    ``"1.0"``; a version newer than the installed API is refused at discovery."""
    build_replicas: Callable[[list[Any]], ReplicaGroup] | None = None
    """Optional: train N solo models (same hyperparameters, different seeds) as one batched
    model. Receives the N models ``build`` returned and returns a :class:`ReplicaGroup`. See
    docs/vectorized.md."""


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
