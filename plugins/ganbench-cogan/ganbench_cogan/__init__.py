"""Coupled GANs as a ganbench plugin: a joint distribution of two domains learned without pairs."""

__version__ = "0.1.0"
