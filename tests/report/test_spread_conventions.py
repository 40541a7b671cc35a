"""One spread convention per table, printed in its caption, and the numbers follow it: the
leaderboard ± sample std (ddof = 1), the PacGAN ablation ± standard error like the paper beside it."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import yaml
from scipy import stats

from ganbench.report.build import render_report

SEEDS = (0, 1, 2)
# tests/report/conftest.py writes modes = 6.0 + 0.5·seed and hq_share = 0.8 + 0.01·seed for gan pack 1
MODES = [6.0 + 0.5 * s for s in SEEDS]
HQ = [0.9 - 0.1 + 0.01 * s for s in SEEDS]


class Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"class": dict(attrs).get("class", ""), "caption": "", "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]["rows"]:
            self.tables[-1]["rows"][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell.append(data)


def _tables(make_store, tmp_path) -> list[dict]:
    p = Tables()
    p.feed(render_report(make_store(seeds=SEEDS), tmp_path / "r.html").read_text())
    return p.tables


def _row(table: dict, first: str, pack: str) -> list[str]:
    return next(r for r in table["rows"] if r[:2] == [first, pack])


def test_leaderboard_says_std_and_shows_the_sample_std(make_store, tmp_path):
    board = next(t for t in _tables(make_store, tmp_path) if "leaderboard" in t["class"] and _has(t, "modes"))
    assert "± std" in board["caption"] and "ddof = 1" in board["caption"]
    header = next(r for r in board["rows"] if "model" in r)
    row = _row(board, "gan", "1")
    modes = row[[i for i, h in enumerate(header) if h.startswith("modes")][0]]
    text, ci = modes.split("[")
    assert text.strip() == f"{np.mean(MODES):.1f} ± {np.std(MODES, ddof=1):.1f}" == "6.5 ± 0.5"
    # beside it, the 95 % t interval of the mean (scipy's), and under the table the smallest
    # difference 3 seeds would detect
    lo, hi = stats.t.interval(0.95, len(MODES) - 1, loc=np.mean(MODES), scale=stats.sem(MODES))
    assert ci == f"{lo:.1f}, {hi:.1f}]"


def test_leaderboard_states_the_smallest_difference_its_seeds_detect(make_store, tmp_path):
    """Under the table: the minimum detectable difference at 80 % power, so "≈" reads as "cannot
    tell" (statsmodels' power solver as the oracle; both MoG rows have modes std 0.5 over 3 seeds)."""
    from statsmodels.stats.power import TTestIndPower

    html = render_report(make_store(seeds=SEEDS), tmp_path / "r.html").read_text()
    note = html[html.index('data-dataset="mog-ring8"'):]
    note = note[note.index('class="legend-note mdd"'):note.index("</p>", note.index('class="legend-note mdd"'))]
    expected = TTestIndPower().solve_power(nobs1=3, alpha=0.05, power=0.8) * 0.5
    assert f"modes {expected:.1f} (n = 3)" in note and "80 % power" in note


def test_ablation_says_standard_error_and_shows_it(make_store, tmp_path):
    abl = next(t for t in _tables(make_store, tmp_path) if "ablation" in t["class"])
    assert "standard error" in abl["caption"] and "std" not in abl["caption"].replace("std / √n", "")
    names = abl["rows"][1]  # second header row: the metric names
    row = _row(abl, "gan", "1")[2:]
    assert row[names.index("modes")] == f"{np.mean(MODES):.1f} ± {stats.sem(MODES):.1f}" == "6.5 ± 0.3"
    assert row[names.index("hq_share")] == f"{np.mean(HQ):.3f} ± {stats.sem(HQ):.3f}" == "0.810 ± 0.006"


def _has(table: dict, metric: str) -> bool:
    return any(any(c.startswith(metric) for c in r) for r in table["rows"])


def test_paper_suites_do_not_tell_readers_to_rescale(repo: Path):
    for name in ("pacgan-mog-paper.yaml", "pacgan-ablation.yaml", "pacgan-stacked-mnist-paper.yaml", "pacgan-small-d-paper.yaml"):
        protocol = yaml.safe_load((repo / "suites" / name).read_text())["protocol"]
        assert "sqrt" not in protocol and "standard error" in protocol, name
