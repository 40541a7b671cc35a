"""The image-folder dataset: resize + centre-crop, labels from subfolders, unreadable files named
and counted, the content hash that keys the reference statistics."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch

from ganbench.api import DatasetRequest
from ganbench.data import image_folder
from ganbench.metrics.refstats import dataset_hash, reference_stats
from tests.outputs.images import draw_shapes


def _load(path, **params):
    return image_folder.load(DatasetRequest(params={"path": str(path), **params}, root=path, device=torch.device("cpu")))


def test_resize_crop_and_labels(tmp_path):
    base = draw_shapes(tmp_path / "imgs", per_class=4)
    ds = _load(base, resolution=32)
    assert ds.data.shape == (8, 3, 32, 32) and ds.data.min() >= -1 and ds.data.max() <= 1
    assert ds.num_classes == 2 and ds.info.classes == ("discs", "squares")
    assert ds.labels.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    gray = _load(base, resolution=16, channels=1, labels=False)
    assert gray.data.shape == (8, 1, 16, 16) and gray.labels is None


def test_centre_crop_keeps_the_middle(tmp_path):
    from PIL import Image

    base = tmp_path / "one"
    base.mkdir()
    a = np.zeros((64, 128, 3), np.uint8)
    a[:, 32:96] = 255  # a white middle square in a wide black image
    Image.fromarray(a).save(base / "wide.png")
    ds = _load(base, resolution=32)
    assert ds.data.shape == (1, 3, 32, 32)
    assert float(ds.data.mean()) > 0.9  # the crop is the white middle, the black sides are cut


def test_unreadable_images_are_named_and_counted(tmp_path, caplog):
    base = draw_shapes(tmp_path / "imgs", per_class=3)
    (base / "squares" / "broken.png").write_bytes(b"not a png")
    with caplog.at_level(logging.WARNING):
        ds = _load(base, resolution=16)
    assert len(ds) == 6 and ds.info.extra["skipped"][0].startswith("squares/broken.png")
    assert "1 of 7 image(s) unreadable: squares/broken.png" in caplog.text
    with pytest.raises(ValueError, match="1 of 7 image"):
        _load(base, resolution=16, on_bad="error")


def test_bad_params_and_empty_folders(tmp_path):
    with pytest.raises(ValueError, match="params.path"):
        image_folder.check({})
    with pytest.raises(ValueError, match="resolution must be one of"):
        image_folder.check({"path": "x", "resolution": 50})
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no .png/.jpg/.jpeg files"):
        _load(tmp_path / "empty")


def test_reference_statistics_cached_by_folder_content(tmp_path):
    base = draw_shapes(tmp_path / "imgs", per_class=4)
    calls = []

    def features_of(idx):
        calls.append(len(idx))
        return ds.data[idx].flatten(1)[:, :8]

    ds = _load(base, resolution=16)
    assert dataset_hash(ds) == ds.info.extra["content_hash"]
    _, cached = reference_stats(tmp_path / "cache", ds, "test", "w", 8, 8, features_of)
    assert not cached and calls
    ds = _load(base, resolution=16)  # loaded again: same content, statistics from the cache
    n_calls = len(calls)
    _, cached = reference_stats(tmp_path / "cache", ds, "test", "w", 8, 8, features_of)
    assert cached and len(calls) == n_calls
    first = base / "discs" / "000.jpg"
    first.write_bytes(first.read_bytes() + b"\0")  # one byte more: another folder content
    assert _load(base, resolution=16).info.extra["content_hash"] != ds.info.extra["content_hash"]
    assert _load(base, resolution=32).info.extra["content_hash"] != ds.info.extra["content_hash"]
