"""The family metrics against constructed models whose answer is known.

* latent-codes: a "generator" whose categorical code deterministically picks real MNIST test
  digits of a permuted class scores the evaluator's accuracy (about 99 %) and recovers the
  permutation; a Q that returns the permutation's inverse scores exactly 1.
* encoder: an identity encoder/generator pair reconstructs with zero error; a linear probe on
  linearly separable features scores 1, on features independent of the label about chance.
"""

from __future__ import annotations

import math

import pytest
import torch

from ganbench.api import Dataset, MetricContext
from ganbench.contract.latents import LatentCode, can_encode, has_codes
from ganbench.metrics import encoding, latent_codes
from ganbench.metrics.latent_codes import majority_accuracy

PERM = torch.tensor([3, 7, 0, 9, 1, 5, 2, 8, 6, 4])  # code value k draws digit PERM[k]


def test_majority_accuracy_known_table():
    # value 0: labels 2,2,2,5 -> 2 (3 of 4); value 1: 7,7 -> 7 (2 of 2); value 2 unused
    codes = torch.tensor([0, 0, 0, 0, 1, 1])
    labels = torch.tensor([2, 2, 2, 5, 7, 7])
    s = majority_accuracy(codes, labels, 3, 10)
    assert s.accuracy == pytest.approx(5 / 6)
    assert s.mapping.tolist() == [2, 7, -1] and s.distinct == 2
    assert s.matched_accuracy == pytest.approx(5 / 6)  # the majority assignment is one-to-one here
    # collapse: every value draws digit 4 -> majority 1.0, one-to-one only the largest value's share
    collapsed = majority_accuracy(torch.arange(10).repeat_interleave(10), torch.full((100,), 4), 10, 10)
    assert collapsed.accuracy == 1.0 and collapsed.distinct == 1
    assert collapsed.matched_accuracy == pytest.approx(0.1)
    with pytest.raises(ValueError, match="must be equal"):
        majority_accuracy(codes, labels[:3], 3, 10)


class DigitCodeModel:
    """Code value k -> a real MNIST test image of digit PERM[k]; continuous codes ignored."""

    latent_codes = (LatentCode("c1", "categorical", 10), LatentCode("c2", "continuous"))

    def __init__(self, images: torch.Tensor, labels: torch.Tensor):
        self.by_digit = [images[labels == d] for d in range(10)]

    def sample_codes(self, n, codes, *, generator=None):
        c1 = codes.get("c1")
        if c1 is None:
            c1 = torch.randint(10, (n,), generator=generator)
        pick = torch.randint(800, (n,), generator=generator)
        return torch.stack([self.by_digit[int(PERM[int(k)])][int(i)] for k, i in zip(c1, pick)])

    def sample(self, n, labels=None, *, generator=None):
        return self.sample_codes(n, {}, generator=generator)

    def infer_codes(self, x):
        return {"c1": torch.zeros(len(x), 10)}  # no information (a test replaces it)


@pytest.fixture(scope="module")
def mnist_test(mnist_root, evaluator):
    from ganbench.data.mnist import load_split

    images, labels = load_split(mnist_root, "mnist", "test", download_ok=False)
    return images.unsqueeze(1).float() / 127.5 - 1, labels


def _ctx(ds: Dataset, model, final: bool, tmp_path, **options) -> MetricContext:
    return MetricContext(dataset=ds, samples=ds.data[:4], labels=None, device=torch.device("cpu"),
                         cache_dir=tmp_path, options=options, final=final, model=model)


def test_code_accuracy_of_a_code_that_picks_digits(mnist_test, mnist_root, tmp_path):
    x, y = mnist_test
    model = DigitCodeModel(x, y)
    inverse = torch.argsort(PERM)  # digit d is drawn by code value inverse[d]
    assert has_codes(model)
    ds = Dataset("mnist", "image", x[:3000], y[:3000], 10,
                 {"evaluator": "mnist", "digit_channels": 1, "root": str(mnist_root)})
    ctx = _ctx(ds, model, True, tmp_path, code_samples_per_value=200, code_q_samples=3000)
    # Q sees ds.data in a fixed random order: give it the labels in that order
    order = torch.randperm(len(ds), generator=torch.Generator().manual_seed(latent_codes.SEED))
    chunks = iter(order.split(2000))

    def q(imgs: torch.Tensor) -> dict[str, torch.Tensor]:
        idx = next(chunks)
        assert torch.equal(imgs, ds.data[idx])
        return {"c1": torch.nn.functional.one_hot(inverse[y[idx]], 10).float() * 5}

    model.infer_codes = q
    out = latent_codes.compute(ctx)
    assert out["code_accuracy"].value >= 0.97  # the evaluator's own accuracy bounds it
    assert out["code_digits"].value == 10
    assert out["code_accuracy_matched"].value == pytest.approx(out["code_accuracy"].value)
    assert "0->3 1->7 2->0" in out["code_accuracy"].note  # the permutation is recovered
    assert out["q_accuracy"].value == 1.0
    grids = ctx.figures
    assert set(grids) == {"c1 (categorical, 10 values)", "c2 (continuous, -2 to 2; rows: c1 = 0..9)"}
    assert tuple(grids["c1 (categorical, 10 values)"].shape) == (8, 10, 1, 28, 28)


