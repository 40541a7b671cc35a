"""MNIST, Fashion-MNIST, stacked-MNIST and CIFAR-10 providers: data, determinism, bad input."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from ganbench.api import DatasetRequest
from ganbench.data.images import DatasetFileCorrupt, DatasetFilesMissing, check_idx_file

CPU = torch.device("cpu")


def _req(root: Path, **params) -> DatasetRequest:
    return DatasetRequest(params=params, root=root, device=CPU, download=False)


# -- missing and corrupt files ------------------------------------------------------------------


def test_missing_mnist_names_files_and_fix(registry, tmp_path):
    with pytest.raises(DatasetFilesMissing) as e:
        registry.dataset("mnist").load(_req(tmp_path))
    msg = str(e.value)
    assert "train-images-idx3-ubyte" in msg and str(tmp_path) in msg
    assert "ganbench data prepare mnist" in msg


def test_wrong_root_says_it_does_not_exist(registry, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        registry.dataset("fashion-mnist").load(_req(tmp_path / "nope"))


def test_stacked_mnist_without_mnist_says_so(registry, tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        registry.dataset("stacked-mnist").load(_req(tmp_path, n_samples=10))
    assert "stacked-mnist is built from MNIST" in str(e.value)
    assert "ganbench data prepare mnist" in str(e.value)


def _write_idx(path: Path, arr: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    path.write_bytes(header + arr.astype(np.uint8).tobytes())


def test_truncated_idx_file_is_named(tmp_path):
    p = tmp_path / "train-images-idx3-ubyte"
    _write_idx(p, np.zeros((5, 28, 28), np.uint8))
    assert check_idx_file(p, "mnist") == (5, 28, 28)
    p.write_bytes(p.read_bytes()[:-100])
    with pytest.raises(DatasetFileCorrupt) as e:
        check_idx_file(p, "mnist")
    assert str(p) in str(e.value) and "truncated" in str(e.value) and "ganbench data prepare mnist" in str(e.value)
    p.write_bytes(b"garbage!" * 10)
    with pytest.raises(DatasetFileCorrupt, match="bad magic"):
        check_idx_file(p, "mnist")


def test_corrupt_mnist_file_fails_load_with_its_name(registry, tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for split, n in (("train", 6), ("t10k", 4)):
        _write_idx(raw / f"{split}-images-idx3-ubyte", np.random.randint(0, 255, (n, 28, 28)))
        _write_idx(raw / f"{split}-labels-idx1-ubyte", np.arange(n) % 10)
    ds = registry.dataset("mnist").load(_req(tmp_path))
    assert tuple(ds.data.shape) == (6, 1, 28, 28) and ds.labels.tolist() == [0, 1, 2, 3, 4, 5]
    bad = raw / "train-labels-idx1-ubyte"
    bad.write_bytes(bad.read_bytes()[:-2])
    with pytest.raises(DatasetFileCorrupt, match="train-labels-idx1-ubyte"):
        registry.dataset("mnist").load(_req(tmp_path))


def test_unknown_parameter_and_bad_resolution(registry, tmp_path):
    with pytest.raises(ValueError, match="unknown parameter.*n_sample"):
        registry.dataset("stacked-mnist").load(_req(tmp_path, n_sample=5))
    with pytest.raises(ValueError, match="resolution must be one of"):
        registry.dataset("mnist").load(_req(tmp_path, resolution=64))


# -- CIFAR-10 in the real pickle format -----------------------------------------------------------


def _cifar_batch(path: Path, n: int, seed: int) -> tuple[np.ndarray, list[int]]:
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
    labels = [int(x) for x in rng.integers(0, 10, n)]
    d = {b"batch_label": b"testing batch", b"labels": labels, b"data": data,
         b"filenames": [f"img{i}.png".encode() for i in range(n)]}
    with open(path, "wb") as f:
        pickle.dump(d, f, protocol=2)
    return data, labels


@pytest.fixture
def cifar_root(tmp_path) -> Path:
    d = tmp_path / "cifar-10-batches-py"
    d.mkdir()
    for i in range(1, 6):
        _cifar_batch(d / f"data_batch_{i}", 3, i)
    _cifar_batch(d / "test_batch", 2, 99)
    return tmp_path


def test_cifar_reads_the_real_format(registry, cifar_root):
    ds = registry.dataset("cifar10").load(_req(cifar_root))
    assert tuple(ds.data.shape) == (15, 3, 32, 32) and ds.kind == "image" and ds.num_classes == 10
    assert -1.0 <= float(ds.data.min()) and float(ds.data.max()) <= 1.0
    data, labels = _cifar_batch(cifar_root / "x", 3, 1)  # regenerate batch 1 to compare
    first = torch.from_numpy(data.reshape(3, 3, 32, 32)).float() / 127.5 - 1
    assert torch.allclose(ds.data[:3], first) and ds.labels[:3].tolist() == labels
    test = registry.dataset("cifar10").load(_req(cifar_root, split="test"))
    assert len(test) == 2


def test_cifar_refuses_arbitrary_globals(registry, cifar_root, tmp_path):
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = cifar_root / "cifar-10-batches-py" / "data_batch_3"
    path.write_bytes(pickle.dumps({b"data": Evil(), b"labels": []}, protocol=2))
    with pytest.raises(DatasetFileCorrupt) as e:
        registry.dataset("cifar10").load(_req(cifar_root))
    assert "data_batch_3" in str(e.value) and "not allowed" in str(e.value)
    assert not marker.exists()


def test_cifar_truncated_and_missing(registry, cifar_root):
    path = cifar_root / "cifar-10-batches-py" / "test_batch"
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(DatasetFileCorrupt, match="test_batch"):
        registry.dataset("cifar10").load(_req(cifar_root, split="test"))
    path.unlink()
    with pytest.raises(DatasetFilesMissing) as e:
        registry.dataset("cifar10").load(_req(cifar_root, split="test"))
    assert "test_batch" in str(e.value) and "cifar-10-batches-py" in str(e.value)


# -- real MNIST ---------------------------------------------------------------------------------


def test_mnist_on_device_in_unit_range(registry, mnist_root):
    ds = registry.dataset("mnist").load(DatasetRequest({"split": "test"}, mnist_root, CPU))
    assert tuple(ds.data.shape) == (10_000, 1, 28, 28) and ds.data.dtype == torch.float32
    assert float(ds.data.min()) == -1.0 and float(ds.data.max()) == 1.0
    assert ds.num_classes == 10 and ds.info["evaluator"] == "mnist"
    assert torch.bincount(ds.labels, minlength=10).min() > 800
    ds32 = registry.dataset("mnist").load(DatasetRequest({"split": "test", "resolution": 32}, mnist_root, CPU))
    assert tuple(ds32.data.shape[1:]) == (1, 32, 32)
    assert torch.equal(ds32.data[:, :, 2:30, 2:30], ds.data) and float(ds32.data[:, :, :2].max()) == -1.0


def test_fashion_mnist_loads(registry, fashion_root):
    """fashion_root skips locally without the files but fails in CI (CI=true), which provisions them."""
    ds = registry.dataset("fashion-mnist").load(DatasetRequest({"split": "test"}, fashion_root, CPU))
    assert tuple(ds.data.shape) == (10_000, 1, 28, 28) and ds.info["evaluator"] == "fashion-mnist"


def test_stacked_mnist_deterministic_and_labelled(registry, mnist_root):
    from ganbench.data.mnist import load_split

    spec = registry.dataset("stacked-mnist")
    a = spec.load(DatasetRequest({"n_samples": 500, "data_seed": 3}, mnist_root, CPU))
    b = spec.load(DatasetRequest({"n_samples": 500, "data_seed": 3}, mnist_root, CPU))
    c = spec.load(DatasetRequest({"n_samples": 500, "data_seed": 4}, mnist_root, CPU))
    assert tuple(a.data.shape) == (500, 3, 28, 28) and a.num_classes == 1000 and a.info["digit_channels"] == 3
    assert torch.equal(a.data, b.data) and not torch.equal(a.data, c.data)
    # every channel is an MNIST training digit, and the label is its mode
    images, labels = load_split(mnist_root, "mnist", "train")
    from ganbench.data.stacked_mnist import stack_indices

    idx = stack_indices(len(images), 500, 3)
    assert torch.equal(a.data[7, 1], images[idx[7, 1]].float() / 127.5 - 1)
    d = labels[idx]
    assert torch.equal(a.labels, d[:, 0] * 100 + d[:, 1] * 10 + d[:, 2])
    r32 = spec.load(DatasetRequest({"n_samples": 50, "data_seed": 3, "resolution": 32}, mnist_root, CPU))
    assert tuple(r32.data.shape) == (50, 3, 32, 32) and torch.equal(r32.data[:, :, 2:30, 2:30], a.data[:50])
