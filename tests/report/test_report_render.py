"""Rendering from stores written directly: sections present or omitted, escaping, offline, merging."""

from __future__ import annotations

import base64
import hashlib
import re
from html import unescape
from html.parser import HTMLParser

import pytest

from ganbench.cli import main
from ganbench.record.store import Store
from ganbench.report.build import render_report
from ganbench.report.load import load_stores

from .conftest import HOSTILE, write_store


class _Scan(HTMLParser):
    """Collects script tags, srcs/hrefs and leaderboard rows of a rendered report."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.in_script = False
        self.srcs: list[str] = []
        self.tables: dict[str, int] = {}
        self._table: str | None = None
        self._in_body = False
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "script":
            self.in_script = True
            self.scripts.append("")
        for k in ("src", "href"):
            if k in a:
                self.srcs.append(a[k])
        if tag == "table" and "leaderboard" in (a.get("class") or ""):
            self._table = a["data-dataset"]
            self.tables[self._table] = 0
        if tag == "tbody":
            self._in_body = True
        if tag == "tr" and self._table and self._in_body:
            self.tables[self._table] += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False
        if tag == "table":
            self._table, self._in_body = None, False

    def handle_data(self, data):
        if self.in_script:
            self.scripts[-1] += data


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Rendered once for the read-only checks below."""
    tmp = tmp_path_factory.mktemp("demo")
    out = render_report(write_store(tmp / "results.sqlite"), tmp / "r.html")
    html = out.read_text(encoding="utf-8")
    scan = _Scan()
    scan.feed(html)
    return html, scan


def test_all_sections_render_with_their_data(demo):
    html, scan = demo
    assert {"setup", "leaderboard", "ablation", "curves", "samples", "truncation", "throughput", "runs"} <= scan.ids
    assert scan.tables == {"mnist": 2, "mog-ring8": 3}  # gan p1, gan p2, and the failed model's row
    assert "PacGAN paper, pack 4" in html and "0.982 ± 0.002" in html  # PacGAN Table 1 beside ours
    assert "ganbench-mnist-cnn" in html  # extractor named beside FID
    assert "300 generator steps" in html and "2,500 generated samples" in html
    assert "Test CPU" in html and "1 failed" in html
    assert html.count("per-class samples of") == 1  # only the conditional model
    assert "PacGAN MoG, reduced budget" in html
    ablation = html[html.index('<section id="ablation">'):].split("</section>")[0]
    assert ">gan, pack 2<" in ablation and "PacGAN2" not in ablation  # the label as given, not "PacGAN2"


def test_user_text_is_escaped_and_only_the_sorter_runs(demo):
    html, scan = demo
    assert HOSTILE not in html
    assert "&lt;script&gt;window.__pwned = 1" in html
    assert "&lt;boom&gt; &amp; bust" in html  # the failed run's error, escaped
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html  # hyperparameters in the config
    assert len(scan.scripts) == 1
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    digest = base64.b64encode(hashlib.sha256(scan.scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp and "default-src 'none'" in csp


def test_report_is_self_contained(demo):
    html, scan = demo
    external = [s for s in scan.srcs if not (s.startswith("data:image/png;base64,") or s.startswith("#"))]
    assert external == []
    assert "http://" not in html and "https://" not in html
    assert sum(s.startswith("data:image/png") for s in scan.srcs) >= 8


def test_sections_without_data_are_left_out(make_store, tmp_path):
    out = render_report(make_store(images=False, fail=False), tmp_path / "r.html")
    html = out.read_text()
    assert 'id="truncation"' not in html and "per-class samples" not in html and "samples of gan pack 1" in html
    assert 'id="ablation"' in html
    empty = tmp_path / "empty.sqlite"
    Store.open(empty).close()
    html = render_report(empty, tmp_path / "e.html").read_text()
    assert "No finished runs yet." in html and 'id="curves"' not in html and 'id="throughput"' not in html


def test_merge_prefers_finished_runs_and_the_later_store(make_store):
    a = make_store("a.sqlite", images=False, fail=True)
    b = make_store("b.sqlite", images=False, fail=False, seeds=(0, 5), suite="demo")
    with Store.open(b) as s:  # b's copy of the failed run has finished
        s.upsert_run("demo/broken/mog-ring8/p1/s0", suite="demo", model="broken", label="broken", dataset="mog-ring8",
                     dataset_label="mog-ring8", seed=0, pack=1, config="{}", status="done")
    with load_stores([a, b]) as data:
        runs = data.runs.set_index("run_id")
        assert runs.loc["demo/broken/mog-ring8/p1/s0", "status"] == "done"
        assert runs.loc["demo/gan/mog-ring8/p1/s0", "_store"] == 1  # in both: the later store wins
        assert runs.loc["demo/gan/mog-ring8/p1/s1", "_store"] == 0  # only in a
        assert {"demo/gan/mog-ring8/p1/s5", "demo/gan/mog-ring8/p1/s2"} <= set(runs.index)
        assert len(runs) == 2 * 4 + 1
        assert set(data.metrics["_store"][data.metrics["run_id"] == "demo/gan/mog-ring8/p1/s0"]) == {1}
        assert data.array("demo/gan/mog-ring8/p1/s1", "samples").shape == (2500, 2)


def test_report_command_merges_stores(make_store, tmp_path, capsys):
    a = make_store("a.sqlite", images=False, fail=False, suite="alpha")
    b = make_store("b.sqlite", fail=False, suite="beta", model_prefix="x")
    out = tmp_path / "ab.html"
    assert main(["report", str(a), str(b), "--out", str(out)]) == 0
    html = out.read_text()
    assert "alpha + beta" in html and "xdcgan" in html and "gan pack 2" in html
    assert "report:" in capsys.readouterr().out
    assert main(["report", str(a), str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert "missing" in capsys.readouterr().err
