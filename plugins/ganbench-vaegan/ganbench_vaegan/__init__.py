"""VAE-GAN (Larsen, Sønderby, Larochelle, Winther, ICML 2016) as a ganbench plugin."""

__version__ = "0.1.0"
