"""AutoAugment, RandAugment, TrivialAugmentWide and AugMix: the magnitude spaces and single ops against golden
values computed with torchvision 0.29 (not needed to run these tests), the draws' ranges and rates, per-sample
application over a batch, float and PIL images."""
import numpy as np
import pytest

from ddp.core.data import transforms as T
from ddp.core.data.transforms import autoaugment_ops as O
from ddp.core.random import Generator
from ddp.core.tensor import Tensor

rng = np.random.default_rng(0)
X = (np.arange(60) * 37 % 200 + 20).astype(np.uint8).reshape(3, 4, 5)  # the image of the golden values
BATCH = rng.integers(0, 256, (16, 3, 20, 24), dtype=np.uint8)


def gen(seed=0):
    return Generator().manual_seed(seed)


def one(name, magnitude, interpolation="nearest", fill=None, x=X):
    return O.apply_ops(x[None], O.NAMES, np.array([O.NAMES.index(name)]), np.array([magnitude]), interpolation,
                       fill)[0]


def test_magnitude_spaces_are_torchvisions():
    assert O.linspace(0, 0.99, 31)[19] == np.float32(0.6270000338554382)  # torch.linspace's float32 value
    assert O.posterize_bits(31, 8, 6).tolist() == [8] * 3 + [7] * 5 + [6] * 5 + [5] * 5 + [4] * 5 + [3] * 5 + [2] * 3
    ids, values, signed = T.TrivialAugmentWide()._space(20, 24)
    assert [O.NAMES[i] for i in ids][:3] == ["Identity", "ShearX", "ShearY"] and len(ids) == 14
    rotate = list(ids).index(O.NAMES.index("Rotate"))
    assert values[rotate, -1] == 135 and signed[rotate] and not signed[list(ids).index(O.NAMES.index("Solarize"))]
    ids, values, _ = T.RandAugment()._space(331, 662)
    assert values[list(ids).index(O.NAMES.index("TranslateX")), -1] == pytest.approx(300, rel=1e-6)
    assert [O.NAMES[i] for i in T.AugMix(all_ops=False)._space(9, 9)[0]][-1] == "Equalize"


def test_single_ops_match_torchvision_golden_values():
    np.testing.assert_array_equal(one("ShearX", 0.3)[0], [
        [20, 57, 94, 131, 168], [205, 42, 79, 116, 153], [27, 64, 101, 138, 0], [212, 49, 86, 123, 0]])
    np.testing.assert_array_equal(one("Rotate", 30.0, "bilinear", [9.0, 9.0, 9.0])[0], [
        [10, 47, 119, 143, 45], [45, 63, 87, 112, 136], [190, 54, 56, 80, 105], [56, 146, 144, 29, 11]])
    np.testing.assert_array_equal(one("Contrast", 0.5)[0], [
        [0, 25, 81, 136, 192], [247, 3, 58, 114, 169], [225, 0, 36, 91, 147], [202, 255, 13, 69, 124]])
    np.testing.assert_array_equal(one("TranslateX", -2.9), np.pad(X[:, :, 2:], ((0, 0), (0, 0), (0, 2))))
    np.testing.assert_array_equal(one("Solarize", 100.0), np.where(X >= 100, 255 - X, X))
    np.testing.assert_array_equal(one("Posterize", 4.0), X & 0xF0)
    np.testing.assert_array_equal(one("Identity", 0.0), X)


def test_a_batch_applies_each_samples_own_op():
    op = rng.integers(-1, len(O.NAMES), size=len(BATCH))
    magnitude = rng.uniform(-0.5, 0.5, size=len(BATCH)) * np.where(np.isin(op, [3, 4, 5]), 20, 1)
    magnitude = np.where(op == O.NAMES.index("Posterize"), 5, np.where(op == O.NAMES.index("Solarize"), 90, magnitude))
    out = O.apply_ops(BATCH, O.NAMES, op, magnitude, "bilinear", 7)
    for b in range(len(BATCH)):
        want = BATCH[b] if op[b] < 0 else one(O.NAMES[op[b]], magnitude[b], "bilinear", 7, BATCH[b])
        np.testing.assert_array_equal(out[b], want)


