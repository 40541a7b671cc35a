"""ProGAN's metrics (plugin ganbench-image-metrics): the multi-scale SWD against the authors'
pyramid written with scipy and against scipy's 1-D Wasserstein distance, MS-SSIM against the
pytorch-msssim implementation, and both on sets with known answers."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage
import scipy.stats
import torch
import torch.nn.functional as F
from ganbench_image_metrics import msssim, swd
from ganbench_image_metrics.plugin import compute_ms_ssim, compute_swd

from ganbench.api import Dataset, MetricContext

GAUSS = np.float32(np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1])) / 256.0


def _scipy_pyramid(x: np.ndarray, levels: int) -> list[np.ndarray]:
    """The authors' generate_laplacian_pyramid (scipy.ndimage.convolve, mode 'mirror'), written out."""
    def down(m):
        return scipy.ndimage.convolve(m, GAUSS[None, None], mode="mirror")[:, :, ::2, ::2]

    def up(m):
        res = np.zeros((m.shape[0], m.shape[1], m.shape[2] * 2, m.shape[3] * 2), m.dtype)
        res[:, :, ::2, ::2] = m
        return scipy.ndimage.convolve(res, GAUSS[None, None] * 4.0, mode="mirror")

    pyr = [np.float32(x)]
    for _ in range(1, levels):
        pyr.append(down(pyr[-1]))
        pyr[-2] = pyr[-2] - up(pyr[-1])
    return pyr


def _digits(n: int, size: int = 32, seed: int = 0) -> torch.Tensor:
    """Structured images: a bright bar at a random place and orientation, in [-1, 1]."""
    g = torch.Generator().manual_seed(seed)
    out = -torch.ones(n, 1, size, size)
    for i in range(n):
        r, c = torch.randint(4, size - 12, (2,), generator=g).tolist()
        if torch.rand(1, generator=g) < 0.5:
            out[i, 0, r : r + 8, c : c + 2] = 1
        else:
            out[i, 0, r : r + 2, c : c + 8] = 1
    return out


def test_pyramid_matches_the_authors_scipy_pyramid():
    x = np.random.default_rng(0).uniform(0, 255, (3, 2, 32, 32)).astype(np.float32)
    ours = swd.laplacian_pyramid(torch.from_numpy(x), 3)
    ref = _scipy_pyramid(x, 3)
    assert [tuple(o.shape) for o in ours] == [r.shape for r in ref] == [(3, 2, 32, 32), (3, 2, 16, 16), (3, 2, 8, 8)]
    for o, r in zip(ours, ref):
        np.testing.assert_allclose(o.numpy(), r, atol=1e-3)
    assert swd.levels_for(128) == [128, 64, 32, 16] and swd.levels_for(28) == [28] and swd.levels_for(60) == [60, 30]


def test_one_dimensional_descriptors_give_scipys_wasserstein_distance():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 500), rng.normal(0.7, 1.5, 500)
    ours = swd.sliced_wasserstein(torch.tensor(a)[:, None].float(), torch.tensor(b)[:, None].float(),
                                  torch.Generator().manual_seed(0), 2, 8)
    assert ours == pytest.approx(scipy.stats.wasserstein_distance(a, b), rel=1e-4)


def test_descriptors_are_the_patches_around_random_centres():
    level = torch.arange(2 * 3 * 16 * 16, dtype=torch.float32).reshape(2, 3, 16, 16)
    d = swd.descriptors(level, torch.Generator().manual_seed(0), nhoods_per_image=5)
    assert d.shape == (10, 3, 7, 7)
    for k in range(10):  # every descriptor is a contiguous 7x7 window of its own image
        img, (y, x) = k // 5, divmod(int(d[k, 0, 0, 0]) - int(level[k // 5, 0, 0, 0]), 16)
        assert torch.equal(d[k], level[img, :, y : y + 7, x : x + 7])
    flat = swd.finalize(d)
    per_channel = flat.reshape(10, 3, 49)
    assert torch.allclose(per_channel.mean(dim=(0, 2)), torch.zeros(3), atol=1e-4)
    assert torch.allclose(per_channel.std(dim=(0, 2), unbiased=False), torch.ones(3), atol=1e-4)


