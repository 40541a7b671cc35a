"""CycleGAN as a ganbench translation plugin."""

__version__ = "0.1.0"
