"""ganbench's own model plugins go through the same conformance kit third parties use.

Parametrized over every model whose distribution is listed in plugins/requirements.txt, so new
first-party plugins are picked up without touching this file. Width hyperparameters are capped
(``tiny_hparams``: 64 for vector models, 16 for image models, which run at 8x8): the contract does
not depend on the size, and CI time does.
"""

from __future__ import annotations

import pytest

from ganbench.plugins import load_registry
from ganbench.testing import check_model, checks_for, tiny_hparams

from .conftest import first_party_distributions, norm

_REG = load_registry()
_FIRST = {norm(d) for d in first_party_distributions()}
# Text-to-image models take captions (token ids) where the kit's data has class labels: their
# contract is checked by tests/progan_family/test_text_to_image.py, not by the generic kit.
FIRST_PARTY = sorted(
    name for name, owner in _REG.model_owner.items()
    if owner.distribution and norm(owner.distribution) in _FIRST and _REG.models[name].capabilities.task != "text-to-image"
)


# Models whose paper defaults do not move the kit's toy data within its short `improves` run; every
# check runs with these (plugin READMEs say why). InfoGAN: the information term dominates G's first
# steps (8x8 squares, 60 steps: sliced Wasserstein 0.84 -> 0.85 at lambda 1; 0.84 -> 0.61 at lambda 0
# and D's lr 1e-3). Unrolled GAN: the notebook's 2-D nets start near the ring (0.21) and need
# thousands of steps to reach its std-0.01 modes (gain 0.5, D's lr 1e-3, 1 unrolled step: 0.56 -> 0.35).
KIT_HPARAMS = {
    "infogan": {"lr_d": 1e-3, "lambda_cat": 0.0, "lambda_cont": 0.0},
    "unrolled": {"lr_d": 1e-3, "unroll_steps": 1, "init_gain": 0.5},
}


# Checks a model cannot pass at the kit's toy size, with why. ProGAN (WGAN-GP with growth from 4 px,
# the whole kimg schedule squeezed into the kit's 60 steps) moves sliced Wasserstein only 0.999 ->
# 0.953 (the check asks 10 %); its learning is checked by suites/zoo-sanity-progan.yaml.
KIT_SKIP = {"progan": ("improves",)}


# Translation models (ganbench.testing.translation_kit's checks): pix2pix moves its toy task within 60 steps
# at lr 1e-3 (at the paper's 2e-4, width 4, 40 steps: sliced Wasserstein 0.87 -> 0.81, under the 10 %
# the check asks). StarGAN's WGAN-GP needs about 500 steps (width 16: 0.82 -> 0.07, 5 CPU minutes),
# so its `improves` is left out here; every other check runs at a small width.
TRANSLATION_KIT = {
    "pix2pix": ({"lr": 1e-3}, ()),
    "cyclegan": ({"ngf": 8, "ndf": 8, "n_blocks": 1}, ()),  # two Gs of 6 blocks: 160 s at width 16
    "stargan": ({"g_conv_dim": 8, "d_conv_dim": 8, "g_repeat_num": 1, "n_critic": 2}, ("improves",)),
}


# Sequence models (the kit's 12-token Markov chain, length 8): SeqGAN pre-trains by MLE for 40 of
# the 60 `improves` steps, then trains adversarially (every other check reaches its adversarial
# branch too: D pre-training, roll-outs, D rounds), with D and its workload cut to toy size.
SEQUENCE_KIT = {
    "seqgan": {"pretrain_steps": 40, "rollouts": 2, "d_emb_dim": 8,
               "d_filter_sizes": [2, 3], "d_num_filters": [8, 8], "d_pretrain_rounds": 1, "d_rounds": 1,
               "d_epochs": 1, "n_negatives": 64, "real_bank": 256, "d_batch_size": 32},
}


# Two-domain pair models (CoGAN, its conditional-GAN baseline) need mnist-pairs' (2, 28, 28) samples;
# lr 1e-3 without weight decay moves the baseline in 60 steps, CoGAN's coupled pair needs longer
# (sliced Wasserstein 0.90 -> 0.87 in 60 steps), so its `improves` is left to suites/cogan-mnist-cpu.yaml.
PAIR_KIT = {
    "cogan": ({"width": 0.0625, "lr": 1e-3, "weight_decay": 0.0}, ("improves",)),
    "cogan-cgan": ({"width": 0.0625, "lr": 1e-3, "weight_decay": 0.0}, ()),
}


def kit_options(name: str) -> dict:
    spec = _REG.models[name]
    if name in PAIR_KIT:
        return {"data_shape": (2, 28, 28), "hparams": PAIR_KIT[name][0], "batch_size": 16, "train_steps": 60}
    caps = spec.capabilities
    extra = KIT_HPARAMS.get(name, {})
    if "vector" in caps.data_kinds:
        return {"hparams": {**tiny_hparams(spec, 64), **extra}}
    if "sequence" in caps.data_kinds:
        return {"hparams": {**SEQUENCE_KIT.get(name, {}), **extra}, "batch_size": 16, "train_steps": 60}
    res = max(8, caps.min_resolution or 8)
    return {"data_shape": (1, res, res), "hparams": {**tiny_hparams(spec, 16), **extra}, "batch_size": 16,
            "train_steps": 60}


def test_first_party_models_found():
    assert "gan" in FIRST_PARTY, f"the gan plugin is not installed as a first-party distribution: {sorted(_FIRST)}"


@pytest.mark.parametrize("name", FIRST_PARTY)
def test_first_party_model_passes_kit(name: str):
    spec, options = _REG.models[name], kit_options(name)
    if spec.capabilities.task == "translate":  # translate instead of sample: the translation checks
        extra, skip = TRANSLATION_KIT.get(name, ({}, ()))
        options["hparams"] = {**options["hparams"], **extra}
        report = check_model(spec, checks=[c for c in checks_for(spec) if c not in skip], **options)
        assert report.ok and set(report.results) >= {"shapes", "determinism", "state_dict", "updates", "domains"}
        if "improves" in skip:
            return
        assert set(report.results) >= {"improves"}
    elif name in PAIR_KIT:
        skip = PAIR_KIT[name][1]
        report = check_model(spec, checks=[c for c in checks_for(spec) if c not in skip], **options)
        assert report.ok and set(report.results) >= {"shapes", "determinism", "state_dict", "updates"}
        if "improves" in skip:
            return
    elif name in KIT_SKIP:
        report = check_model(spec, checks=[c for c in checks_for(spec) if c not in KIT_SKIP[name]], **options)
        assert report.ok and set(report.results) >= {"shapes", "determinism", "state_dict", "updates"}
        return
    else:
        report = check_model(spec, **options)
        assert report.ok
        assert set(report.results) >= {"shapes", "determinism", "state_dict", "packing", "improves"}
    if "improves" in report.skipped:  # a baseline that never trains (the random sequence generator)
        assert "updates" in report.skipped and not spec.capabilities.packing
        return
    if "sequence" in spec.capabilities.data_kinds:
        assert report.notes["chain_nll_after"] < report.notes["chain_nll_before"]
        return
    assert report.notes["swd_after"] < report.notes["swd_before"]
