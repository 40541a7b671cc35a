"""The report in a real browser (Debian's chromium driven by Playwright): rows, images, sorting,
and a plugin description holding ``<script>`` that shows as text and runs nothing.

Locally the test skips when chromium is missing; in CI (CI=true) it fails instead, because .ci/run
installs chromium and a skipped browser test there would hide a broken report.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ganbench.report.build import render_report

from .browser import CHROMIUM, browser_page
from .conftest import HOSTILE

if not CHROMIUM.exists():
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{CHROMIUM} is missing in CI (.ci/run installs it with apt-get)", pytrace=False)
    pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)", allow_module_level=True)

LEADERBOARD = "table.leaderboard[data-dataset='mog-ring8']"


def _column(page, table: str, idx: int) -> list[str]:
    return page.eval_on_selector_all(f"{table} tbody tr", f"rows => rows.map(r => r.cells[{idx}].textContent.trim())")


def test_report_in_chromium(make_store, tmp_path):
    report = render_report(make_store(), tmp_path / "report.html")
    errors: list[str] = []
    with browser_page() as page:
        page.on("pageerror", lambda e: errors.append(str(e)))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.resolve().as_uri())
        page.wait_for_load_state("load")

        # leaderboard rows: one per model × pack, incl. the failed model
        assert _column(page, LEADERBOARD, 0) == ["broken", "gan", "gan"]
        assert page.locator("table.leaderboard[data-dataset='mnist'] tbody tr").count() == 2

        # every image decoded
        widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
        assert len(widths) >= 8 and min(widths) > 0

        # sorting: click "modes" (column 3) → ascending, again → descending; missing values stay last
        head = page.locator(f"{LEADERBOARD} thead th", has_text="modes")
        idx = page.eval_on_selector_all(f"{LEADERBOARD} thead th", "ths => ths.map(t => t.textContent)")
        col = next(i for i, t in enumerate(idx) if t.strip().startswith("modes"))
        head.click()
        asc = _column(page, LEADERBOARD, col)
        head.click()
        desc = _column(page, LEADERBOARD, col)
        vals = lambda xs: [float(x.split("±")[0]) for x in xs if x != "—"]  # noqa: E731
        assert vals(asc) == sorted(vals(asc)) and vals(desc) == sorted(vals(desc), reverse=True)
        assert vals(asc) != vals(desc) and asc[-1] == "—" and desc[-1] == "—"
        assert head.get_attribute("aria-sort") == "descending"

        # the hostile description is text, and its script never ran
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.title() != "pwned"
        page.locator("details.run summary").nth(3).click()
        texts = page.eval_on_selector_all("p.description", "ps => ps.map(p => p.textContent)")
        assert any("<script>window.__pwned = 1" in t for t in texts)
        assert page.locator("p.description script, p.description img").count() == 0
        # a link in the runs table opens that run's collapsed section
        assert page.eval_on_selector("#run-2", "d => d.open") is False
        page.locator("table.runs a").nth(1).click()
        assert page.eval_on_selector("#run-2", "d => d.open") is True
        assert not errors, errors
        assert all(u.startswith(("file:", "data:")) for u in requests), requests

        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        if os.environ.get("GANBENCH_REPORT_SCREENSHOT"):  # keep it for a human to look at
            shutil.copy(shot, Path(os.environ["GANBENCH_REPORT_SCREENSHOT"]))
    assert HOSTILE  # the fixture text is what was checked above
