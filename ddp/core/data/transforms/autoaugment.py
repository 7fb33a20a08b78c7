"""torchvision's automatic augmentation policies: `AutoAugment` (with `AutoAugmentPolicy`), `RandAugment`,
`TrivialAugmentWide` and `AugMix`, vectorised over a batch with each sample's own draws (torchvision draws once
per call, for the whole batch).

They take uint8 images (as torchvision documents) and float images in [0, 1] (Solarize's threshold scaled to
the range, Posterize and Equalize by torchvision v2's rules), with 1 or 3 channels, in the layouts of `ops`.
A PIL image goes through PIL's own operations (`autoaugment_ops.apply_op_pil`), except in AugMix, which mixes
its pixels as torchvision does.
"""
import enum

import numpy as np

from ddp.core.random import get_generator

from . import ops, photometric, pil
from .autoaugment_ops import NAMES, apply_op_pil, apply_ops, space, table
from .geometric import _interpolation


class AutoAugmentPolicy(enum.Enum):
    """The policies AutoAugment learned on ImageNet, CIFAR10 and SVHN."""

    IMAGENET = "imagenet"
    CIFAR10 = "cifar10"
    SVHN = "svhn"


# Each line is one sub-policy: two ops, each "name probability [magnitude bin]" (AutoAugment, Cubuk et al. 2019).
_POLICIES = {
    AutoAugmentPolicy.IMAGENET: """
        Posterize 0.4 8, Rotate 0.6 9 | Solarize 0.6 5, AutoContrast 0.6 | Equalize 0.8, Equalize 0.6
        Posterize 0.6 7, Posterize 0.6 6 | Equalize 0.4, Solarize 0.2 4 | Equalize 0.4, Rotate 0.8 8
        Solarize 0.6 3, Equalize 0.6 | Posterize 0.8 5, Equalize 1.0 | Rotate 0.2 3, Solarize 0.6 8
        Equalize 0.6, Posterize 0.4 6 | Rotate 0.8 8, Color 0.4 0 | Rotate 0.4 9, Equalize 0.6
        Equalize 0.0, Equalize 0.8 | Invert 0.6, Equalize 1.0 | Color 0.6 4, Contrast 1.0 8
        Rotate 0.8 8, Color 1.0 2 | Color 0.8 8, Solarize 0.8 7 | Sharpness 0.4 7, Invert 0.6
        ShearX 0.6 5, Equalize 1.0 | Color 0.4 0, Equalize 0.6 | Equalize 0.4, Solarize 0.2 4
        Solarize 0.6 5, AutoContrast 0.6 | Invert 0.6, Equalize 1.0 | Color 0.6 4, Contrast 1.0 8
        Equalize 0.8, Equalize 0.6""",
    AutoAugmentPolicy.CIFAR10: """
        Invert 0.1, Contrast 0.2 6 | Rotate 0.7 2, TranslateX 0.3 9 | Sharpness 0.8 1, Sharpness 0.9 3
        ShearY 0.5 8, TranslateY 0.7 9 | AutoContrast 0.5, Equalize 0.9 | ShearY 0.2 7, Posterize 0.3 7
        Color 0.4 3, Brightness 0.6 7 | Sharpness 0.3 9, Brightness 0.7 9 | Equalize 0.6, Equalize 0.5
        Contrast 0.6 7, Sharpness 0.6 5 | Color 0.7 7, TranslateX 0.5 8 | Equalize 0.3, AutoContrast 0.4
        TranslateY 0.4 3, Sharpness 0.2 6 | Brightness 0.9 6, Color 0.2 8 | Solarize 0.5 2, Invert 0.0
        Equalize 0.2, AutoContrast 0.6 | Equalize 0.2, Equalize 0.6 | Color 0.9 9, Equalize 0.6
        AutoContrast 0.8, Solarize 0.2 8 | Brightness 0.1 3, Color 0.7 0 | Solarize 0.4 5, AutoContrast 0.9
        TranslateY 0.9 9, TranslateY 0.7 9 | AutoContrast 0.9, Solarize 0.8 3 | Equalize 0.8, Invert 0.1
        TranslateY 0.7 9, AutoContrast 0.9""",
    AutoAugmentPolicy.SVHN: """
        ShearX 0.9 4, Invert 0.2 | ShearY 0.9 8, Invert 0.7 | Equalize 0.6, Solarize 0.6 6
        Invert 0.9, Equalize 0.6 | Equalize 0.6, Rotate 0.9 3 | ShearX 0.9 4, AutoContrast 0.8
        ShearY 0.9 8, Invert 0.4 | ShearY 0.9 5, Solarize 0.2 6 | Invert 0.9, AutoContrast 0.8
        Equalize 0.6, Rotate 0.9 3 | ShearX 0.9 4, Solarize 0.3 3 | ShearY 0.8 8, Invert 0.7
        Equalize 0.9, TranslateY 0.6 6 | Invert 0.9, Equalize 0.6 | Contrast 0.3 3, Rotate 0.8 4
        Invert 0.8, TranslateY 0.0 2 | ShearY 0.7 6, Solarize 0.4 8 | Invert 0.6, Rotate 0.8 4
        ShearY 0.3 7, TranslateX 0.9 3 | ShearX 0.1 6, Invert 0.6 | Solarize 0.7 2, TranslateY 0.6 7
        ShearY 0.8 4, Invert 0.8 | ShearX 0.7 9, TranslateY 0.8 3 | ShearY 0.8 5, AutoContrast 0.7
        ShearX 0.7 2, Invert 0.1""",
}


