"""Datasets in the plugin contract (hook ``ganbench_datasets``): what a provider announces, what
it is asked for, what it returns, and what a run needs on disk before it starts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import torch

from ganbench.contract.versions import UNDECLARED_API_VERSION


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
    api_version: str = UNDECLARED_API_VERSION
    """The plugin API this provider is written against; declare it. Undeclared reads as ``"1.0"``; a
    version newer than the installed API is refused at discovery."""
    task: str = "generate"
    """(API 1.2) ``"translate"`` for a :class:`TranslationDataset` provider: the suite matrix pairs
    it only with translation models; its params name its ``domains`` (a list) and ``paired``."""
