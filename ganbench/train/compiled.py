"""Capturing a plugin's ``train_step`` with ``torch.compile`` (CUDA graphs on a GPU).

A tiny model's step is dominated by Python and kernel-launch overhead; compiling it (and, on CUDA,
``mode="reduce-overhead"``, which replays the step as a CUDA graph) removes most of that. Only
plugins that declare ``Capabilities.compile_safe`` (static shapes, no host sync inside the step)
are compiled, and only when the suite asks (``compile: true``). If compilation or the first
compiled step fails, the harness falls back to eager mode by itself and says so in the run's
throughput note, so a suite never dies for an optimisation.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Mapping

import torch

log = logging.getLogger(__name__)

StepFn = Callable[[torch.Tensor, Any], Mapping[str, float]]


class TrainStep:
    """The step the loop calls; ``mode`` says what actually ran (reported with the run)."""

    def __init__(self, model: Any, want_compile: bool, safe: bool, device: torch.device):
        self.eager: StepFn = model.train_step
        self.fn: StepFn = self.eager
        self.mode = "eager"
        self._pending = False
        if want_compile and not safe:
            self.mode = "eager (plugin does not declare compile_safe)"
        elif want_compile:
            compile_mode = "reduce-overhead" if device.type == "cuda" else None
            try:
                self.fn = torch.compile(self.eager, mode=compile_mode, dynamic=False)
                self.mode = f"compiled ({compile_mode or 'default'})"
                self._pending = True
            except Exception as exc:  # torch.compile unavailable on this platform
                self._fallback(exc)

    def _fallback(self, exc: BaseException) -> None:
        log.warning("torch.compile failed, training in eager mode: %s: %s", type(exc).__name__, exc)
        self.fn = self.eager
        self.mode = f"eager (compile failed: {type(exc).__name__})"
        self._pending = False

    def __call__(self, real: torch.Tensor, labels: Any) -> Mapping[str, float]:
        if not self._pending:
            return self.fn(real, labels)
        try:  # compilation happens on the first call; errors surface here
            out = self.fn(real, labels)
        except Exception as exc:
            self._fallback(exc)
            return self.fn(real, labels)
        self._pending = False
        return out
