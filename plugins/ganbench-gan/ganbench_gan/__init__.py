"""The original GAN (Goodfellow et al. 2014) as a ganbench plugin."""

__version__ = "0.1.0"
