"""The data path: batches/s from the device-resident stacked-MNIST provider vs a torchvision
DataLoader over the same images.

ganbench holds small datasets as one float tensor on the run's device, so a batch is one gather
(``DeviceBatcher.next``). The usual PyTorch pipeline keeps uint8 images on the host, converts and
normalises each item with torchvision transforms, collates in a DataLoader, and copies every
batch to the device. Both sides produce the same thing: 64 stacked-MNIST images in [-1, 1] on the
device, shuffled per epoch.

    python -m pytest benchmarks/test_bench_data.py --benchmark-only
"""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import DataLoader
from torch.utils.data import Dataset as TorchDataset

from ganbench.api import DatasetRequest
from ganbench.data import default_root
from ganbench.train.batches import DeviceBatcher

BATCH = 64


def _device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@pytest.fixture(scope="module")
def stacked(registry, quick):
    from ganbench.data.mnist import mnist_files

    root = default_root()
    if any(not p.is_file() for p in mnist_files(root)):
        pytest.skip(f"MNIST not found under {root} (ganbench data prepare mnist)")
    n = 16_000 if quick else 128_000
    return registry.dataset("stacked-mnist").load(DatasetRequest({"n_samples": n}, root, _device()))


class StackedImages(TorchDataset):
    """The same images the way a torchvision dataset serves them: uint8 on the host, transformed per item."""

    def __init__(self, u8: torch.Tensor):
        from torchvision.transforms import v2

        self.u8 = u8
        self.tf = v2.Compose([v2.ToDtype(torch.float32, scale=True), v2.Normalize([0.5] * 3, [0.5] * 3)])

    def __len__(self) -> int:
        return self.u8.shape[0]

    def __getitem__(self, i: int) -> torch.Tensor:
        return self.tf(self.u8[i])


def _n_batches(quick: bool) -> int:
    return 50 if quick else 500


def test_device_resident_batches(benchmark, stacked, quick, machine):
    batcher = DeviceBatcher(stacked, torch.Generator().manual_seed(0))
    k = _n_batches(quick)

    def run() -> torch.Tensor:
        for _ in range(k):
            x, _ = batcher.next(BATCH)
        if x.is_cuda:
            torch.cuda.synchronize()
        return x

    x = benchmark.pedantic(run, rounds=3 if quick else 5, warmup_rounds=1)
    assert x.shape == (BATCH, 3, 28, 28) and x.device.type == _device().type
    benchmark.extra_info.update(machine)
    benchmark.extra_info["batches_per_s"] = k / benchmark.stats["mean"]


@pytest.mark.parametrize("workers", [0, 2])
def test_torchvision_dataloader_batches(benchmark, stacked, quick, machine, workers):
    u8 = ((stacked.data.cpu() + 1) * 127.5).round().to(torch.uint8)
    loader = DataLoader(StackedImages(u8), batch_size=BATCH, shuffle=True, num_workers=workers,
                        pin_memory=torch.cuda.is_available(), persistent_workers=workers > 0,
                        generator=torch.Generator().manual_seed(0))
    device = _device()
    k = _n_batches(quick)
    state = {"it": iter(loader)}

    def next_batch() -> torch.Tensor:
        try:
            return next(state["it"])
        except StopIteration:
            state["it"] = iter(loader)
            return next(state["it"])

    def run() -> torch.Tensor:
        for _ in range(k):
            x = next_batch().to(device, non_blocking=True)
        if x.is_cuda:
            torch.cuda.synchronize()
        return x

    x = benchmark.pedantic(run, rounds=3 if quick else 5, warmup_rounds=1)
    assert x.shape == (BATCH, 3, 28, 28) and -1.0 <= float(x.min()) and float(x.max()) <= 1.0
    assert torch.allclose(StackedImages(u8)[0], stacked.data[0].cpu(), atol=1e-6)  # the same data
    benchmark.extra_info.update(machine)
    benchmark.extra_info["batches_per_s"] = k / benchmark.stats["mean"]
    benchmark.extra_info["num_workers"] = workers
