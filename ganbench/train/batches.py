"""Batches from a device-resident dataset.

Indexing a tensor that already lives on the device costs one gather per batch: no workers, no
host-to-device copies. The order is a fresh permutation per epoch from the run's data-order seed,
so every model sees the same data in the same order for the same seed.
"""

from __future__ import annotations

import torch

from ganbench.contract import Dataset


class DeviceBatcher:
    def __init__(self, dataset: Dataset, generator: torch.Generator):
        self.data = dataset.data
        self.labels = dataset.labels
        self.n = len(dataset)
        self._g = generator
        self._perm = torch.empty(0, dtype=torch.long, device=self.data.device)
        self._pos = 0
        self.epoch = 0

    def _new_epoch(self) -> None:
        self._perm = torch.randperm(self.n, generator=self._g).to(self.data.device, non_blocking=True)
        self._pos = 0
        self.epoch += 1

    def next(self, k: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``k`` samples without replacement within an epoch (spanning epochs when needed)."""
        parts = []
        need = k
        while need:
            if self._pos >= self._perm.numel():
                self._new_epoch()
            take = min(need, self._perm.numel() - self._pos)
            parts.append(self._perm[self._pos : self._pos + take])
            self._pos += take
            need -= take
        idx = parts[0] if len(parts) == 1 else torch.cat(parts)
        return self.data[idx], (self.labels[idx] if self.labels is not None else None)

    def state(self) -> dict:
        return {"perm": self._perm.cpu(), "pos": self._pos, "epoch": self.epoch, "g": self._g.get_state()}

    def restore(self, state: dict) -> None:
        self._perm = state["perm"].to(self.data.device)
        self._pos = int(state["pos"])
        self.epoch = int(state["epoch"])
        self._g.set_state(state["g"])
