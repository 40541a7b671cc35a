"""ganbench: a plugin-based benchmark and evaluation harness for GANs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ganbench")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+src"
