"""Done-when of the report's "nothing lost" round: a suite mixing ``gan`` on the ring (packs 1 and
2), ``dcgan`` on MNIST and a third-party dataset trains and renders a full report.

Before, this very mix crashed the packing-ablation table (a Jinja2 error on the empty cells: the
ring has PacGAN numbers, MNIST's modes only a pack-1 row) after every run had been stored.
"""

from __future__ import annotations

import html
import re
import sys

import pytest

from tests.core.conftest import write_dist

BLOB = '''
import torch
from ganbench.api import Dataset, DatasetSpec, hookimpl

def _load(req):
    g = torch.Generator().manual_seed(0)
    return Dataset(name="blob", kind="vector", data=torch.randn(400, 2, generator=g).to(req.device))

@hookimpl
def ganbench_datasets():
    return [DatasetSpec(name="blob", kind="vector", load=_load, description="a third-party Gaussian blob")]
'''

SUITE = """
name: mixed
seeds: 2
device: cpu
batch_size: 16
budget: {{steps: 4}}
eval: {{n_samples: 200}}
data_root: {root}
datasets:
  - {{name: mog-ring8, params: {{n_samples: 400}}}}
  - mnist
  - blob
models:
  - {{model: gan, packs: [1, 2], hparams: {{g_hidden: 8, d_hidden: 8, g_layers: 2, d_layers: 2}}}}
  - {{model: dcgan, hparams: {{g_base_channels: 8, d_base_channels: 8, z_dim: 16}}}}
"""


@pytest.fixture
def blob_plugin(tmp_path, monkeypatch):
    site = tmp_path / "site"
    src = tmp_path / "blob_dataset.py"
    src.write_text(BLOB)
    write_dist(site, "ganbench-contrib-blob", "1.0", {"blob": "blob_dataset"}, [src])
    monkeypatch.syspath_prepend(str(site))
    yield
    sys.modules.pop("blob_dataset", None)


def test_gan_on_the_ring_dcgan_on_mnist_and_a_third_party_dataset_render_a_full_report(
        blob_plugin, mnist_root, evaluator, write_suite, cli, tmp_path):
    suite = write_suite(SUITE.format(root=mnist_root))
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
