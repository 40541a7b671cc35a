"""The zoo's learning-rate schedule and EMA generator (ganbench_layers.base.AdversarialModel):
the rates follow ctx.progress, samples come from the EMA generator when the model keeps one, the
EMA survives a checkpoint, and the harness records which generator the samples came from."""

from __future__ import annotations

import pytest
import torch

from ganbench.api import BuildContext, TrainingBudget
from ganbench.record.store import Store
from ganbench.run.runner import run_suite

from .zoo_params import TINY


def _build(registry, name: str, **hp):
    spec = registry.model(name)
    ctx = BuildContext.for_tests((1, 16, 16), num_classes=10, batch_size=8,
                                 hparams={**spec.defaults, **TINY[name], **hp},
                                 budget=TrainingBudget("steps", 10, 10))
    return spec.build(ctx), ctx


def _step(model, ctx, step: int) -> None:
    ctx.progress.update(step=step, fraction=step / 10, kimg=step * 8 / 1000)
    n = ctx.batch_size * model.d_steps_per_g_step
    model.train_step(torch.rand(n, 1, 16, 16) * 2 - 1, torch.arange(n) % 10)


def test_linear_decay_sets_every_group_from_its_base_rate(registry):
    """StyleGAN's mapping network has its own rate (lr × map_lr_mult): the decay scales it too."""
    model, ctx = _build(registry, "stylegan", lr_decay="linear", ema=False)
    bases = [[g["lr"] for g in opt.param_groups] for opt in (model.opt_g, model.opt_d)]
    assert bases[0][1] == pytest.approx(bases[0][0] * registry.model("stylegan").defaults["map_lr_mult"])
    _step(model, ctx, 4)
    for opt, base in zip((model.opt_g, model.opt_d), bases):
        assert [g["lr"] for g in opt.param_groups] == pytest.approx([b * 0.6 for b in base])


def test_sngan_decays_by_default_as_mimicry_and_constant_keeps_the_rate(registry):
    model, ctx = _build(registry, "sngan")
    assert model.lr_decay == "linear"
    _step(model, ctx, 5)
    assert model.opt_g.param_groups[0]["lr"] == pytest.approx(2e-4 * 0.5)
    flat, fctx = _build(registry, "sngan", lr_decay="constant")
    _step(flat, fctx, 5)
    assert flat.opt_g.param_groups[0]["lr"] == pytest.approx(2e-4)
    pinned, pctx = _build(registry, "sngan", lr_decay_steps=100)  # Mimicry's num_steps, not the budget
    _step(pinned, pctx, 5)
    assert [pinned.opt_g.param_groups[0]["lr"], pinned.opt_d.param_groups[0]["lr"]] == pytest.approx([2e-4 * 0.95] * 2)
    with pytest.raises(ValueError, match="unknown lr schedule"):
        _build(registry, "sngan", lr_decay="cosine")


def test_biggan_samples_from_its_ema_generator(registry):
    model, ctx = _build(registry, "biggan", ema_decay=0.5, ema_start=0)
    assert model.ema is not None and model.ema.decay == 0.5
    for s in range(3):
        _step(model, ctx, s)
    g = torch.Generator().manual_seed(1)
    labels = torch.arange(6) % 10
    out = model.sample(6, labels, generator=g)
    train_G = model.G
    with torch.no_grad():
        ema_out = model.ema.module(model.latent(6, torch.Generator().manual_seed(1)), labels).clamp(-1, 1)
        model.G.eval()
        raw_out = model.G(model.latent(6, torch.Generator().manual_seed(1)), labels).clamp(-1, 1)
    assert torch.allclose(out, ema_out, atol=1e-6)
    assert not torch.allclose(out, raw_out, atol=1e-4), "the EMA lags G after 3 steps at decay 0.5"
    assert model.G is train_G, "sampling puts the training G back"


def test_before_ema_start_the_ema_is_a_copy_of_g(registry):
    model, ctx = _build(registry, "biggan", ema_start=1000)
    for s in range(2):
        _step(model, ctx, s)
    for p, q in zip(model.ema.module.parameters(), model.G.parameters()):
        assert torch.equal(p, q)


