"""The kit: one model under test plus the settings every check shares (data, batches, seeding).

The translation task's domain names live here too, so the kit and the translation checks
(:mod:`ganbench.testing.translation_kit`) do not import each other.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from ganbench.contract import BuildContext, Capabilities, ModelSpec
from ganbench.testing.errors import ConformanceError
from ganbench.testing.synthetic import SEQUENCE_LENGTH, SEQUENCE_VOCAB, image_data, sequence_data, vector_data

IMAGE_RANGE_TOL = 1e-3
DEFAULT_IMAGE_RESOLUTION = 16


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run the checks on one CPU thread: the kit's models are tiny, and on a busy machine several
    OpenMP threads spin against each other (measured: 6 s on one thread, 170 s on two, for SNGAN)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)



TRANSLATION_REQUIRED = ("train_step", "translate", "state_dict", "load_state_dict")
"""The methods a translation model must have (``sample`` is replaced by ``translate``)."""


def n_domains(caps: Capabilities) -> int:
    """The domain count the kit's data has: the model's, or 3 for models of any number."""
    return caps.domains if caps.domains is not None else 3


def kit_domains(caps: Capabilities) -> tuple[str, ...]:
    return ("squares", "negated", "mirrored")[: n_domains(caps)] if n_domains(caps) <= 3 else tuple(
        f"domain{i}" for i in range(n_domains(caps)))


@dataclass
class Kit:
    """A model spec and how to exercise it. ``hparams`` override ``spec.defaults`` as a suite would.

    ``train_steps`` is the training length of the ``improves`` check; ``min_improvement`` the
    fraction by which the sliced Wasserstein distance to the data must shrink over it.
    """

    spec: ModelSpec
    data_shape: tuple[int, ...] | None = None
    data_kind: str | None = None
    hparams: Mapping[str, Any] = field(default_factory=dict)
    batch_size: int = 64
    device: str = "cpu"
    seed: int = 0
    train_steps: int | None = None
    min_improvement: float = 0.1
    n_eval: int = 1000
    notes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        caps = self.spec.capabilities
        if self.data_kind is None and self.data_shape is not None and len(tuple(self.data_shape)) == 3:
            self.data_kind = "image"  # (C, H, W) is an image whatever else the model takes, as BuildContext.for_tests infers
        if self.data_kind is None:
            self.data_kind = "vector" if "vector" in caps.data_kinds else (caps.data_kinds or ("vector",))[0]
        if self.data_shape is None:
            self.data_shape = ((2,) if self.data_kind == "vector" else (SEQUENCE_LENGTH,) if self.data_kind == "sequence"
                               else (1, self.resolution, self.resolution))
        self.data_shape = tuple(int(s) for s in self.data_shape)
        if self.train_steps is None:
            self.train_steps = 300 if self.data_kind == "vector" else 150

    @property
    def shape(self) -> tuple[int, ...]:
        """``data_shape`` as resolved in ``__post_init__`` (never None after it)."""
        assert self.data_shape is not None
        return self.data_shape

    @property
    def kind(self) -> str:
        """``data_kind`` as resolved in ``__post_init__``."""
        assert self.data_kind is not None
        return self.data_kind

    @property
    def steps(self) -> int:
        """``train_steps`` as resolved in ``__post_init__``."""
        assert self.train_steps is not None
        return self.train_steps

    @property
    def resolution(self) -> int:
        """The smallest resolution the model accepts, at least 16: image checks stay cheap."""
        caps = self.spec.capabilities
        res = max(DEFAULT_IMAGE_RESOLUTION, caps.min_resolution or 0)
        return min(res, caps.max_resolution) if caps.max_resolution else res

    @property
    def who(self) -> str:
        return f"model {self.spec.name!r} (version {self.spec.version})"

    @property
    def conditional(self) -> bool:
        return self.spec.capabilities.conditional

    @property
    def num_classes(self) -> int | None:
        return (8 if self.data_kind == "vector" else 4) if self.conditional else None

    def fail(self, msg: str) -> ConformanceError:
        return ConformanceError(f"{self.who}: {msg}")

    def context(self, pack: int = 1, seed: int | None = None) -> BuildContext:
        return BuildContext(
            data_shape=self.shape,
            data_kind=self.kind,
            num_classes=self.num_classes,
            pack=pack,
            device=torch.device(self.device),
            seed=self.seed if seed is None else seed,
            batch_size=self.batch_size,
            hparams={**dict(self.spec.defaults), **dict(self.hparams)},
            domains=self.domains,
            vocab_size=SEQUENCE_VOCAB if self.data_kind == "sequence" else None,
        )

    @property
    def translates(self) -> bool:
        """An image-to-image model: it gets the translation checks (:mod:`ganbench.testing.translation_kit`)."""
        return self.spec.capabilities.task == "translate"

    @property
    def domains(self) -> tuple[str, ...]:
        """The domain names of the kit's synthetic translation task; () for generative models."""
        return kit_domains(self.spec.capabilities) if self.translates else ()

    def build(self, pack: int = 1, seed: int | None = None) -> Any:
        """Seed like the harness does (``seed_everything`` before ``build``), then build."""
        from ganbench.contract.hparams import RecordingHparams, declared
        from ganbench.contract.versions import api_at_least
        from ganbench.train.seeding import seed_everything

        ctx = self.context(pack, seed)
        recorder = RecordingHparams(ctx.hparams)
        ctx = dataclasses.replace(ctx, hparams=recorder)
        seed_everything(ctx.seed)
        try:
            model = self.spec.build(ctx)
        except Exception as exc:
            raise self.fail(f"build(ctx) raised {type(exc).__name__}: {exc} (ctx: data_shape={ctx.data_shape}, "
                            f"pack={pack}, hparams={dict(ctx.hparams)})") from exc
        undeclared = sorted(recorder.read - declared(self.spec))
        if undeclared and not api_at_least(str(self.spec.api_version), "1.4"):
            # the rule came with API 1.4: a plugin written against an older API keeps passing
            self.notes["undeclared_hparams"] = (f"build reads {', '.join(undeclared)}, which a suite cannot set "
                                                "(declaring them is required from API 1.4)")
        elif undeclared:  # a suite could not set them, and a misspelling of them would pass unnoticed
            raise self.fail(f"build reads hyper-parameter(s) {', '.join(map(repr, undeclared))} that the spec does "
                            "not declare: add each to ModelSpec.defaults or ModelSpec.hyperparameters "
                            "(name -> meaning), API 1.4")
        for attr in TRANSLATION_REQUIRED if self.translates else ("train_step", "sample", "state_dict", "load_state_dict"):
            if not callable(getattr(model, attr, None)):
                raise self.fail(f"the built model has no {attr}() method")
        return model

    def data(self, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
        if self.data_kind == "vector":
            x, y = vector_data(n, self.shape[0], seed)
        elif self.data_kind == "sequence":
            x, y = sequence_data(n, self.shape[0], SEQUENCE_VOCAB, seed)
        else:
            x, y = image_data(n, self.shape, seed)
        return x.to(self.device), y.to(self.device)

    def real_per_step(self, model: Any, pack: int = 1) -> int:
        return int(getattr(model, "d_steps_per_g_step", 1)) * self.batch_size * pack

    def batches(self, model: Any, pack: int = 1, seed: int = 1) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
        """Endless real batches of the size the harness would pass."""
        k = self.real_per_step(model, pack)
        x, y = self.data(max(4096, 4 * k), seed)
        g = torch.Generator().manual_seed(seed)
        while True:
            perm = torch.randperm(len(x), generator=g)
            for start in range(0, len(x) - k + 1, k):
                idx = perm[start : start + k].to(x.device)
                yield x[idx], (y[idx] if self.conditional else None)

    def step(self, model: Any, real: torch.Tensor, labels: torch.Tensor | None, step: int) -> dict[str, float]:
        try:
            losses = model.train_step(real, labels)
        except Exception as exc:
            raise self.fail(f"train_step raised {type(exc).__name__} at step {step} "
                            f"(real batch {tuple(real.shape)}): {exc}") from exc
        return self.valid_losses(losses, step)

    def valid_losses(self, losses: Any, step: int) -> dict[str, float]:
        """What a ``train_step`` returned, as the harness needs it: a non-empty dict of finite numbers
        (generative and translation models alike)."""
        if not isinstance(losses, Mapping) or not losses:
            raise self.fail(f"train_step must return a non-empty dict of losses, got {losses!r}")
        out = {}
        for k, v in losses.items():
            try:
                fv = float(v)
            except (TypeError, ValueError):
                raise self.fail(f"train_step loss {k!r} is not a number: {v!r}") from None
            if not math.isfinite(fv):
                raise self.fail(f"train_step returned non-finite loss {k}={fv} at step {step}")
            out[str(k)] = fv
        return out

    def train(self, model: Any, steps: int, pack: int = 1) -> dict[str, float]:
        losses: dict[str, float] = {}
        batches = self.batches(model, pack)
        for i in range(steps):
            real, labels = next(batches)
            losses = self.step(model, real, labels, i + 1)
        return losses

    def labels_for(self, n: int) -> torch.Tensor | None:
        if not self.conditional:
            return None
        classes = self.num_classes
        assert classes is not None  # conditional models always have classes here
        labels: torch.Tensor = torch.arange(n, device=self.device) % classes
        return labels

    def sample(self, model: Any, n: int, seed: int = 123) -> torch.Tensor:
        """``n`` samples from a fixed latent seed, checked like the harness checks them."""
        g = torch.Generator(device=self.device).manual_seed(seed)
        with torch.no_grad():
            try:
                x = model.sample(n, self.labels_for(n), generator=g)
            except Exception as exc:
                raise self.fail(f"sample({n}) raised {type(exc).__name__}: {exc}") from exc
        if not isinstance(x, torch.Tensor):
            raise self.fail(f"sample() returned {type(x).__name__}, expected a torch.Tensor")
        expected = (n, *self.shape)
        if tuple(x.shape) != expected:
            raise self.fail(f"sample({n}) returned shape {tuple(x.shape)}, expected {expected}")
        return x.detach()
