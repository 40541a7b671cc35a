"""ganbench plugin module: SeqGAN, its MLE baseline and a random generator (token sequences)."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl

from . import __version__
from .models import MLE, RandomGenerator, SeqGAN

PAPER = "Yu, Zhang, Wang, Yu, SeqGAN: Sequence Generative Adversarial Nets with Policy Gradient, AAAI 2017"
CAPS = Capabilities(data_kinds=("sequence",), conditional=False, packing=False)

# The authors' sequence_gan.py / generator.py (README.md: where each default comes from).
G_DEFAULTS = {"emb_dim": 32, "hidden_dim": 32, "init_std": 0.1, "lr": 0.01, "grad_clip": 5.0}
SEQGAN_DEFAULTS = {
    **G_DEFAULTS,
    "pretrain_steps": 18_750,  # 120 MLE epochs of 10,000 sequences at batch 64
    "adv_lr": 0.01,
    "rollouts": 16,
    "d_emb_dim": 64,
    "d_filter_sizes": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20],
    "d_num_filters": [100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160],
    "d_dropout_keep": 0.75,
    "d_l2": 0.2,
    "d_lr": 1e-4,
    "d_batch_size": 64,
    "d_pretrain_rounds": 50,
    "d_rounds": 5,
    "d_epochs": 3,
    "n_negatives": 10_000,
    "real_bank": 10_000,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="seqgan",
            build=SeqGAN,
            version=__version__,
            description="SeqGAN: LSTM G pre-trained by MLE, then policy gradient with Monte Carlo roll-outs rewarded by a CNN D",
            paper=PAPER,
            capabilities=CAPS,
            defaults=SEQGAN_DEFAULTS,
        ),
        ModelSpec(
            name="seq-mle",
            build=MLE,
            version=__version__,
            description="MLE baseline of SeqGAN: the same LSTM generator trained by maximum likelihood (teacher forcing)",
            paper=PAPER,
            capabilities=CAPS,
            defaults=G_DEFAULTS,
        ),
        ModelSpec(
            name="seq-random",
            build=RandomGenerator,
            version=__version__,
            description="Random baseline of SeqGAN's Table 1: i.i.d. tokens from the data's frequencies (or uniform, or the untrained LSTM)",
            paper=PAPER,
            capabilities=CAPS,
            defaults={**G_DEFAULTS, "tokens": "unigram"},
        ),
    ]