def test_ema_survives_a_checkpoint_round_trip(registry, tmp_path):
    model, ctx = _build(registry, "stylegan")
    assert model.ema is not None and model.ema.kind == "half-life"
    for s in range(2):
        _step(model, ctx, s)
    path = tmp_path / "m.pt"
    torch.save(model.state_dict(), path)
    fresh, _ = _build(registry, "stylegan")
    fresh.load_state_dict(torch.load(path, weights_only=True))
    for p, q in zip(fresh.ema.module.parameters(), model.ema.module.parameters()):
        assert torch.equal(p, q)
    assert fresh.ema.updates == 2


SUITE = """
name: ema-record
seeds: 1
device: cpu
batch_size: 8
budget: {steps: 3}
eval: {n_samples: 40, options: {fid_n_real: 200}}
datasets:
  - {name: mnist}
metrics: [mnist-modes]
models:
  - {model: biggan, hparams: HP}
  - {model: sngan, hparams: SN}
"""


def test_the_harness_records_the_ema_with_every_evaluation(write_suite, tmp_path, mnist_root, registry):
    text = (SUITE.replace("HP", str({**TINY["biggan"], "ema_decay": 0.999, "ema_start": 2}))
            .replace("SN", str(TINY["sngan"])))
    run_suite(write_suite(text), tmp_path / "out", registry=registry, render=False)
    with Store.open(tmp_path / "out", create=False) as store:
        runs = store.runs().set_index("model")
        m = store.metrics()
    assert set(runs.status) == {"done"}, runs.error.tolist()
    big = m[(m.run_id == runs.loc["biggan", "run_id"]) & (m.name == "sampler/ema_decay")]
    assert len(big) == 1 and big.value.iloc[0] == 0.999
    assert "decay 0.999 per G step, from G step 2" in big.note.iloc[0] and "3 updates" in big.note.iloc[0]
    sn = m[(m.run_id == runs.loc["sngan", "run_id"]) & (m.name == "sampler/ema_decay")]
    assert sn.empty, "a model without an EMA records none"


def _stylegan2_ada_betas(batch: int, half_life_kimg: float, rampup: float, steps: int) -> list[float]:
    """G_ema's beta per iteration as stylegan2-ada-pytorch's training_loop computes it: from
    ``cur_nimg`` *before* the iteration's ``cur_nimg += batch_size``, where the count grows by the
    batch of one G update (its D sees the same batch of reals, no n_dis, no packing)."""
    betas, cur_nimg = [], 0
    for _ in range(steps):
        ema_nimg = min(half_life_kimg * 1000, cur_nimg * rampup)
        betas.append(0.5 ** (batch / max(ema_nimg, 1e-8)))
        cur_nimg += batch
    return betas


@pytest.mark.parametrize("pack,n_dis", [(1, 1), (2, 2)])
def test_the_zoo_drives_the_half_life_ramp_as_stylegan2_ada_does(registry, pack, n_dis):
    """The caller, not only the formula: the harness advances ctx.progress as its loop does (kimg =
    real images shown to D, n_dis x batch x pack per step) and the decay each step applies must be
    the reference loop's, whatever n_dis and pack are."""
    from ganbench.train.packing import real_per_step

    spec = registry.model("stylegan")
    ctx = BuildContext.for_tests((1, 16, 16), batch_size=4, pack=pack,
                                 hparams={**spec.defaults, **TINY["stylegan"], "n_dis": n_dis,
                                          "ema_half_life_kimg": 0.05, "ema_rampup": 0.5},
                                 budget=TrainingBudget("steps", 6, 6))
    model = spec.build(ctx)
    per_step = real_per_step(ctx, model.d_steps_per_g_step)
    got = []
    for step in range(6):
        ctx.progress.update(step=step, fraction=step / 6, kimg=step * per_step / 1000)  # the loop's advance_progress
        model.train_step(torch.rand(per_step, 1, 16, 16) * 2 - 1)
        got.append(model.ema.last_decay)
    assert got == pytest.approx(_stylegan2_ada_betas(4, 0.05, 0.5, 6), rel=1e-9, abs=1e-12)
