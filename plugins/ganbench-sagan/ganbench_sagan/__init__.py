"""SAGAN-style (Zhang et al. 2019): self-attention at 16x16, spectral norm in G and D, hinge, TTUR."""

__version__ = "0.3.0"
