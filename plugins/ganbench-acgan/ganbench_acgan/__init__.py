"""AC-GAN (Odena et al. 2017): conditional G, D with an auxiliary classifier head."""

__version__ = "0.1.0"