def test_swd_is_zero_on_identical_sets_and_grows_with_blur_and_noise():
    real = _digits(100)
    kw = {"seed": 3, "nhoods_per_image": 32, "dir_repeats": 2, "dirs_per_repeat": 64}
    same = swd.multiscale_swd(real, real.clone(), **kw)
    assert list(same) == [32, 16] and all(v == 0 for v in same.values())
    blur = [F.avg_pool2d(real, k, 1, k // 2) for k in (3, 5)]
    noise = torch.rand_like(real) * 2 - 1
    other = swd.multiscale_swd(real, _digits(100, seed=9), **kw)[32]
    mild, strong = (swd.multiscale_swd(real, b, **kw)[32] for b in blur)
    far = swd.multiscale_swd(real, noise, **kw)[32]
    assert other < mild < strong < far, (other, mild, strong, far)


def test_swd_refuses_mismatched_sets():
    with pytest.raises(ValueError, match="one shape"):
        swd.multiscale_swd(torch.zeros(4, 1, 32, 32), torch.zeros(5, 1, 32, 32))
    with pytest.raises(ValueError, match="smaller than the 16 px"):
        swd.multiscale_swd(torch.zeros(4, 1, 8, 8), torch.zeros(4, 1, 8, 8))


def test_ms_ssim_matches_pytorch_msssim_at_five_scales():
    pytorch_msssim = pytest.importorskip("pytorch_msssim")
    torch.manual_seed(0)
    x = torch.rand(2, 1, 176, 176) * 2 - 1
    y = (F.avg_pool2d(x, 3, 1, 1) + 0.1 * torch.randn_like(x)).clamp(-1, 1)
    ours = msssim.pairwise_ms_ssim(x, y)
    ref = pytorch_msssim.ms_ssim((x + 1) / 2, (y + 1) / 2, data_range=1, size_average=False)
    assert msssim.scales_for(176) == 5
    assert torch.allclose(ours, ref, atol=2e-3)


def test_ms_ssim_known_answers():
    real = _digits(64)
    assert torch.allclose(msssim.pairwise_ms_ssim(real, real), torch.ones(64), atol=1e-5)
    collapsed = real[:1].expand(64, -1, -1, -1).contiguous()
    assert msssim.mean_pair_ms_ssim(collapsed, 200) == pytest.approx(1.0, abs=1e-5)
    diverse = msssim.mean_pair_ms_ssim(torch.rand(64, 1, 32, 32) * 2 - 1, 200)
    assert diverse < msssim.mean_pair_ms_ssim(real, 200) < 1.0
    mild = msssim.pairwise_ms_ssim(real, F.avg_pool2d(real, 3, 1, 1)).mean()
    strong = msssim.pairwise_ms_ssim(real, F.avg_pool2d(real, 7, 1, 3)).mean()
    assert 1.0 > mild > strong
    assert [msssim.scales_for(s) for s in (28, 32, 60, 64, 128)] == [2, 2, 3, 3, 4]
    with pytest.raises(ValueError, match="too small"):
        msssim.scales_for(8)


def _ctx(samples, ds, **options):
    return MetricContext(dataset=ds, samples=samples, labels=None, device=torch.device("cpu"),
                         cache_dir=None, options=options, final=True)  # type: ignore[arg-type]


def test_metric_plugins_on_a_dataset_and_their_bad_options():
    ds = Dataset("bars", "image", _digits(100, seed=5))
    good = compute_swd(_ctx(_digits(40, seed=6), ds, swd_images=40))
    bad = compute_swd(_ctx(torch.rand(40, 1, 32, 32) * 2 - 1, ds, swd_images=40))
    assert set(good) == {"swd_32", "swd_16", "swd_avg"} and good["swd_avg"].direction == "lower"
    assert good["swd_avg"].value < bad["swd_avg"].value and good["swd_32"].n_samples == 40
    ms = compute_ms_ssim(_ctx(ds.data[:1].expand(40, -1, -1, -1), ds, ms_ssim_pairs=50))
    assert ms["ms_ssim"].value == pytest.approx(1.0, abs=1e-5) and ms["ms_ssim_real"].value < 0.9
    assert ms["ms_ssim_gap"].value > 0.1 and ms["ms_ssim_gap"].direction == "lower"
    with pytest.raises(ValueError, match="swd_images"):
        compute_swd(_ctx(ds.data[:10], ds, swd_images="many"))
    with pytest.raises(ValueError, match="ms_ssim_pairs"):
        compute_ms_ssim(_ctx(ds.data[:10], ds, ms_ssim_pairs=-3))


def test_metrics_apply_to_every_image_dataset_only(registry):
    for name in ("swd", "ms-ssim"):
        spec = registry.metrics[name]
        assert spec.final_only
        assert spec.applies_to(Dataset("mnist", "image", torch.zeros(4, 1, 28, 28)))
        assert not spec.applies_to(Dataset("ring", "vector", torch.zeros(4, 2)))
        assert not spec.applies_to(Dataset("tiny", "image", torch.zeros(4, 1, 8, 8)))
