"""Metrics. Each module registers its metric families through the ``ganbench_metrics`` hook."""
