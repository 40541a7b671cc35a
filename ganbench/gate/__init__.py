"""Stage 7, gate: baselines and the CI regression check (``ganbench check``)."""
