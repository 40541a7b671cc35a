"""ProGAN (Karras, Aila, Laine, Lehtinen, ICLR 2018) as a ganbench plugin."""

__version__ = "0.2.0"
