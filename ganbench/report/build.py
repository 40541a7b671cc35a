"""Build the HTML report from one or several results stores (so it can be rebuilt any time).

The page is one file: plots are inline PNG data URIs, the only script is the inline column
sorter, and a Content-Security-Policy allows exactly that script (by hash), inline styles and
data: images. So the report opens offline, fetches nothing, and even text that escaped escaping
could not run.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

import jinja2

from ganbench import __version__
from ganbench.report import plot_sections, run_sections, sections, throughput
from ganbench.report.aggregate import add_noise, final_metrics, mark_best, summarize
from ganbench.report.figures import model_figures
from ganbench.report.load import load_stores
from ganbench.report.published import published
from ganbench.report.script import SORT_JS
from ganbench.report.translation import translation_sections
from ganbench.util.atomic import write_text_atomic

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("ganbench.report", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
SORT_JS_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SORT_JS.encode("utf-8")).digest()).decode()
CSP = f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src '{SORT_JS_HASH}'"


def render_report(store_path: str | Path | Sequence[str | Path], out: str | Path) -> Path:
    """Render the report of one store (or several, merged) to ``out``; returns ``out``."""
    out = Path(out)
    with load_stores(store_path) as data:
        final = final_metrics(data.runs, data.metrics)
        summary = add_noise(mark_best(summarize(final)), final)
        packed = sections.packed_any(data.runs)
        colors = sections.palette(data.runs, packed)
        head = sections.header(data, final)
        title = "ganbench — " + (" + ".join(head["suites"]) or "results")
        from ganbench.report.comparability import banners

        html = _env.get_template("report.html").render(
            title=title,
            banners=banners(data.metrics),
            csp=CSP,
            script=SORT_JS,
            generated=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            version=__version__,
            head=head,
            tables=sections.leaderboards(summary, data.runs),
            ablation=sections.ablation(summary),
            published=published(data),
            curves=plot_sections.curve_plots(data, colors, packed),
            losses=plot_sections.loss_plots(data, packed),
            samples=plot_sections.sample_sections(data, packed),
            translations=translation_sections(data),
            figures=model_figures(data, packed),
            truncation=plot_sections.truncation(summary, colors, packed),
            throughput=throughput.throughput(summary, colors, packed, data.runs),
            runs=run_sections.run_sections(data),
        )
    write_text_atomic(out, html, mode=0o644)  # a report is meant to be shared
    return out
