"""The harness-owned training loop: budgets, seeding, packing, one run from build to metrics."""
