"""`AugMix` (Hendrycks et al., 2020), as torchvision's: a random convex mix of the image and of
`mixture_width` chains of 1 to 3 random ops, with each sample its own chains and weights."""
import numpy as np

from ddp.core.random import get_generator

from . import ops, photometric
from .autoaugment import _Policy, _signed_magnitudes
from .autoaugment_ops import NAMES, apply_ops, space, table

_OPS = ("ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Posterize", "Solarize", "AutoContrast", "Equalize")
_COLOUR_OPS = ("Brightness", "Color", "Contrast", "Sharpness")


class AugMix(_Policy):
    """Mix each sample with `mixture_width` augmented copies of it: out = m0 * x + m1 * sum_i w_i * chain_i(x),
    (m0, m1) ~ Dirichlet(alpha, alpha), w ~ Dirichlet(alpha, ..., alpha); chain i applies `chain_depth` ops (a
    depth drawn in 1..3 when negative), each picked uniformly with a magnitude bin below `severity` of 10 and
    a random sign. Integer images are truncated back to their dtype, as torchvision's; PIL images are mixed as
    their pixels, as torchvision's.

    Args:
        severity: 1..10, the bins the magnitudes are drawn from.
        mixture_width: number of chains. chain_depth: ops per chain, or -1 for a random 1..3.
        alpha: the Dirichlet concentration. all_ops: also use Brightness, Color, Contrast and Sharpness.
        interpolation: "bilinear" (default) or "nearest". fill: as `TrivialAugmentWide`'s.
    Raises:
        ValueError: for a severity outside 1..10.

    Example:
        >>> AugMix(severity=3)(images)
    """

    def __init__(self, severity=3, mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=True, interpolation="bilinear",
                 fill=None, generator=None):
        if not 1 <= severity <= 10:
            raise ValueError(f"AugMix: severity must be in [1, 10], got {severity}")
        super().__init__(interpolation, fill, generator)
        self.severity, self.mixture_width, self.chain_depth = severity, mixture_width, chain_depth
        self.alpha, self.all_ops = float(alpha), all_ops

    def _space(self, height, width):
        names = _OPS + (_COLOUR_OPS if self.all_ops else ())
        return table(names, space(10, 0.3, (width / 3.0, height / 3.0), 30.0, 0.9, 4, 4))

    def _sample_dirichlet(self, gen, concentration, n):
        """(n, k) Dirichlet draws in float32 (a method, so that tests can fix the weights)."""
        return gen.dirichlet(concentration, size=n).astype(np.float32)

    def __call__(self, x):
        a, restore = ops.as_nchw(x, "AugMix")
        photometric.check_image(a, "AugMix")
        gen, n = get_generator(self.generator), len(a)
        ids, values, signed = self._space(*a.shape[2:])
        m = self._sample_dirichlet(gen, [self.alpha] * 2, n)
        weights = self._sample_dirichlet(gen, [self.alpha] * self.mixture_width, n) * m[:, 1:2]
        dtype = a.dtype if a.dtype.kind == "f" else np.dtype(np.float32)
        mix = m[:, 0, None, None, None] * a.astype(dtype)
        for i in range(self.mixture_width):
            depth = np.full(n, self.chain_depth) if self.chain_depth > 0 else gen.integers(1, 4, size=n)
            aug = a
            for step in range(depth.max()):
                op, bins = gen.integers(len(ids), size=n), gen.integers(self.severity, size=n)
                magnitude = _signed_magnitudes(values, signed, op, bins, gen.integers(2, size=n) == 1)
                aug = apply_ops(aug, NAMES, np.where(depth > step, ids[op], -1), magnitude, self.interpolation,
                                self.fill)
            mix += weights[:, i, None, None, None] * aug.astype(dtype)
        return restore(np.clip(mix, 0, photometric.bound(a.dtype)).astype(a.dtype))

    def __repr__(self):
        return (f"AugMix(severity={self.severity}, mixture_width={self.mixture_width}, chain_depth={self.chain_depth}, "
                f"alpha={self.alpha}, all_ops={self.all_ops}, interpolation={self.interpolation!r}, fill={self.fill})")
