"""Inference GANs (BiGAN, ALI, VEEGAN) as a ganbench plugin."""

__version__ = "0.1.0"
