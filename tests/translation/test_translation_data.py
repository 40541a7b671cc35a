"""mnist-translate: every domain is the exact transform of the same digit; unpaired parts never
share a digit; batches are paired only for paired models; the batcher resumes exactly."""

from __future__ import annotations

import pytest
import torch

from ganbench.data.translation import check
from ganbench.train.translation import TranslationBatcher


def test_views_are_exact_transforms(digits_inverted):
    ds = digits_inverted
    assert ds.domains == ("digits", "inverted") and ds.views.shape[:3] == (2, 300, 1)
    assert torch.equal(ds.views[1], -ds.views[0])  # inverted in [-1, 1] is negation, border included
    assert torch.equal(ds.eval_views[1], -ds.eval_views[0])
    assert ds.data.shape == (600, 1, 32, 32) and len(ds.labels) == 600
    assert float(ds.views.min()) >= -1 and float(ds.views.max()) <= 1


def test_params_refused_with_the_field_named():
    for bad, field in (({"domains": ["digits"]}, "domains"), ({"domains": ["digits", "sepia"]}, "sepia"),
                       ({"paired": "yes"}, "paired"), ({"n_eval": 10_000}, "n_eval"), ({"colour": 1}, "colour")):
        with pytest.raises(ValueError, match=field):
            check(bad)


def test_paired_batches_align_unpaired_do_not(digits_inverted, four_domains):
    b = TranslationBatcher(digits_inverted, torch.Generator().manual_seed(0), paired=True)
    batch, _ = b.next(64)
    assert batch.paired and torch.equal(batch.target, -batch.source)
    assert batch.source_domain.eq(0).all() and batch.target_domain.eq(1).all()
    # an unpaired model on the same paired data: its two domains never show the same digit image
    u2 = TranslationBatcher(digits_inverted, torch.Generator().manual_seed(0), paired=False)
    seen = [set(), set()]
    for _ in range(5):
        b2, _ = u2.next(64)
        seen[0] |= {x.numpy().tobytes() for x in b2.source}
        seen[1] |= {(-x).numpy().tobytes() for x in b2.target}  # back to the digit it shows
    assert seen[0] and seen[1] and not seen[0] & seen[1]
    # the same paired data handed to an unpaired model: targets are other digits than the sources
    ds = four_domains
    u = TranslationBatcher(ds, torch.Generator().manual_seed(0), paired=False)
    batch, _ = u.next(300)
    assert not batch.paired and (batch.source_domain != batch.target_domain).all()
    flat = ds.views.flatten(2)
    for img, dom in zip(batch.source[:50].flatten(1), batch.source_domain[:50], strict=True):
        i = int((flat[dom] == img).all(1).nonzero()[0])  # which content it is
        assert int(ds.part[i]) == int(dom)  # each content only ever appears in its own domain


def test_batcher_state_restores_the_stream(four_domains):
    a = TranslationBatcher(four_domains, torch.Generator().manual_seed(3), paired=False)
    a.next(100)
    state = a.state()
    want, _ = a.next(50)
    b = TranslationBatcher(four_domains, torch.Generator().manual_seed(99), paired=False)
    b.restore(state)
    got, _ = b.next(50)
    assert torch.equal(want.source, got.source) and torch.equal(want.target_domain, got.target_domain)
