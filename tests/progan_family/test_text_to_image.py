"""Text-to-image: the captioned MNIST grammar and builder, the caption-fidelity metric on images
with known answers, StackGAN and the caption-conditioned baseline, and the matrix pairing
text-to-image models only with captioned datasets."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ganbench_stackgan import captions, dataset, fidelity
from ganbench_stackgan.model import CaptionCGAN, StackGAN

from ganbench.api import BuildContext, Dataset, DatasetRequest, TrainingBudget


def _fake_mnist(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Blobs as 'digits': a filled 12x12 square in the middle of a 28x28 box, label i % 10."""
    images = np.zeros((n, 28, 28), np.uint8)
    images[:, 8:20, 8:20] = 255
    return images, np.arange(n) % 10


def test_grammar_round_trips_and_refuses_other_words():
    items = [(3, 0), (7, 3)]
    text = captions.caption_text(items)
    assert text == "the digit three is at the top left and the digit seven is at the bottom right"
    tokens = captions.tokenize(text)
    assert len(tokens) == captions.MAX_TOKENS and captions.parse(tokens) == items
    with pytest.raises(ValueError, match="vocabulary"):
        captions.tokenize("the digit eleven is at the top left")
    with pytest.raises(ValueError, match="grammar"):
        captions.parse(captions.tokenize("the the digit three is at top left"))


def test_builder_is_deterministic_and_places_digits_where_the_caption_says():
    images, labels = _fake_mnist()
    a = captions.build(images, labels, 50, seed=4)
    b = captions.build(images, labels, 50, seed=4)
    c = captions.build(images, labels, 50, seed=5)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and not np.array_equal(a[0], c[0])
    canvases, tokens, items = a
    assert canvases.shape == (50, 60, 60) and {len(i) for i in items} == {1, 2}
    for k in range(50):
        assert captions.parse(tokens[k]) == items[k]
        for q, (r, col) in enumerate(captions.QUADRANT_ORIGIN):
            ink = canvases[k, r : r + 30, col : col + 30].sum()
            assert (ink > 0) == (q in {quad for _, quad in items[k]})


