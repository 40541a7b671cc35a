"""Conditional GAN (Mirza & Osindero 2014): class labels fed to G and D, conv nets."""

__version__ = "0.1.0"
