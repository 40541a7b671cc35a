"""f-GAN as a ganbench plugin: variational divergence minimisation with any f-divergence."""

__version__ = "0.1.0"
