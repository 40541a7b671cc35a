"""WGAN-GP (Gulrajani et al. 2017): Wasserstein critic with a gradient penalty, Adam, n_critic 5."""

__version__ = "0.2.0"
