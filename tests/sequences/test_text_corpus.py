"""The real-text corpus (Tang poems from Debian's fortunes-zh) and BLEU against held-out text.

The reader is tested on a fortune file the test writes in the package's format (ANSI colour codes
around title and author, poems separated by ``%`` lines); BLEU's wrapper against BLEU computed by
hand (modified n-gram precisions, brevity penalty) on inputs with known answers.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from ganbench.api import DatasetRequest, MetricContext
from ganbench.data.images import DatasetFileCorrupt, DatasetFilesMissing
from ganbench.data.sequences import TANG_FILE, check_tang_params, load_tang, read_fortune_poems
from ganbench.metrics.sequences import bleu, bleu_scores

POEM = "\x1b[32m《{title}》\x1b[m\n\x1b[33m作者：{author}\x1b[m\n{body}\n"


def fortune_file(path: Path, poems: list[list[str]]) -> Path:
    blocks = []
    for i, verses in enumerate(poems):
        lines = ["，".join(verses[j : j + 2]) + "。" for j in range(0, len(verses), 2)]
        blocks.append(POEM.format(title=f"题{i}", author=f"人{i}", body="\n".join(lines)))
    path.write_text("%\n".join(blocks), encoding="utf-8")
    return path


CHARS = "山水月花风云天日春秋江河人家夜雨"


def verses(n: int, length: int, offset: int = 0) -> list[str]:
    return ["".join(CHARS[(offset + i * 3 + k) % len(CHARS)] for k in range(length)) for i in range(n)]


def test_reader_drops_titles_authors_and_colour_codes(tmp_path: Path):
    path = fortune_file(tmp_path / "tang300", [verses(4, 5), verses(4, 7, 1)])
    poems = read_fortune_poems(path)
    assert poems == [verses(4, 5), verses(4, 7, 1)]


def test_dataset_keeps_verses_of_one_length_and_holds_out_references(tmp_path: Path):
    path = fortune_file(tmp_path / "tang300", [verses(20, 7), verses(20, 5, 3), verses(20, 7, 5)])
    ds = load_tang(DatasetRequest(params={"file": str(path), "length": 7, "test_fraction": 0.25},
                                  root=tmp_path, device=torch.device("cpu")))
    refs = ds.info.extra["references"]
    assert ds.kind == "sequence" and ds.data.shape[1] == 7 and len(ds.data) + len(refs) == 40 and len(refs) == 10
    itos = ds.info.extra["itos"]
    assert ds.info.vocab_size == len(itos) and int(ds.data.max()) < len(itos)
    texts = {"".join(itos[i] for i in row) for row in torch.cat([ds.data, refs]).tolist()}
    assert texts == set(verses(20, 7)) | set(verses(20, 7, 5))
    held = {tuple(r) for r in refs.tolist()}  # split by verse: train and references are disjoint draws
    assert len(held) + len({tuple(r) for r in ds.data.tolist()}) >= len(texts)


def test_missing_corpus_names_the_file_and_the_package(tmp_path: Path):
    with pytest.raises(DatasetFilesMissing, match=r"nope.*fortunes-zh"):
        load_tang(DatasetRequest(params={"file": str(tmp_path / "nope")}, root=tmp_path, device=torch.device("cpu")))


def test_corpus_without_verses_of_that_length_is_named(tmp_path: Path):
    path = fortune_file(tmp_path / "f", [verses(4, 5)])
    with pytest.raises(DatasetFileCorrupt, match="only 0 verses of 7 characters"):
        load_tang(DatasetRequest(params={"file": str(path)}, root=tmp_path, device=torch.device("cpu")))


@pytest.mark.parametrize("params,match", [
    ({"test_fraction": 1.0}, "test_fraction"), ({"length": 0}, "length"), ({"file": ""}, "file"), ({"x": 1}, "unknown"),
])
def test_bad_params_are_named(params, match):
    with pytest.raises(ValueError, match=match):
        check_tang_params(params)


def test_bleu_against_hand_computed_values():
    # identical to a reference: 1
    assert bleu_scores([[1, 2, 3, 4]], [[9, 9, 9], [1, 2, 3, 4]], (2, 4)) == {2: 1.0, 4: 1.0}
    # p1 = 3/4, p2 = 2/3 (bigrams 12, 23 of 12, 23, 34), same length: BLEU-2 = sqrt(3/4 * 2/3)
    got = bleu_scores([[1, 2, 3, 4]], [[1, 2, 3, 5]], (2,))[2]
    assert got == pytest.approx(math.sqrt(0.75 * 2 / 3), abs=1e-12)
    # brevity penalty: hypothesis of 2 against a reference of 4, all matches: exp(1 - 4/2)
    got = bleu_scores([[1, 2]], [[1, 2, 3, 4]], (2,))[2]
    assert got == pytest.approx(math.exp(1 - 2), abs=1e-12)
    # clipped counts against the best reference (max count over references), mean over hypotheses
    got = bleu_scores([[7, 7, 7, 7], [1, 2, 3, 4]], [[7, 7, 1, 1], [1, 2, 3, 4]], (1,))[1]
    assert got == pytest.approx((0.5 + 1.0) / 2, abs=1e-12)


def test_bleu_metric_reads_options_and_refuses_bad_orders(tmp_path: Path):
    path = fortune_file(tmp_path / "f", [verses(30, 5)])
    ds = load_tang(DatasetRequest(params={"file": str(path), "length": 5}, root=tmp_path, device=torch.device("cpu")))
    ctx = MetricContext(ds, ds.info.extra["references"].clone(), None, torch.device("cpu"), tmp_path,
                        options={"bleu_n": [2, 3], "bleu_samples": 5})
    out = bleu(ctx)
    assert set(out) == {"bleu2", "bleu3"} and out["bleu2"].value == pytest.approx(1.0)
    assert out["bleu2"].direction == "higher" and out["bleu2"].n_samples == len(ds.info.extra["references"][:5])
    ctx.samples = torch.zeros_like(ctx.samples)  # one repeated character: far from the verses
    assert bleu(ctx)["bleu2"].value < 0.5
    with pytest.raises(ValueError, match="bleu_n"):
        bleu(MetricContext(ds, ctx.samples, None, torch.device("cpu"), tmp_path, options={"bleu_n": [0]}))


@pytest.mark.skipif(not Path(TANG_FILE).is_file(), reason=f"Debian's fortunes-zh is not installed ({TANG_FILE})")
def test_the_installed_corpus_loads():
    ds = load_tang(DatasetRequest(params={}, root=Path("."), device=torch.device("cpu")))
    assert len(ds.data) > 1000 and ds.data.shape[1] == 7 and ds.info.vocab_size > 1000
