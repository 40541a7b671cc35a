"""CelebA, LSUN and STL-10: the clear missing-data message (offline), parameter checks, and the
resize + centre-crop path on torchvision's FakeData."""

from __future__ import annotations

import pytest
import torch

from ganbench.api import DatasetRequest
from ganbench.data import torchvision_sets as tv
from ganbench.data.images import DatasetFilesMissing


def _req(root, **params):
    return DatasetRequest(params=params, root=root, device=torch.device("cpu"), download=False)


@pytest.mark.parametrize("load, expected, fix", [
    (tv.celeba_load, "celeba/img_align_celeba", "ganbench data prepare celeba"),
    (tv.lsun_load, "bedroom_train_lmdb", "python download.py -c bedroom"),
    (tv.stl_load, "stl10_binary/unlabeled_X.bin", "ganbench data prepare stl10"),
])
def test_missing_data_says_which_files_and_how_to_get_them(tmp_path, load, expected, fix):
    (tmp_path / "data").mkdir()
    with pytest.raises(DatasetFilesMissing) as exc:
        load(_req(tmp_path / "data"))
    msg = str(exc.value)
    assert expected in msg and fix in msg and str(tmp_path / "data") in msg


def test_params_are_checked_by_name():
    with pytest.raises(ValueError, match="dataset 'celeba': resolution must be one of"):
        tv.celeba_check({"resolution": 100})
    with pytest.raises(ValueError, match="dataset 'lsun': category must be one of"):
        tv.lsun_check({"category": "cats"})
    with pytest.raises(ValueError, match="unknown parameter"):
        tv.stl_check({"splt": "train"})
    assert tv.stl_check({})["resolution"] == 48  # SNGAN's STL-10 resolution


def test_requirements_list_the_files(tmp_path):
    reqs = tv.stl_requirements(tmp_path, {"split": "train"})
    assert [r.path.name for r in reqs] == ["train_X.bin", "train_y.bin"] and not any(r.present for r in reqs)


def test_resize_and_crop_of_a_torchvision_dataset():
    from torchvision.datasets import FakeData

    ds = FakeData(size=5, image_size=(3, 80, 120), num_classes=3, transform=tv._transform(32))
    images, labels = tv._materialise(ds, 4, with_labels=True)
    assert images.shape == (4, 3, 32, 32) and images.dtype == torch.uint8 and labels.shape == (4,)
    out = tv._finish("x", images, labels, ("a", "b", "c"), {"resolution": 32}, tv.Path("."), torch.device("cpu"))
    assert out.num_classes == 3 and out.data.min() >= -1 and out.data.max() <= 1
