"""keep: final|best|none, ganbench sample, and the README tour's last steps (pandas, sampling)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from ganbench.cli import main
from ganbench.record.kept import KeptError, generator_state, read_kept, rebuild
from ganbench.record.results import load
from ganbench.record.store import Store
from ganbench.run.runner import run_suite
from tests.outputs.images import draw_shapes, folder_suite


def test_image_folder_suite_at_64px_keeps_and_samples(tmp_path, write_suite, registry):
    base = draw_shapes(tmp_path / "imgs", per_class=8)
    out = tmp_path / "out"
    suite = write_suite(folder_suite(base, 64, "shapes", name="folder64", budget={"steps": 3}))
    res = run_suite(suite, out, registry=registry, render=False)
    assert not res.failed
    rid = "dcgan__shapes__pack1__seed0"
    path = out / "generators" / f"{rid}.pt"
    kept = torch.load(path, weights_only=True)  # plain tensors and containers only
    assert kept["which"] == "final" and kept["step"] == 3 and kept["context"]["data_shape"] == [3, 64, 64]
    with Store.open(out, create=False) as s:
        assert json.loads(kept["config_json"]) == s.runs().set_index("run_id").loc[rid, "config"]
    assert load(out).final["run_id"].tolist() == [rid]
    assert main(["sample", str(out), rid, "--n", "9", "--out", str(tmp_path / "grid.png")]) == 0
    from PIL import Image

    with Image.open(tmp_path / "grid.png") as im:
        assert im.size == (3 * 66 + 2, 3 * 66 + 2)  # 3x3 grid of 64 px with 2 px padding
    assert main(["sample", str(out), rid, "--n", "5", "--out", str(tmp_path / "s.npz")]) == 0
    x = np.load(tmp_path / "s.npz")["samples"]
    assert x.shape == (5, 3, 64, 64) and x.min() >= -1 and x.max() <= 1
    # the rebuilt generator is the trained one: same latents, same samples as its weights give
    model = rebuild(read_kept(out, rid))
    for k, v in model.G.state_dict().items():
        assert torch.equal(v, kept["generator"][k])


def test_keep_best_and_the_default_none_for_2d(tmp_path, tiny_suite, registry):
    out = tmp_path / "mog"
    run_suite(tiny_suite, out, registry=registry, render=False, seeds=[0])
    assert not (out / "generators").exists()  # 2-D data: keep defaults to none
    out2 = tmp_path / "mog-best"
    run_suite(tiny_suite, out2, registry=registry, render=False, seeds=[0], keep="best")
    rid = "gan__mog-ring8__pack1__seed0"
    kept = read_kept(out2, rid)
    assert kept["which"] == "best" and kept["metric"]["name"] == "modes"
    m = load(out2).metrics
    modes = m[(m["run_id"] == rid) & (m["name"] == "modes")]
    assert kept["metric"]["value"] == modes["value"].max()
    assert kept["step"] == int(modes.loc[modes["value"].idxmax(), "step"])  # the first evaluation at the best


def test_a_missing_plugin_or_version_is_a_clear_error(tmp_path, tiny_suite, registry, capsys):
    out = tmp_path / "mog"
    run_suite(tiny_suite, out, registry=registry, render=False, seeds=[0], keep="final")
    rid = "gan__mog-ring8__pack1__seed0"
    kept = read_kept(out, rid)
    with pytest.raises(KeptError, match=r"model 'gan' is installed at version .*, the run used 0\.0\.bogus"):
        rebuild({**kept, "model_version": "0.0.bogus"}, registry)
    with pytest.raises(KeptError, match="model 'nope' is not installed: the run used"):
        rebuild({**kept, "model": "nope"}, registry)
    assert main(["sample", str(out), "nobody", "--out", str(tmp_path / "x.png")]) == 2
    assert "no kept generator for run 'nobody'" in capsys.readouterr().err
    assert main(["sample", str(out), rid, "--truncation", "0.5", "--out", str(tmp_path / "x.png")]) == 2
    assert "takes no truncation" in capsys.readouterr().err
    assert main(["sample", str(out), rid, "--n", "100", "--out", str(tmp_path / "ring.png")]) == 0


class _WithEma:
    """A model shaped like the zoo's: a G module and an EMA whose ``module`` is the averaged G."""

    def __init__(self):
        self.G = nn.Linear(2, 2)
        self.ema = type("E", (), {"module": nn.Linear(2, 2)})()
        with torch.no_grad():
            self.ema.module.weight.fill_(0.5)


