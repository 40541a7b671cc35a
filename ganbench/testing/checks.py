"""The generative-model checks, each a plain function ``check_x(kit)`` in :data:`CHECKS`.

They mirror what ``ganbench.train.loop`` does with a model (seeding, batch sizes, packing, the
validity checks on samples and losses) and raise :class:`~ganbench.testing.errors.ConformanceError`.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import torch

from ganbench.contract import API_VERSION, DATA_KINDS, Capabilities, ModelSpec, api_compatible, api_declared
from ganbench.contract.latents import can_encode, has_codes
from ganbench.testing.errors import ConformanceError, not_applicable
from ganbench.testing.kit import IMAGE_RANGE_TOL, Kit
from ganbench.testing.synthetic import SEQUENCE_VOCAB, markov_nll, sliced_wasserstein


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
    if not api_declared(spec):  # undeclared reads as "1.0": say which API the plugin is written against
        raise kit.fail(f"declares no api_version: set ModelSpec(api_version=...) to the plugin API it is written "
                       f"against (this ganbench provides {API_VERSION})")
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
