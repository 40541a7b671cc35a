"""Done-when of the report's "nothing lost" round: a suite mixing ``gan`` on the ring (packs 1 and
2), ``dcgan`` on MNIST and a third-party dataset trains and renders a full report.

Before, this very mix crashed the packing-ablation table (a Jinja2 error on the empty cells: the
ring has PacGAN numbers, MNIST's modes only a pack-1 row) after every run had been stored.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.helpers.plugins import blob_dataset_source, installed_plugin
from tests.helpers.suites import gan, ring, suite_text

BLOB = blob_dataset_source(400, "a third-party Gaussian blob")

def _suite(root) -> str:
    """Two seeds of ``gan`` (packs 1 and 2) and ``dcgan`` on the ring, MNIST under ``root`` and the blob."""
    dcgan = {"model": "dcgan", "hparams": {"g_base_channels": 8, "d_base_channels": 8, "z_dim": 16}}
    return suite_text(name="mixed", batch_size=16, budget={"steps": 4}, eval={"n_samples": 200}, data_root=root,
                      datasets=[ring(400), "mnist", "blob"], models=[gan(packs=[1, 2], hparams={"g_hidden": 8, "d_hidden": 8}), dcgan])


@pytest.fixture
def blob_plugin(tmp_path, monkeypatch):
    yield from installed_plugin(tmp_path, monkeypatch, "ganbench-contrib-blob", "blob", "blob_dataset", BLOB)


def test_gan_on_the_ring_dcgan_on_mnist_and_a_third_party_dataset_render_a_full_report(
        blob_plugin, mnist_root, evaluator, write_suite, cli, tmp_path):
    suite = write_suite(_suite(mnist_root))
    out = tmp_path / "out"
    res = cli("run", str(suite), "--out", str(out))
    assert res.returncode == 0, res.stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    for section in ("setup", "leaderboard", "ablation"):
        assert f'id="{section}"' in page, section
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    for run_id in ("gan__mog-ring8__pack2__seed1", "gan__blob__pack1__seed0", "dcgan__mnist__pack1__seed1"):
        assert run_id in text
    assert "PacGAN paper, pack 2" in page  # the ring's published rows beside ours
    assert "Which metric families ran, and why" in page
