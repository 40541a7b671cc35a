"""EBGAN (Zhao, Mathieu and LeCun, ICLR 2017) as a ganbench plugin."""

__version__ = "0.1.0"
