"""The conformance kit: does a model plugin keep the contract the harness relies on?

Two ways in, one set of checks:

* ``pytest --ganbench-plugin=NAME`` (this module is a pytest plugin, registered through pytest's
  ``pytest11`` entry point) adds one test per check for every model of plugin/model ``NAME``;
* from Python, :func:`check_model` runs every check and raises :class:`ConformanceError` listing
  each failure, and :class:`ModelConformance` is a test class to subclass (``model = "my-gan"``).

The checks run on the CPU with small synthetic data, so a plugin author gets an answer in seconds
instead of discovering a broken ``state_dict`` halfway through an overnight suite. Each check is
a plain function ``check_x(kit)`` in :data:`CHECKS`; they mirror what ``ganbench.train.loop`` does
with a model (seeding, batch sizes, packing, the validity checks on samples and losses).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

import pytest
import torch

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

from ganbench.api import API_VERSION, DATA_KINDS, BuildContext, Capabilities, ModelSpec, api_compatible
from ganbench.contract.latents import can_encode, has_codes

__all__ = [
    "CHECKS",
    "ConformanceError",
    "Kit",
    "KitReport",
    "ModelConformance",
    "check_model",
    "checks_for",
    "not_applicable",
    "resolve_models",
    "tiny_hparams",
]

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


def not_applicable(reason: str) -> NoReturn:
    """End a check that does not apply to this model: pytest reports it SKIPPED with ``reason``,
    :func:`check_model` lists it in :attr:`KitReport.skipped` (never as passed)."""
    pytest.skip(reason)


class ConformanceError(AssertionError):
    """A model breaks the plugin contract; the message names the model and the check."""


# --------------------------------------------------------------------------------------------
# Synthetic data: small, deterministic, with structure an untrained generator does not have
# --------------------------------------------------------------------------------------------


def ring_data(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The PacGAN ring of 8 Gaussians (radius 1, std 0.01) and each sample's mode."""
    from ganbench.data.gaussians import ring_centers, sample_mixture

    return sample_mixture(ring_centers(8, 1.0), 0.01, n, seed)


