"""DCGAN (Radford, Metz and Chintala, ICLR 2016) as a ganbench plugin."""

__version__ = "0.1.0"
