"""What a researcher's own image folder can get wrong, refused before training or recorded:
an empty folder or one of non-images fails the preflight, a model's resolution range is checked
at suite load, a huge declared canvas is skipped before decoding, and skipped files are in the
store and the report."""

from __future__ import annotations

import struct
import zlib

import pytest

from ganbench.cli import main
from ganbench.data import image_folder
from ganbench.plan.suite import SuiteError
from ganbench.record.results import load
from ganbench.record.store import Store
from ganbench.run.runner import RunRefused, run_suite
from tests.outputs.images import draw_shapes, folder_suite


def _suite(path, resolution: int) -> str:
    return folder_suite(path, resolution, "mine", name="own-folder", budget={"steps": 2}, keep="none")


def huge_canvas_png(path, width: int = 13_000, height: int = 13_000) -> None:
    """A valid 1x1 PNG whose header declares ``width x height`` (169 MP): what a decoder would
    allocate is known from the header alone."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
                     + chunk(b"IEND", b""))


@pytest.mark.parametrize("content", ["empty", "text"])
def test_a_folder_without_images_fails_the_preflight(tmp_path, write_suite, registry, capsys, content):
    base = tmp_path / "imgs"
    base.mkdir()
    if content == "text":
        (base / "notes.txt").write_text("no images here")
        (base / "fake.png").write_text("not a png either")
    suite = write_suite(_suite(base, 32))
    with pytest.raises(RunRefused, match="cannot start.*image folder"):
        run_suite(suite, tmp_path / "out", registry=registry, render=False)
    assert not (tmp_path / "out" / "results.sqlite").exists()
    assert main(["run", str(suite), "--out", str(tmp_path / "out2"), "--no-report"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "image folder" in err


def test_a_resolution_outside_the_models_range_is_refused_at_load(tmp_path, write_suite, registry):
    base = draw_shapes(tmp_path / "imgs", per_class=2)
    suite = write_suite(_suite(base, 16))
    # the pair is skipped when the plan is built; with no other pair left, the suite is refused then
    with pytest.raises(SuiteError, match=r"dcgan on mine: the model takes images of 28-64 px, the dataset is 16 px"):
        run_suite(suite, tmp_path / "out", registry=registry, render=False, check_ready=False)
    assert not (tmp_path / "out").exists()


def test_a_huge_canvas_is_skipped_before_decoding(tmp_path):
    import torch

    from ganbench.api import DatasetRequest

    base = draw_shapes(tmp_path / "imgs", per_class=2, classes=("a",))
    huge_canvas_png(base / "a" / "bomb.png")
    ds = image_folder.load(DatasetRequest(params={"path": str(base), "resolution": 16}, root=base,
                                          device=torch.device("cpu")))
    assert len(ds) == 2
    (skipped,) = ds.info.extra["skipped"]
    assert skipped.startswith("a/bomb.png") and "169 megapixels, over the 40 MP bound" in skipped


def test_skipped_files_are_in_the_store_and_the_report(tmp_path, write_suite, registry):
    base = draw_shapes(tmp_path / "imgs", per_class=4, classes=("a",))
    (base / "a" / "broken.png").write_bytes(b"not a png")
    huge_canvas_png(base / "a" / "bomb.png")
    out = tmp_path / "out"
    res = run_suite(write_suite(_suite(base, 32)), out, registry=registry, render=True)
    assert not res.failed
    rid = load(out).runs["run_id"].iloc[0]
    with Store.open(out, create=False) as s:
        skipped = [str(x) for x in s.array(rid, "dataset_skipped")]
    assert [x.split(" ")[0] for x in skipped] == ["a/bomb.png", "a/broken.png"]
    html = (out / "report.html").read_text()
    assert "dataset: 2 file(s) skipped, not trained or evaluated on: a/bomb.png" in html