def vector_data(n: int, dim: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The ring for 2-D data; for other widths, 8 Gaussian clusters on the axes of ``dim`` space."""
    if dim == 2:
        return ring_data(n, seed)
    g = torch.Generator().manual_seed(seed)
    centers = torch.zeros(8, dim)
    for i in range(8):
        centers[i, i % dim] = 1.0 if i < dim or i % 2 == 0 else -1.0
    idx = torch.randint(8, (n,), generator=g)
    return centers[idx] + 0.05 * torch.randn(n, dim, generator=g), idx


SEQUENCE_VOCAB = 12
SEQUENCE_LENGTH = 8
MARKOV_STAY = 0.85


def markov_next(tokens: torch.Tensor, vocab: int) -> torch.Tensor:
    """The likely successor of each token in :func:`sequence_data`'s chain."""
    return (3 * tokens + 1) % vocab


def sequence_data(n: int, length: int, vocab: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Token sequences from a known Markov chain: the first token uniform, then with probability
    0.85 the successor ``(3t + 1) mod vocab``, else a uniform token. An untrained generator's
    samples are near uniform, far less likely under the chain (:func:`markov_nll`). Labels: the
    first token."""
    g = torch.Generator().manual_seed(seed)
    x = torch.empty(n, length, dtype=torch.long)
    x[:, 0] = torch.randint(vocab, (n,), generator=g)
    for t in range(1, length):
        stay = torch.rand(n, generator=g) < MARKOV_STAY
        x[:, t] = torch.where(stay, markov_next(x[:, t - 1], vocab), torch.randint(vocab, (n,), generator=g))
    return x, x[:, 0].clone()


def markov_nll(x: torch.Tensor, vocab: int) -> float:
    """Mean per-token negative log-likelihood of sequences under :func:`sequence_data`'s chain."""
    x = x.long().cpu()
    nll = torch.full(x.shape, math.log(vocab), dtype=torch.float64)
    hit = x[:, 1:] == markov_next(x[:, :-1], vocab)
    p_hit, p_miss = MARKOV_STAY + (1 - MARKOV_STAY) / vocab, (1 - MARKOV_STAY) / vocab
    nll[:, 1:] = torch.where(hit, -math.log(p_hit), -math.log(p_miss))
    return float(nll.mean())


def image_data(n: int, shape: tuple[int, ...], seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Dark images with one bright square in one of 4 quadrants (the label), values in [-1, 1]."""
    c, h, w = shape
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(4, (n,), generator=g)
    x = torch.full((n, c, h, w), -1.0)
    hh, hw = max(h // 2, 1), max(w // 2, 1)
    for q in range(4):
        sel = idx == q
        top, left = (q // 2) * hh, (q % 2) * hw
        x[sel, :, top + hh // 4 : top + hh - hh // 4, left + hw // 4 : left + hw - hw // 4] = 1.0
    x = (x + 0.1 * torch.randn(x.shape, generator=g)).clamp(-1, 1)
    return x, idx


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, projections: int = 64, seed: int = 0) -> float:
    """Sliced 1-Wasserstein distance between two equal-size sample sets (flattened), a cheap
    moment-free distance that any improvement of the generator shows up in."""
    a = a.detach().reshape(a.shape[0], -1).double().cpu()
    b = b.detach().reshape(b.shape[0], -1).double().cpu()
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    g = torch.Generator().manual_seed(seed)
    dirs = torch.randn(a.shape[1], projections, generator=g, dtype=torch.float64)
    dirs /= dirs.norm(dim=0, keepdim=True)
    pa, _ = (a @ dirs).sort(dim=0)
    pb, _ = (b @ dirs).sort(dim=0)
    return float((pa - pb).abs().mean())


# --------------------------------------------------------------------------------------------
# The kit: one model under test plus the settings every check shares
# --------------------------------------------------------------------------------------------


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
        from ganbench.testing.translation_kit import kit_domains

        return kit_domains(self.spec.capabilities) if self.translates else ()

    def build(self, pack: int = 1, seed: int | None = None) -> Any:
        """Seed like the harness does (``seed_everything`` before ``build``), then build."""
        from ganbench.contract.hparams import RecordingHparams, declared
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
        if undeclared:  # a suite could not set them, and a misspelling of them would pass unnoticed
            raise self.fail(f"build reads hyper-parameter(s) {', '.join(map(repr, undeclared))} that the spec does "
                            "not declare: add each to ModelSpec.defaults or ModelSpec.hyperparameters "
                            "(name -> meaning), API 1.4")
        from ganbench.testing.translation_kit import REQUIRED

        for attr in REQUIRED if self.translates else ("train_step", "sample", "state_dict", "load_state_dict"):
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


# --------------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------------


def _tensors(obj: Any, prefix: str = "") -> Iterator[tuple[str, torch.Tensor]]:
    """Every tensor in a nested state dict, with a dotted path."""
    if isinstance(obj, torch.Tensor):
        yield prefix, obj
    elif isinstance(obj, Mapping):
        for k, v in obj.items():
            yield from _tensors(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _tensors(v, f"{prefix}[{i}]")


def _float_params(state: Any) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in _tensors(state) if v.is_floating_point()}


def check_spec(kit: Kit) -> None:
    """The spec is well formed: name, targeted API version, capabilities, defaults."""
    spec = kit.spec
    if not isinstance(spec, ModelSpec):
        raise ConformanceError(f"{spec!r} is not a ganbench.api.ModelSpec")
    if not spec.name or spec.name != spec.name.strip() or " " in spec.name:
        raise kit.fail("name must be a non-empty identifier without spaces (suites refer to it)")
    if not api_compatible(spec.api_version):
        raise kit.fail(f"targets plugin API {spec.api_version}, ganbench provides {API_VERSION}")
    if not callable(spec.build):
        raise kit.fail("build is not callable")
    caps = spec.capabilities
    if not isinstance(caps, Capabilities) or not caps.data_kinds:
        raise kit.fail("capabilities must be a Capabilities with at least one data kind")
    unknown = [k for k in caps.data_kinds if k not in DATA_KINDS]
    if unknown:
        raise kit.fail(f"unknown data kind(s) {unknown}; known: {list(DATA_KINDS)}")
    if not isinstance(spec.defaults, Mapping):
        raise kit.fail("defaults must be a mapping of hyperparameters")
    try:
        json.dumps(dict(spec.defaults))
    except TypeError as exc:
        raise kit.fail(f"defaults must be JSON-able (they are stored with every run): {exc}") from None


def check_shapes(kit: Kit) -> None:
    """``sample(n)`` returns ``(n, *data_shape)`` finite values for several ``n``, before and after training."""
    model = kit.build()
    for n in (5, kit.batch_size + 3):
        x = kit.sample(model, n)
        if not torch.isfinite(x).all():
            raise kit.fail(f"sample({n}) returned non-finite values before training")
    kit.train(model, 2)
    x = kit.sample(model, 17)
    if not torch.isfinite(x).all():
        raise kit.fail("sample() returned non-finite values after 2 training steps")
    if x.device.type != torch.device(kit.device).type:
        raise kit.fail(f"sample() returned a tensor on {x.device}, expected the run's device {kit.device}")


def check_range(kit: Kit) -> None:
    """Images lie in [-1, 1] (what the metrics expect); vectors are finite and not all equal."""
    model = kit.build()
    kit.train(model, 2)
    x = kit.sample(model, 64)
    if kit.data_kind == "image":
        lo, hi = float(x.min()), float(x.max())
        if lo < -1 - IMAGE_RANGE_TOL or hi > 1 + IMAGE_RANGE_TOL:
            raise kit.fail(f"sample() returned values in [{lo:.3g}, {hi:.3g}]; images must be in [-1, 1] (use tanh)")
    if kit.data_kind == "sequence":
        if x.dtype.is_floating_point or x.dtype == torch.bool:
            raise kit.fail(f"sample() returned {x.dtype}; sequences are integer token ids (torch.long)")
        if int(x.min()) < 0 or int(x.max()) >= SEQUENCE_VOCAB:
            raise kit.fail(f"sample() returned token ids in [{int(x.min())}, {int(x.max())}], the vocabulary is "
                           f"[0, {SEQUENCE_VOCAB}) (ctx.vocab_size)")
    if float(x.reshape(len(x), -1).float().std(dim=0).max()) == 0.0:
        raise kit.fail("all 64 samples are identical: sample() ignores its latent noise")


def check_determinism(kit: Kit) -> None:
    """Same seed → same model → same samples; the latent ``generator`` passed to ``sample`` is used."""
    runs = []
    for _ in range(2):
        model = kit.build(seed=kit.seed)
        kit.train(model, 3)
        runs.append((kit.sample(model, 32, seed=7), kit.sample(model, 32, seed=7), kit.sample(model, 32, seed=8)))
    (a1, a2, a3), (b1, _, _) = runs
    if not torch.equal(a1, a2):
        raise kit.fail("two sample() calls with equally seeded generators differ: draw z with "
                       "torch.randn(..., generator=generator)")
    if torch.equal(a1, a3):
        raise kit.fail("sample() returns the same samples for different generator seeds")
    if not torch.allclose(a1, b1, atol=1e-6, rtol=1e-5):
        raise kit.fail(f"same seed, same data, different samples after 3 training steps "
                       f"(max diff {float((a1 - b1).abs().max()):.3g}): use only torch's seeded RNG")


def check_state_dict(kit: Kit) -> None:
    """``state_dict`` survives ``torch.save`` → ``torch.load(weights_only=True)`` → ``load_state_dict``
    into a model built with another seed, which then samples like the original and trains on alike."""
    a = kit.build(seed=kit.seed)
    kit.train(a, 3)
    buf = io.BytesIO()
    try:
        torch.save(a.state_dict(), buf)
    except Exception as exc:
        raise kit.fail(f"torch.save(state_dict()) failed: {type(exc).__name__}: {exc}") from exc
    buf.seek(0)
    try:
        state = torch.load(buf, weights_only=True)
    except Exception as exc:
        raise kit.fail("state_dict() does not load with torch.load(weights_only=True), which checkpoints use: "
                       f"keep it to tensors, numbers, strings, lists and dicts ({type(exc).__name__}: {exc})") from exc
    b = kit.build(seed=kit.seed + 1000)
    try:
        b.load_state_dict(state)
    except Exception as exc:
        raise kit.fail(f"load_state_dict(state_dict()) raised {type(exc).__name__}: {exc}") from exc
    xa, xb = kit.sample(a, 32), kit.sample(b, 32)
    if not torch.allclose(xa, xb, atol=1e-6, rtol=1e-5):
        raise kit.fail("after load_state_dict(state_dict()) the copy samples differently "
                       f"(max diff {float((xa - xb).abs().max()):.3g}): state_dict misses weights or buffers")
    real, labels = next(kit.batches(a, seed=99))
    for model in (a, b):
        torch.manual_seed(4242)
        kit.step(model, real, labels, 4)
    xa, xb = kit.sample(a, 32), kit.sample(b, 32)
    if not torch.allclose(xa, xb, atol=1e-4, rtol=1e-3):
        raise kit.fail("a resumed copy trains differently from the original on the same batch "
                       f"(max diff {float((xa - xb).abs().max()):.3g}): include optimiser state and any "
                       "counters in state_dict so checkpoints resume exactly")


def check_losses(kit: Kit) -> None:
    """Every ``train_step`` returns a non-empty dict of finite numbers (20 steps)."""
    model = kit.build()
    losses = kit.train(model, 20)
    kit.notes["losses"] = losses


def check_updates(kit: Kit) -> None:
    """One ``train_step`` changes the weights and what the generator samples (a baseline that
    never trains says so with ``trainable = False`` on the model, e.g. a random generator)."""
    model = kit.build()
    _skip_untrainable(model)
    before_state = _float_params(model.state_dict())
    before = kit.sample(model, 32)
    kit.train(model, 1)
    after_state = _float_params(model.state_dict())
    changed = [k for k in before_state if k in after_state and not torch.equal(before_state[k], after_state[k])]
    if not changed:
        raise kit.fail("one train_step changed no tensor in state_dict(): are the optimisers stepping?")
    if torch.equal(before, kit.sample(model, 32)):
        raise kit.fail("one train_step did not change the generator's samples (train_step must update G once)")


def _skip_untrainable(model: Any) -> None:
    if getattr(model, "trainable", True) is False:
        not_applicable("the model is a baseline that never trains (trainable = False)")


def _numel(state: Any) -> int:
    return sum(t.numel() for _, t in _tensors(state))


def check_packing(kit: Kit) -> None:
    """With ``packing`` declared, pack=2 trains on twice the real batch and D is wider than at pack=1."""
    if not kit.spec.capabilities.packing:
        kit.notes["packing"] = "not declared (suites with packs > 1 are refused for this model)"
        not_applicable("the model does not declare packing (capabilities.packing is False)")
    m1, m2 = kit.build(pack=1), kit.build(pack=2)
    n1, n2 = _numel(m1.state_dict()), _numel(m2.state_dict())
    if n2 <= n1:
        raise kit.fail(f"declares packing but its state has as many numbers at pack=2 ({n2}) as at pack=1 "
                       f"({n1}): build D for ctx.d_input_shape / ctx.pack * features and fold with ganbench.api.pack")
    kit.train(m2, 3, pack=2)
    x = kit.sample(m2, 16)
    if not torch.isfinite(x).all():
        raise kit.fail("non-finite samples after training with pack=2")


def check_conditional(kit: Kit) -> None:
    """Conditional models get labels in ``train_step`` and ``sample``, and ``sample`` uses them."""
    if not kit.conditional:
        not_applicable("the model is not conditional (capabilities.conditional is False)")
    model = kit.build()
    kit.train(model, 5)
    n = 32

    def g() -> torch.Generator:
        return torch.Generator(device=kit.device).manual_seed(5)

    with torch.no_grad():
        x0 = model.sample(n, torch.zeros(n, dtype=torch.long, device=kit.device), generator=g())
        x1 = model.sample(n, torch.ones(n, dtype=torch.long, device=kit.device), generator=g())
    if tuple(x0.shape) != (n, *kit.shape):
        raise kit.fail(f"conditional sample returned shape {tuple(x0.shape)}")
    if torch.equal(x0, x1):
        raise kit.fail("declares conditional but sample() ignores its labels")


def check_cpu(kit: Kit) -> None:
    """The model builds, trains and samples on the CPU (every check runs there; this one also makes
    sure nothing hard-codes CUDA in ``sample`` with an explicit CPU generator)."""
    model = kit.build()
    kit.train(model, 1)
    x = kit.sample(model, 8)
    if x.device.type != "cpu" and kit.device == "cpu":
        raise kit.fail(f"on a CPU run sample() returned a tensor on {x.device}")


def check_improves(kit: Kit) -> None:
    """A short training run moves the samples towards the data: the sliced Wasserstein distance to
    real samples shrinks by at least ``min_improvement`` (and on the ring, the high-quality share
    of samples is reported)."""
    model = kit.build()
    _skip_untrainable(model)
    if kit.data_kind == "sequence":
        _improves_sequence(kit, model)
        return
    real, _ = kit.data(kit.n_eval, seed=2)
    before = sliced_wasserstein(kit.sample(model, kit.n_eval), real)
    t0 = time.perf_counter()
    kit.train(model, kit.steps)
    seconds = time.perf_counter() - t0
    samples = kit.sample(model, kit.n_eval)
    if not torch.isfinite(samples).all():
        raise kit.fail(f"non-finite samples after {kit.train_steps} training steps")
    after = sliced_wasserstein(samples, real)
    kit.notes.update(swd_before=before, swd_after=after, train_seconds=seconds, train_steps=kit.train_steps)
    if kit.data_kind == "vector" and kit.data_shape == (2,):
        from ganbench.data.gaussians import ring_centers
        from ganbench.metrics.modes import score_mixture

        s0 = score_mixture(samples, ring_centers(8, 1.0), 0.01)
        kit.notes.update(ring_modes=s0.modes_covered, ring_hq_share=s0.hq_share)
    if not after <= (1 - kit.min_improvement) * before:
        raise kit.fail(f"{kit.train_steps} training steps did not improve on the untrained model: sliced "
                       f"Wasserstein distance to the data {before:.4g} -> {after:.4g} (needs -{kit.min_improvement:.0%})")


def _improves_sequence(kit: Kit, model: Any) -> None:
    """Sequences: the samples' NLL under the data's Markov chain must drop by ``min_improvement``."""
    before = markov_nll(kit.sample(model, kit.n_eval), SEQUENCE_VOCAB)
    t0 = time.perf_counter()
    kit.train(model, kit.steps)
    after = markov_nll(kit.sample(model, kit.n_eval), SEQUENCE_VOCAB)
    kit.notes.update(chain_nll_before=before, chain_nll_after=after, train_seconds=time.perf_counter() - t0,
                     train_steps=kit.train_steps)
    if not after <= (1 - kit.min_improvement) * before:
        raise kit.fail(f"{kit.train_steps} training steps did not improve on the untrained model: NLL of its samples "
                       f"under the data's Markov chain {before:.4g} -> {after:.4g} (needs -{kit.min_improvement:.0%})")


def _finite_tensor(kit: Kit, x: Any, what: str, shape: tuple[int, ...]) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise kit.fail(f"{what} returned {type(x).__name__}, expected a torch.Tensor")
    if tuple(x.shape) != shape:
        raise kit.fail(f"{what} returned shape {tuple(x.shape)}, expected {shape}")
    if not torch.isfinite(x).all():
        raise kit.fail(f"{what} returned non-finite values")
    return x


def check_encoding(kit: Kit) -> None:
    """Inference GANs (``encode``/``generate``, the ``Encoding`` capability): ``encode`` maps N
    samples to N finite latent vectors, deterministically; ``generate`` maps them back to N valid
    samples (the ``encoder`` metric's x -> E(x) -> G(E(x)))."""
    model = kit.build()
    if not can_encode(model):
        not_applicable("the model has no encode/generate (the Encoding capability)")
    kit.train(model, 2)
    x, _ = kit.data(16, seed=3)
    with torch.no_grad():
        try:
            z = model.encode(x)
        except Exception as exc:
            raise kit.fail(f"encode raised {type(exc).__name__}: {exc}") from exc
        if not isinstance(z, torch.Tensor) or z.ndim != 2:
            raise kit.fail(f"encode(x) must return a (N, z_dim) tensor, got {getattr(z, 'shape', type(z).__name__)}")
        _finite_tensor(kit, z, "encode(x)", (16, int(z.shape[1])))
        if not torch.equal(z, model.encode(x)):
            raise kit.fail("encode(x) is not deterministic (return the mean of a stochastic encoder)")
        try:
            x_rec = model.generate(z)
        except Exception as exc:
            raise kit.fail(f"generate(encode(x)) raised {type(exc).__name__}: {exc}") from exc
    x_rec = _finite_tensor(kit, x_rec, "generate(encode(x))", (16, *kit.shape))
    if kit.kind == "image" and float(x_rec.abs().max()) > 1 + IMAGE_RANGE_TOL:
        raise kit.fail("generate(z) returned images outside [-1, 1]")
    kit.notes["encoding"] = {"z_dim": int(z.shape[1]), "recon_mse": float((x_rec - x).pow(2).mean())}


def check_codes(kit: Kit) -> None:
    """InfoGAN-style models (``latent_codes``/``sample_codes``, the ``StructuredCodes``
    capability): every code can be fixed, a fixed draw is reproducible from its generator, the
    codes reach G (changing a categorical code with everything else fixed changes the samples),
    ``infer_codes`` returns one estimate per code, and an unknown code is refused."""
    model = kit.build()
    if not has_codes(model):
        not_applicable("the model declares no latent_codes (the StructuredCodes capability)")
    kit.train(model, 2)
    n = 8

    def draw(codes: dict[str, torch.Tensor]) -> torch.Tensor:
        g = torch.Generator(device=kit.device).manual_seed(7)
        with torch.no_grad():
            try:
                out = model.sample_codes(n, codes, generator=g)
            except Exception as exc:
                raise kit.fail(f"sample_codes(codes={sorted(codes)}) raised {type(exc).__name__}: {exc}") from exc
        return _finite_tensor(kit, out, f"sample_codes with {sorted(codes)} fixed", (n, *kit.shape))

    for code in model.latent_codes:
        if code.kind == "categorical":
            a, b = torch.zeros(n, dtype=torch.long), torch.ones(n, dtype=torch.long)
        else:
            a, b = torch.full((n,), code.low), torch.full((n,), code.high)
        xa = draw({code.name: a})
        if not torch.equal(xa, draw({code.name: a})):
            raise kit.fail(f"sample_codes with {code.name} fixed is not reproducible from its generator")
        if code.kind == "categorical" and torch.equal(xa, draw({code.name: b})):
            raise kit.fail(f"changing categorical code {code.name} (all else fixed) does not change the samples")
    try:
        draw({"no-such-code": torch.zeros(n)})
    except ConformanceError:
        pass
    else:
        raise kit.fail("sample_codes accepted an unknown code name (it must raise ValueError)")
    infer = getattr(model, "infer_codes", None)
    if callable(infer):
        x, _ = kit.data(n, seed=4)
        with torch.no_grad():
            est = infer(x)
        for code in model.latent_codes:
            want = (n, code.size) if code.kind == "categorical" else (n,)
            _finite_tensor(kit, est.get(code.name) if isinstance(est, Mapping) else est,
                           f"infer_codes(x)[{code.name!r}]", want)


CHECKS: dict[str, Callable[[Kit], None]] = {
    "spec": check_spec,
    "shapes": check_shapes,
    "range": check_range,
    "determinism": check_determinism,
    "state_dict": check_state_dict,
    "losses": check_losses,
    "updates": check_updates,
    "packing": check_packing,
    "conditional": check_conditional,
    "cpu": check_cpu,
    "improves": check_improves,
    "encoding": check_encoding,
    "codes": check_codes,
}
"""Every check by name, in the order they run. Each takes a :class:`Kit` and raises
:class:`ConformanceError`."""


def checks_for(spec: ModelSpec) -> dict[str, Callable[[Kit], None]]:
    """The checks a model gets: :data:`CHECKS`, or the translation checks for
    ``Capabilities(task="translate")`` models (they have ``translate`` instead of ``sample``)."""
    if spec.capabilities.task == "translate":
        from ganbench.testing.translation_kit import TRANSLATION_CHECKS

        return TRANSLATION_CHECKS
    return CHECKS


# --------------------------------------------------------------------------------------------
# Plain-Python API
# --------------------------------------------------------------------------------------------


@dataclass
class KitReport:
    """What :func:`check_model` found: per check, ``None`` (passed or skipped) or the failure
    message; ``skipped`` holds the checks that do not apply to the model, with the reason."""

    model: str
    results: dict[str, str | None]
    seconds: dict[str, float]
    notes: dict[str, Any]
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> list[str]:
        return [k for k, v in self.results.items() if v is None and k not in self.skipped]

    @property
    def ok(self) -> bool:
        return all(v is None for v in self.results.values())

    @property
    def failures(self) -> dict[str, str]:
        return {k: v for k, v in self.results.items() if v is not None}


def resolve_models(name: str, registry: Any = None) -> list[ModelSpec]:
    """The model(s) ``name`` refers to: a model name, or a plugin's entry-point or distribution name
    (then all its models). A broken plugin or unknown name raises :class:`ConformanceError` with
    the reason (import error, API version mismatch, ...)."""
    from ganbench.plugins import load_registry

    reg = registry if registry is not None else load_registry()
    if name in reg.models:
        return [reg.models[name]]
    norm = name.replace("_", "-").lower()
    for info in reg.plugins:
        names = {info.name.replace("_", "-").lower(), (info.distribution or "").replace("_", "-").lower()}
        if norm in names:
            if info.broken:
                raise ConformanceError(f"plugin {name!r} is broken: {info.error}")
            if not info.models:
                raise ConformanceError(f"plugin {name!r} provides no models")
            return [reg.models[m] for m in info.models]
    problems = [p for p in reg.problems if name in p]
    detail = f" ({'; '.join(problems)})" if problems else ""
    raise ConformanceError(
        f"no model or plugin named {name!r}{detail}; models: {', '.join(sorted(reg.models)) or 'none'} "
        "(is the plugin installed in this environment? `ganbench plugins` lists what was found)"
    )


WIDTH_HPARAMS = ("g_ch", "d_ch", "g_hidden", "d_hidden", "hidden", "ngf", "ndf", "channels", "width")


def tiny_hparams(spec: ModelSpec, width: int = 16) -> dict[str, Any]:
    """Hyperparameters that shrink a model for quick checks: every width-like default
    (``g_ch``, ``d_hidden``, ...) capped at ``width``; only keys the model already declares."""
    return {k: min(int(v), width) for k, v in spec.defaults.items()
            if k in WIDTH_HPARAMS and isinstance(v, int) and not isinstance(v, bool)}


def make_kit(spec_or_name: ModelSpec | str, **options: Any) -> Kit:
    """A :class:`Kit` for a spec or a registered model name; ``options`` are :class:`Kit` fields."""
    spec = spec_or_name if isinstance(spec_or_name, ModelSpec) else resolve_models(spec_or_name)[0]
    return Kit(spec=spec, **options)


def check_model(
    spec_or_name: ModelSpec | str,
    *,
    checks: Sequence[str] | None = None,
    raise_on_failure: bool = True,
    **options: Any,
) -> KitReport:
    """Run the conformance checks on one model and return a :class:`KitReport`.

    ``options`` are :class:`Kit` fields (``data_shape=(1, 16, 16)``, ``hparams={...}``,
    ``train_steps=...``). With ``raise_on_failure`` every failure is listed in one
    :class:`ConformanceError`, so a test shows all broken parts of the contract at once.
    """
    kit = make_kit(spec_or_name, **options)
    table = checks_for(kit.spec)
    names = list(checks) if checks is not None else list(table)
    unknown = [c for c in names if c not in table]
    if unknown:
        raise ValueError(f"unknown check(s) {unknown}; known: {', '.join(table)}")
    results: dict[str, str | None] = {}
    seconds: dict[str, float] = {}
    skipped: dict[str, str] = {}
    for name in names:
        t0 = time.perf_counter()
        try:
            with one_thread():
                table[name](kit)
            results[name] = None
        except ConformanceError as exc:
            results[name] = str(exc)
        except pytest.skip.Exception as exc:
            results[name] = None
            skipped[name] = str(exc.msg)
        seconds[name] = time.perf_counter() - t0
    report = KitReport(kit.spec.name, results, seconds, dict(kit.notes), skipped)
    if raise_on_failure and not report.ok:
        lines = "\n".join(f"  [{k}] {v}" for k, v in report.failures.items())
        raise ConformanceError(f"model {kit.spec.name!r} fails {len(report.failures)} conformance check(s):\n{lines}")
    return report


class ModelConformance:
    """Subclass in a test module to run every check as its own test::

        from ganbench.testing import ModelConformance

        class TestMyGan(ModelConformance):
            model = "my-gan"                 # or a ModelSpec
            kit_options = {"hparams": {"hidden": 32}}

    ``kit_options`` are :class:`Kit` fields. A subclass can override ``kit`` as a fixture, e.g. to
    parametrize over several models.
    """

    model: ModelSpec | str | None = None
    kit_options: Mapping[str, Any] = {}
    _ganbench_kit: ClassVar[Kit]

    @pytest.fixture
    def kit(self) -> Iterator[Kit]:
        if self.model is None:
            pytest.skip("set `model` on the ModelConformance subclass")
        cls = type(self)
        if "_ganbench_kit" not in cls.__dict__:  # resolve the model once per class
            cls._ganbench_kit = make_kit(self.model, **dict(self.kit_options))
        if cls._ganbench_kit.translates:
            pytest.fail(f"model {cls._ganbench_kit.spec.name!r} translates images: use check_model(), which runs "
                        "the translation checks, or pytest --ganbench-plugin")
        with one_thread():
            yield cls._ganbench_kit

    def test_spec(self, kit: Kit) -> None:
        check_spec(kit)

    def test_shapes(self, kit: Kit) -> None:
        check_shapes(kit)

    def test_range(self, kit: Kit) -> None:
        check_range(kit)

    def test_determinism(self, kit: Kit) -> None:
        check_determinism(kit)

    def test_state_dict(self, kit: Kit) -> None:
        check_state_dict(kit)

    def test_losses(self, kit: Kit) -> None:
        check_losses(kit)

    def test_updates(self, kit: Kit) -> None:
        check_updates(kit)

    def test_packing(self, kit: Kit) -> None:
        check_packing(kit)

    def test_conditional(self, kit: Kit) -> None:
        check_conditional(kit)

    def test_cpu(self, kit: Kit) -> None:
        check_cpu(kit)

    def test_improves(self, kit: Kit) -> None:
        check_improves(kit)

    def test_encoding(self, kit: Kit) -> None:
        check_encoding(kit)

    def test_codes(self, kit: Kit) -> None:
        check_codes(kit)


# --------------------------------------------------------------------------------------------
# pytest plugin: ``pytest --ganbench-plugin=NAME``
# --------------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ganbench", "ganbench plugin conformance kit")
    group.addoption("--ganbench-plugin", action="append", default=[], metavar="NAME",
                    help="run the ganbench conformance checks on model NAME, or on every model of plugin "
                         "(entry point or distribution) NAME; repeatable")
    group.addoption("--ganbench-hparams", default=None, metavar="JSON",
                    help="hyperparameters (a JSON object) overriding the models' defaults in the checks")
    group.addoption("--ganbench-data-shape", default=None, metavar="SHAPE",
                    help="sample shape for the checks, e.g. 2 or 1,16,16 (default: 2-D ring, or 1x16x16 images)")


class ConformanceItem(pytest.Item):
    """One check on one model."""

    def __init__(self, *, kit: Kit | None, check: str, error: str | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.kit, self.check, self.error = kit, check, error

    def runtest(self) -> None:
        if self.error is not None:
            raise ConformanceError(self.error)
        assert self.kit is not None
        self.kit.notes.clear()
        with one_thread():
            checks_for(self.kit.spec)[self.check](self.kit)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, ConformanceError):
            return f"[{self.check}] {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"ganbench conformance: {self.name}"


def _parse_shape(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    try:
        return tuple(int(p) for p in text.replace("x", ",").split(",") if p.strip())
    except ValueError:
        raise pytest.UsageError(f"--ganbench-data-shape: expected e.g. 2 or 1,16,16, got {text!r}") from None


def pytest_ignore_collect(collection_path: Any, config: pytest.Config) -> bool | None:
    """``pytest --ganbench-plugin=NAME`` without test paths runs the kit alone: started in a folder
    that holds other tests (a ganbench clone's, with their own conftest), collecting them too made
    the kit fail with their import errors. Name paths explicitly to run them with the kit."""
    if config.getoption("ganbench_plugin", default=None) and config.args_source != pytest.Config.ArgsSource.ARGS:
        return True
    return None


@pytest.hookimpl(tryfirst=True)  # before -k/-m deselection, so those filter the kit's items too
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    names: list[str] = config.getoption("ganbench_plugin", default=[]) or []
    if not names:
        return
    raw = config.getoption("ganbench_hparams")
    try:
        hparams = json.loads(raw) if raw else {}
        if not isinstance(hparams, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        raise pytest.UsageError(f"--ganbench-hparams: expected a JSON object, got {raw!r} ({exc})") from None
    shape = _parse_shape(config.getoption("ganbench_data_shape"))
    for name in names:
        try:
            specs = resolve_models(name)
        except ConformanceError as exc:
            items.append(ConformanceItem.from_parent(session, name=f"ganbench[{name}]::resolve", kit=None,
                                                     check="resolve", error=str(exc)))
            continue
        for spec in specs:
            kit = Kit(spec=spec, hparams=hparams, data_shape=shape)
            for check in checks_for(spec):
                items.append(ConformanceItem.from_parent(session, name=f"ganbench[{spec.name}]::{check}",
                                                         kit=kit, check=check))
