"""Results-store write speed: metric rows per second, as evaluations write them (one transaction
per evaluation), and single-row transactions per second (the worst case: one metric at a time).

    python -m pytest benchmarks/test_bench_store.py --benchmark-only
"""

from __future__ import annotations

import itertools

import pytest

from ganbench.record.store import MetricRow, Store

ROWS_PER_EVAL = 8  # modes, hq_share, reverse_kl, gen/train throughput, ...: one MoG evaluation


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "bench") as s:
        s.upsert_run("r0", suite="bench", model="gan", label="gan", dataset="mog-ring8", dataset_label="mog-ring8",
                     seed=0, pack=1, config={}, status="running")
        yield s


def _rows(step: int, n: int) -> list[MetricRow]:
    return [MetricRow("r0", step, step / 10, step / 100, f"metric_{i}", float(i), "higher") for i in range(n)]


def test_bench_store_evaluation_writes(benchmark, store, quick, machine):
    """One ``add_metrics`` call (one transaction) per evaluation of ROWS_PER_EVAL metrics."""
    steps = itertools.count()
    batches = 20 if quick else 200

    def write() -> None:
        for _ in range(batches):
            store.add_metrics(_rows(next(steps), ROWS_PER_EVAL))

    benchmark.group = "store"
    benchmark.pedantic(write, rounds=2 if quick else 5, iterations=1)
    per_round = batches * ROWS_PER_EVAL
    benchmark.extra_info.update(
        machine=machine, rows_per_round=per_round, transactions_per_round=batches,
        rows_per_s=per_round / benchmark.stats.stats.median,
        transactions_per_s=batches / benchmark.stats.stats.median,
    )
    assert len(store.metrics()) == per_round * (2 if quick else 5)


def test_bench_store_single_row_transactions(benchmark, store, quick, machine):
    steps = itertools.count(10**6)
    n = 20 if quick else 200

    def write() -> None:
        for _ in range(n):
            store.add_metrics(_rows(next(steps), 1))

    benchmark.group = "store"
    benchmark.pedantic(write, rounds=2 if quick else 5, iterations=1)
    benchmark.extra_info.update(machine=machine, transactions_per_s=n / benchmark.stats.stats.median)
    assert store.integrity_ok()