def test_trivial_augment_draws_uniform_ops_bins_and_signs():
    t = T.TrivialAugmentWide(num_magnitude_bins=5, generator=gen(1))
    (op, magnitude), = t._draw(gen(1).rng, 20000, 20, 24)
    counts = np.bincount(op, minlength=14)[:14]
    assert abs(counts / 20000 - 1 / 14).max() < 0.01
    rotate = magnitude[op == O.NAMES.index("Rotate")]
    assert set(np.round(np.abs(rotate), 4)) == {0.0, 33.75, 67.5, 101.25, 135.0} and (rotate < 0).mean() > 0.35
    assert (magnitude[op == O.NAMES.index("Solarize")] >= 0).all()


def test_auto_augment_applies_each_sub_policy_op_with_its_probability():
    t = T.AutoAugment(T.AutoAugmentPolicy.SVHN, generator=gen(2))
    assert len(t.policies[0]) == 25 and T.AutoAugment("cifar10").policy is T.AutoAugmentPolicy.CIFAR10
    first, second = t._draw(gen(2).rng, 20000, 20, 24)
    # SVHN's first ops include ShearX six times, with p 0.9, 0.9, 0.9, 0.1, 0.7, 0.7
    assert (first[0] == O.NAMES.index("ShearX")).mean() == pytest.approx(4.2 / 25, abs=0.01)
    assert (second[0] != -1).mean() == pytest.approx(np.mean(t.policies[1][:, 1]), abs=0.02)
    shear = np.abs(first[1][first[0] == O.NAMES.index("ShearX")])
    assert np.abs(shear[:, None] - O.linspace(0, 0.3, 10)[None]).min(axis=1).max() < 1e-7  # the table's bins


def test_policies_on_batches_floats_and_pil():
    for t in (T.TrivialAugmentWide(generator=gen()), T.RandAugment(generator=gen()), T.AutoAugment(generator=gen()),
              T.AugMix(generator=gen())):
        out = t(Tensor(BATCH)).numpy()
        assert out.shape == BATCH.shape and out.dtype == np.uint8 and t.batched
        changed = [not np.array_equal(o, b) for o, b in zip(out, BATCH)]
        assert sum(changed) > 4
        f = t(Tensor(BATCH.astype(np.float32) / 255)).numpy()
        assert f.dtype == np.float32 and f.min() >= 0 and f.max() <= 1
        assert t(BATCH[0].transpose(1, 2, 0)).shape == (20, 24, 3)
    with pytest.raises(ValueError, match="magnitude"):
        T.RandAugment(magnitude=31)
    with pytest.raises(ValueError, match="severity"):
        T.AugMix(severity=11)
    with pytest.raises(TypeError, match="1 or 3 channels"):
        T.TrivialAugmentWide()(Tensor(np.zeros((4, 8, 8), np.uint8)))
    Image = pytest.importorskip("PIL.Image")
    img = Image.fromarray(BATCH[0].transpose(1, 2, 0))
    for t in (T.TrivialAugmentWide(generator=gen()), T.AutoAugment(generator=gen()), T.AugMix(generator=gen())):
        assert t(img).mode == "RGB" and t(img.convert("L")).size == (24, 20)


def test_pil_shear_is_pils_affine_transform():
    Image = pytest.importorskip("PIL.Image")
    img = Image.fromarray(X.transpose(1, 2, 0))
    out = O.apply_op_pil(img, "ShearX", 0.3, "nearest", None)  # output (x, y) reads input (x + 0.3 y, y)
    want = img.transform(img.size, Image.AFFINE, (1, 0.3, 0, 0, 1, 0), Image.NEAREST)
    np.testing.assert_array_equal(np.array(out), np.array(want))


def test_augmix_mixes_the_image_with_its_chains():
    t = T.AugMix(mixture_width=1, chain_depth=1, generator=gen(3))
    t._sample_dirichlet = lambda g, c, n: np.tile(np.array([1.0] + [0.0] * (len(c) - 1), np.float32), (n, 1))
    np.testing.assert_array_equal(t(Tensor(BATCH)).numpy(), BATCH)   # all weight on the image
    t._sample_dirichlet = lambda g, c, n: np.tile(np.array([0.0, 1.0] if len(c) == 2 else [1.0], np.float32), (n, 1))
    out = t(Tensor(BATCH[:4])).numpy()
    ids, values, _ = t._space(20, 24)
    for b in range(4):  # each sample one op of the space at one of the first `severity` magnitudes
        options = [one(O.NAMES[i], s * values[k, j], "bilinear", None, BATCH[b]) for k, i in enumerate(ids)
                   for j in range(3) for s in (1, -1)]
        assert any(np.array_equal(out[b], o) for o in options)
