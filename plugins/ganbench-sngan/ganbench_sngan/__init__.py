"""SNGAN (Miyato et al. 2018): spectral-normalised ResNet D, hinge loss, n_dis 5."""

__version__ = "0.3.0"
