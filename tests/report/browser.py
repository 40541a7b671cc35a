"""Drive Debian's chromium with Playwright (no `playwright install`, no network)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path(os.environ.get("GANBENCH_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def browser_page(width: int = 1280, height: int = 900) -> Iterator[object]:
    """A fresh page in a fresh profile; the profile folder is removed afterwards."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="ganbench-chromium-") as profile, sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport={"width": width, "height": height},
        )
        try:
            yield ctx.pages[0] if ctx.pages else ctx.new_page()
        finally:
            ctx.close()


def screenshot(html: Path, png: Path, full_page: bool = True, width: int = 1280) -> None:
    with browser_page(width=width) as page:
        page.goto(html.resolve().as_uri())
        page.screenshot(path=str(png), full_page=full_page)


if __name__ == "__main__":  # python tests/report/browser.py REPORT.html OUT.png
    import sys

    screenshot(Path(sys.argv[1]), Path(sys.argv[2]), full_page=len(sys.argv) < 4)