def test_generator_state_holds_g_and_its_ema():
    m = _WithEma()
    st = generator_state(m)
    assert torch.equal(st["generator"]["weight"], m.G.weight) and st["model_state"] is None
    assert torch.equal(st["ema"]["weight"], torch.full((2, 2), 0.5))


def _tour_lines(repo: Path) -> list[str]:
    text = (repo / "README.md").read_text()
    block = re.search(r"## A five-minute tour\s+```bash\n(.*?)```", text, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_readme_tour_ends_with_pandas_and_sampling(repo, tmp_path, monkeypatch, capsys):
    lines = _tour_lines(repo)
    export, pandas, keep, sample = lines[-4:]
    assert export.startswith("ganbench export results/mog") and "from ganbench.record.results import load" in pandas
    assert keep.startswith("ganbench run suites/mog.yaml") and "--keep final" in keep
    assert sample.startswith("ganbench sample results/kept")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "mog.yaml").write_text((repo / "suites" / "mog.yaml").read_text())
    quick = ["--budget", "steps=20", "--no-report", "--jobs", "1", "--no-preflight"]
    assert main(["run", "suites/mog.yaml", "--out", "results/mog", "--seeds", "1", *quick]) == 0
    assert main(shlex.split(export)[1:]) == 0
    assert len(load("results/mog").final) == 1  # the ring at pack 1, one seed
    code = shlex.split(pandas)[2]
    exec(code, {})  # noqa: S102 - the README's own one-liner
    assert "reverse_kl" in capsys.readouterr().out
    argv = shlex.split(keep)[1:]
    argv[argv.index("--budget") + 1] = "steps=20"
    assert main([*argv, "--no-report", "--jobs", "1", "--no-preflight"]) == 0
    assert main(shlex.split(sample)[1:]) == 0
    assert (tmp_path / "ring.png").stat().st_size > 1000


def test_a_zoo_model_with_an_ema_is_rebuilt_sampling_as_trained(registry):
    """StyleGAN samples from its EMA of G: the kept file holds both, and the rebuilt model draws the
    very samples the trained one draws. StyleGAN keeping no EMA is itself the regression to catch
    (its published protocol samples from G_ema), so it fails rather than skips."""

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _ema_round_trip(registry)
    finally:
        torch.set_num_threads(threads)


def _ema_round_trip(registry):
    spec = registry.model("stylegan")
    # no ramp-up: with StyleGAN2-ADA's, the first steps' EMA is (to float precision) a copy of G
    hp = {**spec.defaults, "g_ch": 8, "d_ch": 8, "z_dim": 8, "w_dim": 8, "ema": True, "ema_rampup": None}
    from ganbench.api import BuildContext

    model = spec.build(BuildContext.for_tests((3, 16, 16), batch_size=2, hparams=hp))
    assert getattr(model, "ema", None) is not None, "stylegan with ema: true keeps no EMA generator"
    for _ in range(2):
        model.train_step(torch.rand(2 * int(getattr(model, "d_steps_per_g_step", 1)), 3, 16, 16) * 2 - 1, None)
    st = generator_state(model)
    assert st["ema"] is not None and any(not torch.equal(st["ema"][k], st["generator"][k]) for k in st["generator"])
    kept = {"model": "stylegan", "model_version": spec.version, "plugin": "ganbench-stylegan", **st,
            "context": {"data_shape": [3, 16, 16], "data_kind": "image", "num_classes": None, "pack": 1,
                        "batch_size": 2, "seed": 0, "hparams_json": json.dumps(hp)}}
    again = rebuild(kept, registry)
    a = model.sample(4, generator=torch.Generator().manual_seed(0))
    b = again.sample(4, generator=torch.Generator().manual_seed(0))
    assert torch.equal(a, b)


@pytest.mark.parametrize("bad", ["../escape", "a/b", "a\\b", "..", "", "nul\x00"])
def test_kept_generator_paths_stay_in_their_directory(tmp_path, bad):
    from ganbench.record.kept import kept_path

    with pytest.raises(KeptError, match="run id"):
        kept_path(tmp_path, bad)
    assert kept_path(tmp_path, "ok__id") == tmp_path.resolve() / "ok__id.pt"


def test_written_samples_replace_the_file_whole_and_leave_no_temporary(tmp_path):
    from ganbench.record.kept import write_samples

    out = tmp_path / "s.npz"
    out.write_bytes(b"old")
    x, labels = torch.randn(5, 2), torch.arange(5)
    write_samples(x, labels, out, "points")
    with np.load(out) as z:
        np.testing.assert_array_equal(z["samples"], x.numpy())
        np.testing.assert_array_equal(z["labels"], labels.numpy())
    assert out.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["s.npz"]