def test_code_accuracy_of_an_ignored_code_is_low(mnist_test, mnist_root, tmp_path):
    """A code the generator ignores: every value draws all digits; the majority rule scores
    about 1/10 and the values map to few distinct digits."""
    x, y = mnist_test
    model = DigitCodeModel(x, y)
    base = model.sample_codes
    model.sample_codes = lambda n, codes, generator=None: base(n, {}, generator=generator)
    ds = Dataset("mnist", "image", x[:100], y[:100], 10, {"evaluator": "mnist", "digit_channels": 1, "root": str(mnist_root)})
    out = latent_codes.compute(_ctx(ds, model, False, tmp_path, code_samples_per_value=200))
    assert out["code_accuracy"].value < 0.2


def test_metrics_ignore_models_without_the_capability(tmp_path):
    class Plain:
        def sample(self, n, labels=None, *, generator=None):
            return torch.zeros(n, 2)

    ds = Dataset("v", "vector", torch.randn(100, 2), torch.arange(100) % 2, 2)
    assert not can_encode(Plain()) and not has_codes(Plain())
    assert encoding.compute(_ctx(ds, Plain(), True, tmp_path)) == {}
    assert latent_codes.compute(_ctx(ds, Plain(), True, tmp_path)) == {}


class IdentityCoder:
    def encode(self, x):
        return x.flatten(1)

    def generate(self, z):
        return z.view(-1, 1, 8, 8)


def test_identity_pair_reconstructs_exactly_and_probe_reads_separable_codes(tmp_path):
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(4, (3000,), generator=g)
    x = torch.randn(3000, 1, 8, 8, generator=g) * 0.1
    x[:, 0, 0, :4] += torch.nn.functional.one_hot(labels, 4).float()  # the label, linearly readable
    ds = Dataset("toy", "image", x.clamp(-1, 1), labels, 4)
    ctx = _ctx(ds, IdentityCoder(), True, tmp_path, probe_train=2000, probe_test=1000)
    out = encoding.compute(ctx)
    assert out["recon_mse"].value == 0.0
    assert out["probe_accuracy"].value == 1.0
    fig = ctx.figures["reconstructions (odd rows: x, even rows: G(E(x)))"]
    assert tuple(fig.shape) == (8, 8, 1, 8, 8)
    assert torch.equal(fig[0], fig[1])  # identity: each reconstruction row equals the row above


def test_probe_on_label_free_features_is_at_chance():
    g = torch.Generator().manual_seed(1)
    f, y = torch.randn(4000, 16, generator=g), torch.randint(10, (4000,), generator=g)
    p = encoding.linear_probe(f[:3000], y[:3000], f[3000:], y[3000:], 10)
    assert abs(p.test_accuracy - 0.1) < 0.04
    assert p.train_accuracy > p.test_accuracy


def test_reconstruction_error_of_a_constant_decoder_is_the_data_variance():
    x = torch.randn(5000, 3, generator=torch.Generator().manual_seed(2))
    assert encoding.reconstruction_mse(x, torch.zeros_like(x)) == pytest.approx(float(x.pow(2).mean()))
    assert math.isclose(encoding.reconstruction_mse(x, x), 0.0)


def test_matched_accuracy_is_the_best_permutation_found_by_brute_force():
    """The one-to-one score against an independent oracle: every assignment of 4 values to 4 labels."""
    import itertools

    g = torch.Generator().manual_seed(3)
    codes, labels = torch.randint(4, (300,), generator=g), torch.randint(4, (300,), generator=g)
    labels[codes == 2] = 1  # make two values prefer the same label
    labels[codes == 3] = 1
    brute = max(sum(int(((codes == c) & (labels == perm[c])).sum()) for c in range(4))
                for perm in itertools.permutations(range(4))) / 300
    s = majority_accuracy(codes, labels, 4, 4)
    assert s.matched_accuracy == pytest.approx(brute)
    assert s.accuracy > s.matched_accuracy  # the majority rule lets values 2 and 3 both claim label 1


def test_labels_outside_the_table_are_refused_not_miscounted():
    """With a literal 10 labels, a label 10+ spilled into the next value's row of the count table."""
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 10\)"):
        majority_accuracy(torch.tensor([0, 1]), torch.tensor([3, 11]), 2, 10)
    with pytest.raises(ValueError, match=r"codes must lie in \[0, 2\)"):
        majority_accuracy(torch.tensor([0, 2]), torch.tensor([3, 4]), 2, 10)


