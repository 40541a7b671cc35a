"""CoGAN: the two-domain MNIST data, the pixel agreement ratio on inputs with known answers, the
coupling (what is shared) and the baseline's pairs. The conformance kit runs both models in
tests/plugin_kit/test_kit_first_party_models.py (PAIR_KIT)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from ganbench_cogan.model import CoGAN, ConditionalGAN
from ganbench_cogan.plugin import DEFAULTS

from ganbench.api import BuildContext, Dataset, MetricContext
from ganbench.data.domain_pairs import build, check, transform
from ganbench.metrics.pixel_agreement import agreement, applies, compute
from ganbench.testing import one_thread

TINY = {"width": 0.0625}


def _digits(n: int = 40) -> torch.Tensor:
    """Stand-in digits: uint8 28x28 blobs of different sizes and places (no MNIST files needed)."""
    g = torch.Generator().manual_seed(0)
    x = torch.zeros(n, 28, 28, dtype=torch.uint8)
    for i in range(n):
        r, c = (int(v) for v in torch.randint(4, 18, (2,), generator=g))
        x[i, r : r + 6 + i % 5, c : c + 3 + i % 4] = 255
    return x


def test_domains_follow_the_authors_transforms_and_never_pair() -> None:
    u8 = _digits()
    data = build(u8, ["digits", "edges"], seed=3)
    assert data.shape == (20, 2, 28, 28) and data.min() >= -1 and data.max() <= 1
    perm = torch.randperm(40, generator=torch.Generator().manual_seed(3))
    x = u8[perm].float() / 255
    assert torch.equal(data[:, 0], x[:20] * 2 - 1)
    edges = F.max_pool2d(x[20:].unsqueeze(1), 3, 1, 1).squeeze(1) - x[20:]  # cv2.dilate(img, 3x3) - img
    assert torch.allclose(data[:, 1], edges * 2 - 1)
    neg = build(u8, ["digits", "negative"], seed=3)
    assert torch.allclose(neg[:, 1], (1 - x[20:]) * 2 - 1)
    for bad, msg in [({"domains": ["digits"]}, "exactly 2"), ({"domains": ["digits", "rot90"]}, "unknown domain"),
                     ({"domains": ["edges", "edges"]}, "must differ"), ({"split_seed": "a"}, "split_seed")]:
        with pytest.raises(ValueError, match=msg):
            check(bad)


def test_pixel_agreement_by_hand() -> None:
    first = -torch.ones(1, 1, 2, 2)
    first[0, 0, 0, 0] = 1.0  # one ink pixel
    # negative of `first` has ink everywhere but (0, 0); the second image gets 3 of the 4 pixels right
    second = torch.tensor([[[[-1.0, 1.0], [1.0, -1.0]]]])
    assert float(agreement(torch.cat([first, second], 1), ["digits", "negative"])) == pytest.approx(0.75)
    perfect = torch.cat([first, transform("negative", first)], 1)
    assert float(agreement(perfect, ["digits", "negative"])) == 1.0
    # a negative first domain is undone before transforming: (negative, digits) of a pair that agrees
    assert float(agreement(torch.cat([-first, first], 1), ["negative", "digits"])) == 1.0


def test_metric_scores_pairs_and_draws_them() -> None:
    data = build(_digits(), ["digits", "edges"], seed=0)
    ds = Dataset("mnist-pairs", "image", data, info={"extra": {"domain_pair": ["digits", "edges"]}})
    assert applies(ds)
    assert not applies(Dataset("mnist-pairs", "image", data, info={"extra": {"domain_pair": ["edges", "digits"]}}))
    perfect = torch.cat([data[:, :1], transform("edges", data[:, :1])], 1)
    ctx = MetricContext(ds, perfect, None, torch.device("cpu"), Path("."), final=True)
    out = compute(ctx)
    assert out["pixel_agreement"].value == 1.0 and out["pixel_agreement"].direction == "higher"
    (grid,) = ctx.figures.values()
    assert grid.shape == (3, 10, 1, 28, 28)
    unrelated = compute(MetricContext(ds, data, None, torch.device("cpu"), Path(".")))["pixel_agreement"].value
    assert unrelated < 0.99


def _ctx(**hp: object) -> BuildContext:
    return BuildContext.for_tests((2, 28, 28), batch_size=4, hparams={**DEFAULTS, **TINY, **hp})


def test_cogan_shares_the_first_g_layers_and_the_last_d_layers() -> None:
    shared, apart = CoGAN(_ctx()), CoGAN(_ctx(share=False))
    n = sum(p.numel() for m in shared._modules().values() for p in m.parameters())
    n_apart = sum(p.numel() for m in apart._modules().values() for p in m.parameters())
    trunk = sum(p.numel() for p in shared.g_shared.parameters()) + sum(p.numel() for p in shared.d_shared.parameters())
    assert n_apart - n == trunk > 0
    # both domains' losses reach the shared G trunk; each head only through its own domain
    z = torch.rand(3, 100) * 2 - 1
    out = shared._generate(z)
    out[:, 1].sum().backward()
    assert shared.g_shared[1].weight.grad is not None and shared.g_shared[1].weight.grad.abs().sum() > 0
    head0 = shared.g_heads[0].conv.weight.grad
    assert head0 is None or not head0.any()
    # one latent -> one pair; the two images come from one trunk state
    assert out.shape == (3, 2, 28, 28)


def test_baseline_pairs_differ_only_by_the_domain_input() -> None:
    m = ConditionalGAN(_ctx())
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    a, b = m.sample(4, generator=g1), m.sample(4, generator=g2)
    assert torch.equal(a, b) and a.shape == (4, 2, 28, 28)
    z = torch.rand(4, 100, generator=torch.Generator().manual_seed(5)) * 2 - 1
    m.G.eval()
    with torch.no_grad():
        assert torch.allclose(a[:, :1], m._g(z, 0)) and torch.allclose(a[:, 1:], m._g(z, 1))


def test_refuses_other_data_in_one_line() -> None:
    with pytest.raises(ValueError, match=r"needs two-domain 28x28 pairs \(dataset mnist-pairs"):
        CoGAN(BuildContext.for_tests((1, 28, 28), hparams={**DEFAULTS, **TINY}))
    with pytest.raises(ValueError, match="hparam share must be true or false"):
        CoGAN(_ctx(share="yes"))
    with pytest.raises(ValueError, match="hparam width"):
        ConditionalGAN(_ctx(width=0))


def test_training_steps_move_both_models() -> None:
    with one_thread():
        for cls in (CoGAN, ConditionalGAN):
            m = cls(_ctx())
            before = {k: v.clone() for k, v in m.state_dict()["d_shared" if cls is CoGAN else "D"].items()}
            losses = m.train_step(torch.rand(4, 2, 28, 28) * 2 - 1)
            assert set(losses) == {"d_loss", "g_loss"} and all(torch.isfinite(v) for v in losses.values())
            after = m.state_dict()["d_shared" if cls is CoGAN else "D"]
            assert any(not torch.equal(before[k], after[k]) for k in before)
