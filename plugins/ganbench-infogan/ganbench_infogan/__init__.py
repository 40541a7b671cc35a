"""InfoGAN (Chen et al. 2016) as a ganbench plugin."""

__version__ = "0.1.0"
