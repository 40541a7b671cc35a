"""Rendering a results store into one self-contained HTML file."""