def _sub_policies(text):
    """A policy's text as arrays (sub-policies, 2): op indices in NAMES, probabilities, magnitude bins (0 if none)."""
    specs = [[op.split() for op in sub.split(",")] for line in text.strip().splitlines() for sub in line.split("|")]
    op = np.array([[NAMES.index(s[0]) for s in sub] for sub in specs])
    p = np.array([[float(s[1]) for s in sub] for sub in specs])
    bins = np.array([[int(s[2]) if len(s) > 2 else 0 for s in sub] for sub in specs])
    return op, p, bins


def _signed_magnitudes(values, signed, op, bins, negate):
    """Each sample's magnitude values[op, bins], negated where the op is signed and `negate` holds."""
    return values[op, bins] * np.where(signed[op] & negate, -1.0, 1.0)


class _Policy:
    """What the policies share: the fill and interpolation arguments, and image checks. Subclasses' `_draw(gen,
    n, height, width)` yields, step by step, each sample's op (an index in NAMES, or -1 for none) and magnitude."""

    batched = True

    def __init__(self, interpolation, fill, generator):
        self.interpolation, self.fill, self.generator = _interpolation(interpolation), fill, generator

    def __call__(self, x):
        gen = get_generator(self.generator)
        if pil.is_pil_image(x):
            for op, magnitude in self._draw(gen, 1, x.height, x.width):
                if op[0] >= 0:
                    x = apply_op_pil(x, NAMES[op[0]], float(magnitude[0]), self.interpolation, self.fill)
            return x
        a, restore = ops.as_nchw(x, type(self).__name__)
        photometric.check_image(a, type(self).__name__)
        for op, magnitude in self._draw(gen, len(a), *a.shape[2:]):
            a = apply_ops(a, NAMES, op, magnitude, self.interpolation, self.fill)
        return restore(a)


class TrivialAugmentWide(_Policy):
    """TrivialAugment (Muller and Hutter, 2021): one op per sample, picked uniformly with a uniform magnitude
    bin out of `num_magnitude_bins` and a random sign, from torchvision's wide ranges.

    Args:
        num_magnitude_bins: how many magnitudes each op's range is split into.
        interpolation: "nearest" (default) or "bilinear", for the geometric ops.
        fill: value (or one per channel) of pixels that come from outside the image; None reads 0.
        generator: numpy Generator for the draws.

    Example:
        >>> TrivialAugmentWide()(images)   # uint8 (B, H, W, 3)
    """

    def __init__(self, num_magnitude_bins=31, interpolation="nearest", fill=None, generator=None):
        super().__init__(interpolation, fill, generator)
        self.num_magnitude_bins = num_magnitude_bins

    def _space(self, height, width):
        return table(NAMES[:14], space(self.num_magnitude_bins, 0.99, (32.0, 32.0), 135.0, 0.99, 8, 6))

    def _draw(self, gen, n, height, width):
        ids, values, signed = self._space(height, width)
        op = gen.integers(len(ids), size=n)
        bins, negate = gen.integers(self.num_magnitude_bins, size=n), gen.integers(2, size=n) == 1
        yield ids[op], _signed_magnitudes(values, signed, op, bins, negate)

    def __repr__(self):
        return (f"{type(self).__name__}(num_magnitude_bins={self.num_magnitude_bins}, "
                f"interpolation={self.interpolation!r}, fill={self.fill})")


