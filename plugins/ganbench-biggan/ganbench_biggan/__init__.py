"""BigGAN-style, small (Brock et al. 2019): shared-embedding conditional BN, projection D, orthogonal reg., truncation."""

__version__ = "0.3.0"
