"""The translation metrics against oracles with known answers: an identity translator on identical
pairs, a translator that returns the ground truth, an exact inverse pair for the cycle error."""

from __future__ import annotations

import torch

from ganbench.api import MetricContext
from ganbench.contract.translation import TranslationDataset
from ganbench.metrics.fidelity import feature_stats, fid_from_stats
from ganbench.metrics.translation import compute_translation
from ganbench.train.translation import evaluate

N = 600


class Fn:
    """A translator that applies ``fn(x, target_domain)``; ``bidirectional`` for the cycle error."""

    def __init__(self, fn):
        self.fn = fn

    def translate(self, source, target_domain, *, generator=None):
        return self.fn(source, target_domain)


def caps(bidirectional=False):
    from ganbench.api import Capabilities

    return Capabilities(data_kinds=("image",), packing=False, task="translate", bidirectional=bidirectional)


def metrics(ds, model, cache, bidirectional=False, n=N):
    ev = evaluate(model, caps(bidirectional), ds, n, torch.Generator().manual_seed(0), "oracle")
    ctx = MetricContext(dataset=ds, samples=ev.translated, labels=None, device=torch.device("cpu"),
                        cache_dir=cache, options={}, final=True, translation=ev)
    return ev, compute_translation(ctx)


def same_domain_twice(ds: TranslationDataset) -> TranslationDataset:
    """Domain 0 shown as both domains: every pair is two identical images."""
    v, e = ds.views[:1].expand(2, -1, -1, -1, -1).contiguous(), ds.eval_views[:1].expand(2, -1, -1, -1, -1).contiguous()
    return TranslationDataset("identical-pairs", "image", v.flatten(0, 1), ds.labels, 10, ds.info,
                              domains=("digits", "digits-again"), views=v, eval_views=e, eval_labels=ds.eval_labels)


def test_identity_on_identical_pairs(digits_inverted, evaluator, refstats_dir):
    ds = same_domain_twice(digits_inverted)
    ev, m = metrics(ds, Fn(lambda x, d: x), refstats_dir)
    assert m["l1"].value == 0.0
    # label preserved is exactly the evaluator's accuracy on those inputs
    acc = float((evaluator.predict(ev.source).cpu() == ds.eval_labels[:N]).float().mean())
    assert abs(m["label_preserved"].value - acc) < 1e-9 and acc > 0.95
    assert m["translate_fid"].direction == "lower" and m["label_preserved"].direction == "higher"
    assert "cycle_l1" not in m  # one-directional: no cycle


def test_ground_truth_translator_reaches_real_vs_real(digits_inverted, evaluator, refstats_dir):
    ds = digits_inverted  # digits -> inverted: the truth is -x
    _, good = metrics(ds, Fn(lambda x, d: -x), refstats_dir)
    _, bad = metrics(ds, Fn(lambda x, d: x), refstats_dir)  # leaves the digit as it is
    assert good["l1"].value == 0.0 and abs(bad["l1"].value - float((ds.eval_views[0, :N]).abs().mean())) < 1e-6
    # FID of the truth against the reference, computed here from the evaluator's own features
    feats = lambda x: evaluator.features(x).double()  # noqa: E731 - inverted images are read back as digits
    with torch.no_grad():
        truth, ref = feats(ds.eval_views[0, :N]), feats(ds.eval_views[0, 9000:])
    real_vs_real = fid_from_stats(*feature_stats(truth), *feature_stats(ref))
    assert abs(good["translate_fid"].value - real_vs_real) < 0.02 * real_vs_real + 1e-3
    assert f"real vs real (ground truth) {good['translate_fid'].value:.3g}" in good["translate_fid"].note
    assert bad["translate_fid"].value > 10 * good["translate_fid"].value
    assert good["label_preserved"].value > 0.95 and bad["label_preserved"].value < 0.6


def test_cycle_error_is_zero_for_an_exact_inverse_pair(digits_inverted, evaluator, refstats_dir):
    _, m = metrics(digits_inverted, Fn(lambda x, d: -x), refstats_dir, bidirectional=True)
    assert m["cycle_l1"].value == 0.0
    _, m = metrics(digits_inverted, Fn(lambda x, d: (-x).clamp(-1, 0)), refstats_dir, bidirectional=True)
    assert m["cycle_l1"].value > 0.05  # loses the strokes: the way back cannot restore them


def test_several_domains_report_each_and_their_mean(four_domains, evaluator, refstats_dir):
    from ganbench.data.translation import DOMAINS

    ds = four_domains

    def truth(x, d):  # source domain 0 is the digit itself
        return torch.stack([DOMAINS[ds.domains[int(k)]](xi[None])[0] for xi, k in zip(x, d, strict=True)])

    ev, m = metrics(ds, Fn(truth), refstats_dir, n=300)
    assert ev.target_domain.tolist()[:4] == [1, 2, 3, 1]
    for key in ("translate_fid", "label_preserved", "l1"):
        per = [m[f"{key}/{d}"].value for d in ("thick", "inverted", "rot90")]
        assert abs(m[key].value - sum(per) / 3) < 1e-9
    assert m["l1"].value == 0.0
    # rotated and inverted digits are read back exactly: the evaluator's accuracy on those digits
    for d, name in ((2, "inverted"), (3, "rot90")):
        sel = ev.target_domain == d
        acc = float((evaluator.predict(ev.source[sel]).cpu() == ev.content_labels[sel]).float().mean())
        assert abs(m[f"label_preserved/{name}"].value - acc) < 1e-9


def test_an_imagenet_extractor_is_refused_for_digit_labels(digits_inverted, refstats_dir):
    """label_preserved compares the classifier's classes with digit labels: Inception's ImageNet
    classes are not digits, so the option must be refused, not silently used."""
    import pytest

    ev = evaluate(Fn(lambda x, d: -x), caps(), digits_inverted, 50, torch.Generator().manual_seed(0), "oracle")
    ctx = MetricContext(dataset=digits_inverted, samples=ev.translated, labels=None, device=torch.device("cpu"),
                        cache_dir=refstats_dir, options={"fidelity_extractor": "inception-v3"}, final=True,
                        translation=ev)
    with pytest.raises(ValueError, match="cannot score translations; label_preserved"):
        compute_translation(ctx)


def test_per_domain_rows_count_their_own_translations(four_domains, evaluator, refstats_dir):
    ev, m = metrics(four_domains, Fn(lambda x, d: x), refstats_dir, n=300)
    for d, name in ((1, "thick"), (2, "inverted"), (3, "rot90")):
        own = int((ev.target_domain == d).sum())
        assert own == 100  # 300 inputs sent to domains 1, 2, 3 in turn
        for key in ("translate_fid", "label_preserved", "l1"):
            assert m[f"{key}/{name}"].n_samples == own
    assert m["l1"].n_samples == 300  # the headline covers them all


def test_a_changed_canonical_transform_does_not_reuse_stale_reference_statistics(digits_inverted, evaluator, tmp_path):
    """The reference features are computed after the domain's canonical transform: a different
    transform must miss the cache. Oracle: the same computation with an empty cache."""
    import dataclasses

    shared = tmp_path / "shared"
    metrics(digits_inverted, Fn(lambda x, d: -x), shared)  # caches the statistics of -x (inverted read back)
    changed = dataclasses.replace(digits_inverted, canonical={})  # now the evaluator sees inverted images as they are
    _, reused = metrics(changed, Fn(lambda x, d: -x), shared)
    _, fresh = metrics(changed, Fn(lambda x, d: -x), tmp_path / "empty")
    assert reused["translate_fid"].value == fresh["translate_fid"].value
