"""Capturing a plugin's ``train_step`` with ``torch.compile`` (CUDA graphs on a GPU).

A tiny model's step is dominated by Python and kernel-launch overhead; compiling it (and, on CUDA,
``mode="reduce-overhead"``, which replays the step as a CUDA graph) removes most of that. Only
plugins that declare ``Capabilities.compile_safe`` (static shapes, no host sync inside the step)
are compiled, and only when the suite asks (``compile: true``). If compilation or the first
compiled step fails, the harness falls back to eager mode by itself and says so in the run's
throughput note, so a suite never dies for an optimisation.

A failed first compiled call is never applied twice. ``torch.compile`` splits a step at graph
breaks and runs the pieces one after another, so a step can fail *after* its discriminator update
(or its RNG draws) already happened. Before that first compiled call the harness therefore takes a
snapshot of everything the model says it is (``state_dict()``: weights, optimiser moments, its
RNG streams; the contract already requires it to restore training exactly) plus torch's global
RNG states, and restores it before running the same step eagerly. The eager retry is then the
step an eager run would have taken. A model whose state cannot be snapshot is not compiled (mode
``eager (compile skipped: ...)``); a snapshot that cannot be restored fails the run rather than
apply a step twice. Later compiled calls are not retried: an error there fails the run.

``$GANBENCH_COMPILE_BACKEND`` (default ``inductor``) picks the ``torch.compile`` backend; the device
check's ``--tiny`` CPU mode uses ``eager`` (graph capture without code generation) so CI exercises
this path in seconds. A non-default backend is named in the mode string.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

import torch

log = logging.getLogger(__name__)

StepFn = Callable[[torch.Tensor, Any], Mapping[str, Any]]
ENV_BACKEND = "GANBENCH_COMPILE_BACKEND"
DEFAULT_BACKEND = "inductor"


class CompiledStepUnrecoverable(RuntimeError):
    """The first compiled step failed and the model's state could not be put back as it was."""


def _detached_copy(obj: Any) -> Any:
    """A deep copy of a state dict with every tensor cloned to the CPU (the live ones keep changing)."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().to("cpu", copy=True)
    if isinstance(obj, dict):  # keeps OrderedDict (module state dicts) as it is
        return type(obj)((k, _detached_copy(v)) for k, v in obj.items())
    if isinstance(obj, Mapping):
        return {k: _detached_copy(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_detached_copy(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_detached_copy(v) for v in obj)
    return obj


class _Snapshot:
    """The model's ``state_dict()`` and torch's global RNG states at one moment."""

    def __init__(self, model: Any, device: torch.device):
        self.device = device
        self.state = _detached_copy(model.state_dict())
        self.cpu_rng = torch.get_rng_state()
        self.cuda_rng = torch.cuda.get_rng_state_all() if device.type == "cuda" and torch.cuda.is_initialized() else None

    def restore(self, model: Any) -> None:
        model.load_state_dict(_detached_copy(self.state))
        torch.set_rng_state(self.cpu_rng)
        if self.cuda_rng is not None:
            torch.cuda.set_rng_state_all(self.cuda_rng)


def compile_backend() -> str:
    """The ``torch.compile`` backend: ``$GANBENCH_COMPILE_BACKEND`` or inductor."""
    return os.environ.get(ENV_BACKEND, "").strip() or DEFAULT_BACKEND


class TrainStep:
    """The step the loop calls; ``mode`` says what actually ran (reported with the run)."""

    def __init__(self, model: Any, want_compile: bool, safe: bool, device: torch.device,
                 backend: str | Callable[..., Any] | None = None):
        self.model = model
        self.device = device
        self.eager: StepFn = model.train_step
        self.fn: StepFn = self.eager
        self.mode = "eager"
        self._pending = False
        if want_compile and not safe:
            self.mode = "eager (plugin does not declare compile_safe)"
        elif want_compile:
            compile_mode = "reduce-overhead" if device.type == "cuda" else None
            backend = backend or compile_backend()
            try:
                kwargs: dict[str, Any] = {"dynamic": False}
                if backend == DEFAULT_BACKEND:
                    kwargs["mode"] = compile_mode
                else:  # only inductor takes a mode
                    kwargs["backend"] = backend
                    compile_mode = None
                self.fn = torch.compile(self.eager, **kwargs)
                name = backend if isinstance(backend, str) else getattr(backend, "__name__", type(backend).__name__)
                suffix = "" if backend == DEFAULT_BACKEND else f", backend {name}"
                self.mode = f"compiled ({compile_mode or 'default'}{suffix})"
                self._pending = True
            except Exception as exc:  # torch.compile unavailable on this platform
                self._fallback(exc)

    def _fallback(self, exc: BaseException) -> None:
        log.warning("torch.compile failed, training in eager mode: %s: %s", type(exc).__name__, exc)
        self.fn = self.eager
        self.mode = f"eager (compile failed: {type(exc).__name__})"
        self._pending = False

    def __call__(self, real: torch.Tensor, labels: Any) -> Mapping[str, Any]:
        if not self._pending:
            return self.fn(real, labels)
        try:
            snapshot = _Snapshot(self.model, self.device)
        except Exception as exc:  # no way back if the compiled step fails half-way: don't try it
            log.warning("not compiling: the model's state cannot be snapshot (%s: %s)", type(exc).__name__, exc)
            self.fn, self._pending = self.eager, False
            self.mode = f"eager (compile skipped: state_dict() not restorable: {type(exc).__name__})"
            return self.fn(real, labels)
        try:  # compilation happens on the first call; errors surface here
            out = self.fn(real, labels)
        except Exception as exc:
            try:
                snapshot.restore(self.model)  # undo whatever part of the step the compiled code applied
            except Exception as restore_exc:
                raise CompiledStepUnrecoverable(
                    f"the first compiled train_step failed ({type(exc).__name__}: {exc}) and restoring the "
                    f"model's state before an eager retry failed too ({type(restore_exc).__name__}: {restore_exc})"
                ) from exc
            self._fallback(exc)
            return self.fn(real, labels)
        self._pending = False
        return out