def _write_idx(path, arr: np.ndarray) -> None:
    header = bytes([0, 0, 8, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    path.write_bytes(header + arr.astype(np.uint8).tobytes())


def test_dataset_loads_from_mnist_idx_files(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images, labels = _fake_mnist()
    _write_idx(raw / "train-images-idx3-ubyte", images)
    _write_idx(raw / "train-labels-idx1-ubyte", labels)
    ds = dataset.load(DatasetRequest({"n_images": 30}, tmp_path, torch.device("cpu")))
    assert ds.data.shape == (30, 1, 60, 60) and ds.labels.shape == (30, captions.MAX_TOKENS)
    assert float(ds.data.min()) == -1.0 and float(ds.data.max()) == 1.0
    assert ds.num_classes == len(captions.VOCAB) and dataset.SPEC.task == "text-to-image"
    assert fidelity.applies(ds) and all(r.present for r in dataset.requirements(tmp_path, {}))
    with pytest.raises(ValueError, match="n_images"):
        dataset.check({"n_images": 0})
    with pytest.raises(ValueError, match="split"):
        dataset.check({"split": "validation"})
    (raw / "train-labels-idx1-ubyte").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="IDX"):
        dataset.load(DatasetRequest({"n_images": 3}, tmp_path, torch.device("cpu")))


def test_fidelity_scores_known_answers():
    images, labels = _fake_mnist()
    canvases, tokens, items = captions.build(images, labels, 40, seed=1)
    x = torch.from_numpy(canvases).float().div(127.5).sub(1).unsqueeze(1)
    lookup = {}  # an oracle classifier: the label of the digit that sits in the quadrant
    found = fidelity.detect(x, lambda crops: torch.zeros(crops.shape[0], dtype=torch.long))
    assert [len(f) for f in found] == [len(i) for i in items]  # every digit located, nothing extra
    for k, its in enumerate(items):
        for d, q in its:
            lookup[(k, q)] = d
    truth = torch.tensor([[lookup.get((k, q), 0) for q in range(4)] for k in range(40)]).reshape(-1)
    perfect = fidelity.score(fidelity.detect(x, lambda crops: truth), items)
    assert perfect == {"caption_accuracy": 1.0, "digit_accuracy": 1.0, "count_accuracy": 1.0}
    blank = fidelity.score(fidelity.detect(-torch.ones_like(x), lambda crops: truth), items)
    assert blank == {"caption_accuracy": 0.0, "digit_accuracy": 0.0, "count_accuracy": 0.0}
    wrong = fidelity.score(fidelity.detect(x, lambda crops: (truth + 1) % 10), items)
    assert wrong["count_accuracy"] == 1.0 and wrong["digit_accuracy"] == 0.0
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(400, 3)), rng.normal(size=(400, 3))
    assert fidelity.frechet(a, a) == pytest.approx(0.0, abs=1e-4)
    assert fidelity.frechet(a, b + 2) == pytest.approx(12.0, abs=1.0)  # |mu shift|^2 = 3 x 2^2


def _ctx(**hp):
    return BuildContext.for_tests((1, 60, 60), num_classes=len(captions.VOCAB), batch_size=4,
                                  hparams={"g_ch": 8, "d_ch": 8, "c_dim": 8, "embed_dim": 16, "z_dim": 8, **hp},
                                  budget=TrainingBudget("steps", 10))


def _captions(n: int, seed: int = 0) -> torch.Tensor:
    images, labels = _fake_mnist()
    return torch.from_numpy(captions.build(images, labels, n, seed)[1])


@pytest.mark.parametrize("cls", [StackGAN, CaptionCGAN])
def test_text_models_follow_the_protocol(cls):
    ctx = _ctx()
    model = cls(ctx)
    real, caps = torch.rand(4, 1, 60, 60) * 2 - 1, _captions(4)
    losses = model.train_step(real, caps)
    assert all(torch.isfinite(torch.as_tensor(v)) for v in losses.values())
    g = torch.Generator().manual_seed(0)
    s = model.sample(4, caps, generator=g)
    assert s.shape == (4, 1, 60, 60) and float(s.abs().max()) <= 1
    assert torch.equal(s, model.sample(4, caps, generator=torch.Generator().manual_seed(0)))
    other = model.sample(4, _captions(4, seed=9), generator=torch.Generator().manual_seed(0))
    assert not torch.allclose(s, other)  # the caption matters
    clone = cls(_ctx())
    state = model.state_dict()
    torch.save(state, buf := __import__("io").BytesIO())
    buf.seek(0)
    clone.load_state_dict(torch.load(buf, weights_only=True))
    assert torch.equal(clone.sample(4, caps, generator=torch.Generator().manual_seed(0)), s)
    with pytest.raises(ValueError, match="caption"):
        model.sample(4, None)
    with pytest.raises(ValueError, match="60x60"):
        cls(BuildContext.for_tests((1, 28, 28), num_classes=10))


def test_stackgan_moves_to_stage_two_on_schedule_with_stage_one_frozen():
    ctx = _ctx()
    m = StackGAN(ctx)
    caps, real = _captions(4), torch.rand(4, 1, 60, 60) * 2 - 1
    assert m.train_step(real, caps)["stage"] == 1.0
    g1 = [p.detach().clone() for p in m.G1.parameters()]
    ctx.progress.update(step=5, fraction=0.5, kimg=0.0)
    assert m.train_step(real, caps)["stage"] == 2.0
    assert all(torch.equal(a, b) for a, b in zip(g1, m.G1.parameters()))


@pytest.mark.parametrize("cls", [StackGAN, CaptionCGAN])
def test_discriminators_read_the_logit_from_every_position(cls):
    """The caption says where each digit is, so D's logit is linear in the whole final map (the paper's
    one-node FC; the authors' code: a conv covering the map), not in its mean over positions."""
    m = cls(_ctx())
    ds = [m.D1, m.D2] if cls is StackGAN else [m.D]
    for d, size in zip(ds, [30, 60] if cls is StackGAN else [60]):
        d.eval()
        x = torch.rand(2, 1, size, size) * 2 - 1
        phi = torch.randn(2, d.text[0].in_features)
        h = d.joint(torch.cat([d.img(x), d.text(phi)[:, :, None, None].expand(-1, -1, 3, 3)], 1))
        assert h.shape[2:] == (3, 3) and d.out.weight.shape[2:] == (3, 3)
        assert torch.allclose(d(x, phi), d.out(h).flatten())
        moved = h.flip(2, 3)  # the same features at other positions: same mean, a different logit
        assert not torch.allclose(d.out(moved), d.out(h))


def test_matrix_pairs_text_models_only_with_captioned_data(registry):
    from ganbench.plan.matrix import build_matrix
    from ganbench.plan.suite import Suite

    suite = Suite.model_validate({"name": "t", "datasets": ["mnist", "captioned-mnist"], "budget": {"steps": 2},
                                  "models": [{"model": "stackgan"}, {"model": "caption-cgan"}, {"model": "dcgan"}]})
    pairs = {(r.model, r.dataset) for r in build_matrix(suite, registry)}
    assert pairs == {("stackgan", "captioned-mnist"), ("caption-cgan", "captioned-mnist"), ("dcgan", "mnist")}


def test_captions_reach_train_step_and_sample(monkeypatch):
    from ganbench.train.loop import draw_samples

    tokens = _captions(6)
    ds = Dataset("captioned-mnist", "image", torch.zeros(6, 1, 60, 60), tokens, len(captions.VOCAB))
    seen = []

    class Probe:
        def sample(self, n, labels=None, *, generator=None):
            seen.append(labels)
            return torch.zeros(n, 1, 60, 60)

    _, labels = draw_samples(Probe(), 8, ds, True, 0, torch.device("cpu"), "probe")
    assert torch.equal(labels, tokens[torch.arange(8) % 6]) and torch.equal(torch.cat(seen), labels)


def test_caption_fidelity_with_the_mnist_classifier(mnist_root, evaluator, tmp_path):
    """Real MNIST, the real MNIST CNN: real canvases score near the ceiling, blank ones 0."""
    from ganbench.api import MetricContext

    ds = dataset.load(DatasetRequest({"n_images": 60, "seed": 2}, mnist_root, torch.device("cpu")))
    n = 60

    def ctx(samples):
        return MetricContext(dataset=ds, samples=samples, labels=ds.labels[:n], device=torch.device("cpu"),
                             cache_dir=tmp_path, options={}, final=True)

    real = fidelity.compute(ctx(ds.data[:n]))
    assert real["caption_accuracy"].value == real["caption_accuracy_real"].value >= 0.85
    assert real["caption_fid"].value == pytest.approx(0.0, abs=0.01)  # sqrtm of a near-singular product
    blank = fidelity.compute(ctx(-torch.ones_like(ds.data[:n])))
    assert blank["caption_accuracy"].value == 0.0 and blank["caption_fid"].value > 10
    assert blank["caption_accuracy"].extractor == "ganbench-mnist-cnn"
