"""Stage 8, gate: baselines and the CI regression check (``ganbench check``)."""