def test_q_accuracy_matches_each_category_to_one_digit_as_the_paper(mnist_test, mnist_root, tmp_path):
    """Chen et al. score Q "by matching each category in c1 to a digit type". A Q that splits digit 1
    over categories 1 and 2 (alternately) and merges digit 2 into digit 3's category: the majority
    rule lets both 1 and 2 claim digit 1 and loses only the smaller of digits 2/3; matched one to
    one, one half of digit 1 is lost too. Both values counted by hand from the labels."""
    x, y = mnist_test
    model = DigitCodeModel(x, y)
    n = 3000
    ds = Dataset("mnist", "image", x[:n], y[:n], 10, {"evaluator": "mnist", "digit_channels": 1, "root": str(mnist_root)})
    order = torch.randperm(len(ds), generator=torch.Generator().manual_seed(latent_codes.SEED))
    seen = y[order[:n]]  # the labels Q sees, in its order
    split = torch.zeros(n, dtype=torch.bool)
    ones = torch.nonzero(seen == 1).flatten()
    split[ones[1::2]] = True  # every other digit 1 goes to category 2
    category = torch.where(seen == 2, 3, seen)
    category = torch.where(split, 2, category)
    chunks = iter(zip(order[:n].split(2000), category.split(2000)))

    def q(imgs: torch.Tensor) -> dict[str, torch.Tensor]:
        _, cat = next(chunks)
        return {"c1": torch.nn.functional.one_hot(cat, 10).float()}

    model.infer_codes = q
    out = latent_codes.compute(_ctx(ds, model, False, tmp_path, code_samples_per_value=20, code_q_samples=n))
    n1a, n1b = len(ones[0::2]), len(ones[1::2])
    n2, n3 = int((seen == 2).sum()), int((seen == 3).sum())
    assert out["q_accuracy_majority"].value == pytest.approx(1 - min(n2, n3) / n)
    matched = n - (n1a + n1b + n2 + n3) + max(n1a, n1b) + max(n2, n3)
    assert out["q_accuracy"].value == pytest.approx(matched / n)
    assert out["q_accuracy"].value < out["q_accuracy_majority"].value - 0.04
    assert "Hungarian" in out["q_accuracy"].note


class PixelCoder:
    """E(x) = the pixels: the 1-NN on E(x) is the 1-NN on raw pixels, which sklearn can compute."""

    def encode(self, x):
        return x.flatten(1)

    def generate(self, z):
        return z.view(-1, 1, 28, 28)


def test_nn1_accuracy_is_the_bigan_papers_test_set_1nn(mnist_root, tmp_path):
    """BiGAN's Table 1 number: test images classified by their nearest training image in E(x)
    (jeffdonahue/bigan NNC_e, Euclidean). Checked against scikit-learn's 1-NN on the same pixels."""
    from sklearn.neighbors import KNeighborsClassifier

    from ganbench.data.mnist import load_split

    tr_x, tr_y = load_split(mnist_root, "mnist", "train", download_ok=False)
    te_x, te_y = load_split(mnist_root, "mnist", "test", download_ok=False)
    n_tr, n_te = 3000, 400
    x = tr_x[:n_tr].unsqueeze(1).float() / 127.5 - 1
    ds = Dataset("mnist", "image", x, tr_y[:n_tr], 10, {"evaluator": "mnist", "digit_channels": 1, "resolution": 28,
                                                        "root": str(mnist_root), "params": {"split": "train"}})
    out = encoding.compute(_ctx(ds, PixelCoder(), False, tmp_path, nn_test=n_te, probe_train=500, probe_test=200,
                                recon_samples=10))
    knn = KNeighborsClassifier(n_neighbors=1, algorithm="brute").fit(tr_x[:n_tr].flatten(1).numpy() / 127.5 - 1,
                                                                     tr_y[:n_tr].numpy())
    want = float((knn.predict(te_x[:n_te].flatten(1).numpy() / 127.5 - 1) == te_y[:n_te].numpy()).mean())
    assert out["nn1_accuracy"].value == pytest.approx(want, abs=1 / n_te)  # a tie may break the other way
    assert out["nn1_accuracy"].n_real == n_te and "BiGAN paper" in out["nn1_accuracy"].note  # real test images
    assert "ganbench's own measure" in out["probe_accuracy"].note


def test_nn1_predict_takes_the_nearest_gallery_label():
    gallery = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    labels = torch.tensor([7, 3, 5])
    queries = torch.tensor([[9.0, 1.0], [1.0, 8.0], [0.4, 0.4]])
    assert encoding.nn1_predict(gallery, labels, queries).tolist() == [3, 5, 7]
