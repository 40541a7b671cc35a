"""Relativistic GANs as a third-party ganbench plugin, written only against ganbench.api and
ganbench.contract.hookspecs (the public contract), with a dataset and a metric added through the hooks."""

__version__ = "0.1.0"
