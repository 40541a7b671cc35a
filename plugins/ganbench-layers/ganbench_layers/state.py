"""``ModelState``: the checkpoint half of the model contract, written once for the zoo.

Most zoo models checkpoint the same things: their networks and optimisers under their attribute
names and their own latent RNG. A model lists the attribute names in ``state_parts`` (or overrides
:meth:`_state_parts` when they live in a dict), names its RNG in ``state_rng``, and adds anything
else (a schedule position, an image pool) with :meth:`_extra_state` / :meth:`_load_extra_state`.
The keys are the attribute names, so checkpoints written before this class existed still load.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from torch import nn


@contextmanager
def eval_mode(*modules: nn.Module) -> Iterator[None]:
    """``modules`` in eval mode inside, put back in *train* mode after (whatever they were before):
    the zoo's models sample this way, and a training step always follows."""
    for m in modules:
        m.eval()
    try:
        yield
    finally:
        for m in modules:
            m.train()


class ModelState:
    """``state_dict`` / ``load_state_dict`` over ``state_parts`` and the RNG ``state_rng``."""

    state_parts: tuple[str, ...] = ("G", "D", "opt_g", "opt_d")
    """Attributes with ``state_dict`` / ``load_state_dict`` (networks, optimisers, EMAs), saved under their names."""
    state_rng: str | None = "latent_rng"
    """The attribute holding the model's ``torch.Generator`` (saved under the same key), or None."""
    state_rng_optional: bool = False
    """Load checkpoints without the RNG key (kept as it is then)."""

    def _state_parts(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.state_parts}

    def _extra_state(self) -> dict[str, Any]:
        """Plain values saved beside the parts (before the RNG)."""
        return {}

    def _load_extra_state(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`_extra_state` saved."""

    def state_dict(self) -> dict[str, Any]:
        state = {k: part.state_dict() for k, part in self._state_parts().items()}
        state.update(self._extra_state())
        if self.state_rng is not None:
            state[self.state_rng] = getattr(self, self.state_rng).get_state()
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        for k, part in self._state_parts().items():
            part.load_state_dict(state[k])
        self._load_extra_state(state)
        if self.state_rng is not None and (self.state_rng in state or not self.state_rng_optional):
            rng = state[self.state_rng]
            getattr(self, self.state_rng).set_state(rng.cpu() if hasattr(rng, "cpu") else rng)
