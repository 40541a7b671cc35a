"""Fixtures for the resume tests: a deterministic tiny suite long enough to interrupt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.store import comparable
from tests.helpers.suites import gan, suite_text


def resume_suite_text(steps: int = 24, every: int = 8) -> str:
    """One deterministic seed of the small GAN on the ring, evaluated every ``every`` steps."""
    return suite_text(name="resume", seeds=1, deterministic=True, budget={"steps": steps},
                      eval={"n_samples": 200, "every": every}, models=[gan(packs=[1])])


RESUME_SUITE = resume_suite_text()

__all__ = ["RESUME_SUITE", "comparable", "resume_suite_text"]


@pytest.fixture
def resume_suite(write_suite) -> Path:
    return write_suite(RESUME_SUITE, "resume.yaml")


@pytest.fixture(autouse=True)
def _one_torch_thread(one_thread):
    """Tiny models gain nothing from a second thread, and on a busy machine OpenMP threads that
    wait on each other make runs 20x slower; one thread keeps these tests fast everywhere."""
