"""No module over 500 lines: a file that grows past it has taken on a second job (split it by job)."""

from __future__ import annotations

from pathlib import Path

LIMIT = 500


def test_no_module_is_over_the_limit(repo: Path) -> None:
    files = [p for top in ("ganbench", "plugins", "benchmarks", "tests") for p in (repo / top).rglob("*.py")
             if not any(part in ("build", ".venv") or part.endswith(".egg-info") for part in p.parts)]
    assert len(files) > 200
    big = {str(p.relative_to(repo)): n for p in files if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMIT}
    assert not big, f"modules over {LIMIT} lines: {big}"
