"""LSGAN (Mao et al. 2017): least-squares adversarial losses on a DCGAN-style conv G/D."""

__version__ = "0.1.0"
