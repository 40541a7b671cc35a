"""StyleGAN's styles must depend on z from the first step: the mapping net keeps w at unit-order
variance (StyleGAN2's equalised-lr init) and the affine A spreads it into per-channel styles.
With PyTorch's default Linear init w came out ~0.1, the styles varied by a few per cent with z,
and every seed of suites/zoo-sanity.yaml collapsed to one digit."""

from __future__ import annotations

import torch

from ganbench.api import BuildContext


def _generator(registry):
    spec = registry.model("stylegan")
    ctx = BuildContext.for_tests((1, 28, 28), hparams={**spec.defaults, "g_ch": 16, "d_ch": 16})
    return spec.build(ctx).G


def test_mapping_keeps_w_at_unit_order_variance(registry):
    G = _generator(registry)
    z = torch.randn(2048, G.z_dim, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        w = G.mapping(z)
    assert 0.3 < float(w.std()) < 3.0, float(w.std())


def test_styles_and_images_vary_with_z_at_initialisation(registry):
    G = _generator(registry).eval()
    z = torch.randn(256, G.z_dim, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        s = G.layers[0].conv.affine(G.mapping(z))
        x = G(z, generator=torch.Generator().manual_seed(1))
    assert float(s.std(0).mean()) > 0.3, "per-channel styles must differ between latents"
    assert float(x.flatten(1).std(0).mean()) > 0.02
