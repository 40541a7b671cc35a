"""Unrolled GAN (Metz et al. 2017) as a ganbench plugin."""

__version__ = "0.1.0"
