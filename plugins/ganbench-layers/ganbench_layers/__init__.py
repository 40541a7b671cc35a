"""Shared building blocks for the ganbench model zoo (no entry point: a library, not a plugin)."""

__version__ = "0.3.0"
