"""WGAN (Arjovsky et al. 2017): Wasserstein critic with weight clipping, RMSProp, n_critic 5."""

__version__ = "0.1.0"
