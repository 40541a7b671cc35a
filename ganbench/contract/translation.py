"""The image-to-image part of the plugin contract (API 1.2), re-exported by :mod:`ganbench.api`.

A *translation* model (pix2pix, CycleGAN, StarGAN) does not draw samples from noise: it maps an
image of one domain to another domain. It declares ``Capabilities(task="translate")`` and, instead
of ``train_step(real, labels)`` and ``sample(n)``, implements::

    train_step(batch: TranslationBatch) -> Mapping[str, float]
    translate(source, target_domain, *, generator=None) -> Tensor   # images in [-1, 1]

A translation dataset (:class:`TranslationDataset`) holds the same images in several domains
(e.g. MNIST digits and their edge maps), so the harness can hand a paired model aligned pairs, an
unpaired model images of different digits in each domain, and every metric the ground truth of
what a translation should have produced. Generative (API 1.0/1.1) plugins are unaffected: their
``Capabilities.task`` defaults to ``"generate"``, and the suite matrix never pairs a model with a
dataset of the other task.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import torch

from ganbench.contract.data import Dataset

TASKS = ("generate", "translate", "text-to-image")
"""``Capabilities.task`` / ``DatasetSpec.task``: what a model does and what a dataset is for."""


@dataclass(frozen=True)
class TranslationBatch:
    """One training step's data for a translation model.

    ``source`` holds images of the domains in ``source_domain``; ``target`` images of the domains
    in ``target_domain`` (both ``(B, C, H, W)`` in [-1, 1], domains ``(B,)`` int64). When
    ``paired`` is true, ``target[i]`` is ``source[i]``'s content in its target domain (pix2pix);
    otherwise the two are drawn independently from disjoint parts of the data, so a model can
    never learn from a pairing it is not meant to see (CycleGAN, StarGAN). On a two-domain dataset
    the source domain is always 0 and the target domain 1; on more domains sources come from every
    domain and target domains are drawn uniformly among the others.
    """

    source: torch.Tensor
    target: torch.Tensor
    source_domain: torch.Tensor
    target_domain: torch.Tensor
    paired: bool

    def __len__(self) -> int:
        return int(self.source.shape[0])


@dataclass(eq=False)
class TranslationDataset(Dataset):
    """Images in ``len(domains)`` domains, for translation models.

    ``views[d, i]`` is content ``i`` (one MNIST digit, say) rendered in domain ``d``:
    ``(D, N, C, H, W)`` training images in [-1, 1]. ``part[i]``, when set, is the only domain in
    which content ``i`` may be shown to an unpaired model (a fixed split, so domains never share a
    digit image); paired models see every content in every domain. ``eval_views`` and
    ``eval_labels`` are held-out contents (another split) in every domain, with their class
    labels: the harness translates them for the metrics, which read the ground truth from there.
    ``data``/``labels`` (the base :class:`Dataset` fields) are ``views`` flattened, so generic code
    that reads ``data`` keeps working.
    """

    domains: tuple[str, ...] = ()
    views: torch.Tensor | None = None
    part: torch.Tensor | None = None
    eval_views: torch.Tensor | None = None
    eval_labels: torch.Tensor | None = None
    canonical: Mapping[str, Any] = field(default_factory=dict)
    """Optional ``{domain: fn}`` mapping an image of that domain back to a plain digit exactly (an
    inverted digit, a rotated one), so the digit evaluator can read translated images; domains
    without one are read as they are."""

    @property
    def n_domains(self) -> int:
        return len(self.domains)

    @property
    def paired(self) -> bool:
        """Whether the provider allows pairs to be shown (``part`` is None)."""
        return self.part is None


@dataclass
class TranslationEval:
    """What a translation metric gets (``MetricContext.translation``): fixed held-out inputs, what
    the model made of them and what it should have made.

    ``translated`` is also ``MetricContext.samples``. ``reconstructed`` is ``translated`` translated
    back to ``source_domain`` (models with ``Capabilities.bidirectional``), else None.
    ``references[d]`` are real images of domain ``d`` whose contents are disjoint from the inputs
    (the FID reference).
    """

    dataset: TranslationDataset
    source: torch.Tensor
    source_domain: int
    target_domain: torch.Tensor
    translated: torch.Tensor
    truth: torch.Tensor
    content_labels: torch.Tensor | None
    reconstructed: torch.Tensor | None
    references: Mapping[int, torch.Tensor]


@runtime_checkable
class TranslationModel(Protocol):
    """What ``ModelSpec.build`` returns for a model with ``Capabilities(task="translate")``.

    ``train_step`` performs one generator update (and the discriminator updates before it) on one
    :class:`TranslationBatch` of ``batch_size`` sources and returns scalar losses. ``translate``
    maps ``source`` (``(n, C, H, W)``) to the domains ``target_domain`` (``(n,)`` int64) and returns
    images of the same shape in [-1, 1]; a model that draws noise there (pix2pix's dropout) takes
    it from ``generator`` when given. ``state_dict``/``load_state_dict`` as for :class:`GANModel`.
    """

    def train_step(self, batch: TranslationBatch) -> Mapping[str, float]: ...

    def translate(
        self, source: torch.Tensor, target_domain: torch.Tensor, *, generator: torch.Generator | None = None
    ) -> torch.Tensor: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: Mapping[str, Any]) -> Any: ...


def model_fits(caps: Any, task: str, params: Mapping[str, Any]) -> bool:
    """Whether a model with capabilities ``caps`` can train on a dataset of ``task`` with these
    ``params`` (defaults merged in): same task and, for translation, pairs when the model needs
    them and the domain count it translates between. The suite matrix skips the rest."""
    if getattr(caps, "task", "generate") != task:
        return False
    if task != "translate":
        return True
    if caps.paired and not params.get("paired", True):
        return False
    domains = params.get("domains")
    return caps.domains is None or not isinstance(domains, (list, tuple)) or len(domains) == caps.domains


def is_translation(dataset: Dataset) -> bool:
    """Whether ``dataset`` is a translation dataset (translation metrics apply only to those)."""
    return isinstance(dataset, TranslationDataset) and dataset.views is not None


__all__ = [
    "TASKS",
    "TranslationBatch",
    "TranslationDataset",
    "TranslationEval",
    "TranslationModel",
    "is_translation",
    "model_fits",
]
