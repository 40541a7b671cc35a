"""The throughput table says, per row, how many runs trained at once beside it (runs.concurrency),
and warns when rows trained under different concurrency: their steps/s are not comparable."""

from __future__ import annotations

import json

from ganbench.record.store import Store
from ganbench.report.build import render_report


def _section(html: str) -> str:
    s = html[html.index('<section id="throughput">'):]
    return s[: s.index("</section>")]


def test_concurrency_is_shown_and_a_mix_is_flagged(make_store, tmp_path):
    path = make_store(images=False)
    with Store.open(path) as s:
        runs = s.runs()
        for rid, pack in zip(runs.run_id, runs.pack):
            jobs = 1 if pack == 1 else 2
            s.upsert_run(rid, concurrency=json.dumps({"executor": "local", "jobs": jobs, "threads": 1}))
    html = _section(render_report(path, tmp_path / "r.html").read_text())
    assert '<td class="l concurrency">1 run at once × 1 thread</td>' in html
    assert '<td class="l concurrency">2 runs at once × 1 thread</td>' in html
    assert "different concurrency" in html and 'class="warn mixed-modes"' in html


def test_old_stores_read_unrecorded_and_are_not_flagged(make_store, tmp_path):
    html = _section(render_report(make_store(images=False), tmp_path / "r.html").read_text())
    assert '<td class="l concurrency">unrecorded</td>' in html and "different concurrency" not in html
