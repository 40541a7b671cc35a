"""Stage 2, run: the matrix executed (the runner hands runs to an executor in ganbench.executors)."""