class RandAugment(TrivialAugmentWide):
    """RandAugment (Cubuk et al., 2020): `num_ops` ops in a row per sample, each picked uniformly, all at bin
    `magnitude` of `num_magnitude_bins` with a random sign (other arguments as `TrivialAugmentWide`'s).

    Raises:
        ValueError: unless 0 <= magnitude < num_magnitude_bins.

    Example:
        >>> RandAugment(num_ops=2, magnitude=9)(images)
    """

    def __init__(self, num_ops=2, magnitude=9, num_magnitude_bins=31, interpolation="nearest", fill=None,
                 generator=None):
        if not 0 <= magnitude < num_magnitude_bins:
            raise ValueError(f"RandAugment: magnitude must be in [0, num_magnitude_bins={num_magnitude_bins}), "
                             f"got {magnitude}")
        super().__init__(num_magnitude_bins, interpolation, fill, generator)
        self.num_ops, self.magnitude = num_ops, magnitude

    def _space(self, height, width):
        translate = (150.0 / 331.0 * width, 150.0 / 331.0 * height)
        return table(NAMES[:14], space(self.num_magnitude_bins, 0.3, translate, 30.0, 0.9, 8, 4))

    def _draw(self, gen, n, height, width):
        ids, values, signed = self._space(height, width)
        for _ in range(self.num_ops):
            op, negate = gen.integers(len(ids), size=n), gen.integers(2, size=n) == 1
            yield ids[op], _signed_magnitudes(values, signed, op, np.full(n, self.magnitude), negate)

    def __repr__(self):
        return (f"RandAugment(num_ops={self.num_ops}, magnitude={self.magnitude}, num_magnitude_bins="
                f"{self.num_magnitude_bins}, interpolation={self.interpolation!r}, fill={self.fill})")


class AutoAugment(_Policy):
    """AutoAugment (Cubuk et al., 2019): per sample, one of the `policy`'s 25 sub-policies, whose two ops each
    apply with their own probability, at their fixed magnitude bin of 10, with a random sign.

    Args:
        policy: an AutoAugmentPolicy (or its value, "imagenet", "cifar10", "svhn").
        interpolation, fill, generator: as `TrivialAugmentWide`'s.

    Example:
        >>> AutoAugment(AutoAugmentPolicy.CIFAR10)(images)
    """

    def __init__(self, policy=AutoAugmentPolicy.IMAGENET, interpolation="nearest", fill=None, generator=None):
        super().__init__(interpolation, fill, generator)
        self.policy = AutoAugmentPolicy(policy)
        self.policies = _sub_policies(_POLICIES[self.policy])

    def _draw(self, gen, n, height, width):
        translate = (150.0 / 331.0 * width, 150.0 / 331.0 * height)
        spaces = space(10, 0.3, translate, 30.0, 0.9, 8, 4)
        ids, values, signed = table(NAMES, spaces)  # ids is arange: NAMES order
        chosen = gen.integers(len(self.policies[0]), size=n)
        probs, negate = gen.random((n, 2)), gen.integers(2, size=(n, 2)) == 0
        op, p, bins = (v[chosen] for v in self.policies)
        for i in range(2):
            magnitude = _signed_magnitudes(values, signed, op[:, i], bins[:, i], negate[:, i])
            yield np.where(probs[:, i] <= p[:, i], op[:, i], -1), magnitude

    def __repr__(self):
        return f"AutoAugment(policy={self.policy}, fill={self.fill})"
