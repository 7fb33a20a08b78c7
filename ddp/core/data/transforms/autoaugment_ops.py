"""The operations the automatic augmentation policies pick from (ShearX ... Identity), each with a signed
magnitude, and the magnitude spaces of torchvision's policies.

`apply_ops` runs a batch at once: every sample names its own op and magnitude, and each op runs once on the
samples that chose it, through the batched kernels (`geometric.affine`, `photometric`). `apply_op_pil` is the
same op on one PIL image through PIL, as torchvision sends PIL images.

Geometry follows torchvision's `_apply_op`: shears turn `magnitude` into an angle atan(magnitude) about the
top-left corner, translations truncate to whole pixels, rotations are counter-clockwise about the centre.
"""
import math

import numpy as np

from ddp.core.creation import linspace_points

from . import ops, photometric, pil
from .color import _grey
from .geometric import affine

NAMES = ("Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color", "Contrast",
         "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize", "Invert")


def linspace(start, end, steps):
    """torch.linspace in float32, so that the magnitudes are torchvision's to the bit."""
    return np.array([start], np.float32) if steps == 1 else linspace_points(start, end, steps, np.dtype(np.float32))


def posterize_bits(num_bins, top, levels):
    """`top` - round(i / ((num_bins - 1) / levels)) for bin i: the bits kept, from `top` down by `levels`."""
    i = np.arange(num_bins, dtype=np.float32)
    return top - np.round(i / np.float32((num_bins - 1) / levels)).astype(np.int64)


def space(num_bins, shear, translate, rotate, colour, posterize_top, posterize_levels):
    """{op: (magnitudes (num_bins,) or None, signed)} with the given largest shear, translation (x, y), rotation
    and colour magnitudes, and Posterize's bits; Solarize's thresholds run from 255 down to 0 in every policy."""
    signed = {"ShearX": shear, "ShearY": shear, "TranslateX": translate[0], "TranslateY": translate[1],
              "Rotate": rotate, "Brightness": colour, "Color": colour, "Contrast": colour, "Sharpness": colour}
    out = {name: (linspace(0.0, top, num_bins), True) for name, top in signed.items()}
    out["Posterize"] = (posterize_bits(num_bins, posterize_top, posterize_levels).astype(np.float32), False)
    out["Solarize"] = (linspace(255.0, 0.0, num_bins), False)
    for name in ("AutoContrast", "Equalize", "Invert", "Identity"):
        out[name] = (None, False)
    return out


def table(names, spaces):
    """The ops `names` of a space as arrays: their indices in NAMES, magnitudes (ops, bins) (0 where an op has
    none) and whether each is signed, so that per-sample draws index them in one go."""
    bins = max(len(v) for v, _ in spaces.values() if v is not None)
    values = np.zeros((len(names), bins))
    for i, name in enumerate(names):
        if spaces[name][0] is not None:
            values[i] = spaces[name][0]
    return np.array([NAMES.index(n) for n in names]), values, np.array([spaces[n][1] for n in names])


def _shear(a, m, axis, interpolation, fill):
    n, shear = len(a), np.zeros((len(a), 2))
    shear[:, axis] = np.degrees(np.arctan(m))
    return affine(a, np.zeros(n), np.zeros((n, 2)), np.ones(n), shear, interpolation, fill, center=(-0.5, -0.5))


def _translate(a, m, axis, interpolation, fill):
    n, shift = len(a), np.zeros((len(a), 2))
    shift[:, axis] = np.trunc(m)
    return affine(a, np.zeros(n), shift, np.ones(n), np.zeros((n, 2)), interpolation, fill)


def _rotate(a, m, interpolation, fill):
    n = len(a)
    return affine(a, -m, np.zeros((n, 2)), np.ones(n), np.zeros((n, 2)), interpolation, fill)  # rotate: -angle


def _contrast(a, factor):
    grey = _grey(a).astype(np.float32)
    return photometric.blend(a, grey.mean(axis=(1, 2, 3), keepdims=True, dtype=np.float32), factor)


def _solarize(a, m):
    return photometric.solarize(a, m * (photometric.bound(a.dtype) / 255))  # thresholds are on the uint8 scale


KERNELS = {
    "Identity": lambda a, m, i, f: a,
    "ShearX": lambda a, m, i, f: _shear(a, m, 0, i, f),
    "ShearY": lambda a, m, i, f: _shear(a, m, 1, i, f),
    "TranslateX": lambda a, m, i, f: _translate(a, m, 0, i, f),
    "TranslateY": lambda a, m, i, f: _translate(a, m, 1, i, f),
    "Rotate": lambda a, m, i, f: _rotate(a, m, i, f),
    "Brightness": lambda a, m, i, f: photometric.blend(a, np.zeros((), a.dtype), 1 + m),
    "Color": lambda a, m, i, f: photometric.blend(a, _grey(a), 1 + m) if a.shape[1] == 3 else a,
    "Contrast": lambda a, m, i, f: _contrast(a, 1 + m),
    "Sharpness": lambda a, m, i, f: photometric.sharpness(a, 1 + m),
    "Posterize": lambda a, m, i, f: photometric.posterize(a, np.trunc(m).astype(np.int64)),
    "Solarize": lambda a, m, i, f: _solarize(a, m),
    "AutoContrast": lambda a, m, i, f: photometric.autocontrast(a),
    "Equalize": lambda a, m, i, f: photometric.equalize(a),
    "Invert": lambda a, m, i, f: photometric.invert(a),
}


def apply_ops(a, names, op, magnitude, interpolation, fill):
    """Sample b of `a` (B, C, H, W) through op `names[op[b]]` with magnitude[b] (op[b] < 0: left as it is)."""
    out = a.copy()
    for k in np.unique(op[op >= 0]):
        pick = op == k
        out[pick] = KERNELS[names[k]](a[pick], magnitude[pick], interpolation, fill)
    return out


def apply_op_pil(img, name, magnitude, interpolation, fill):
    """One op on a PIL image by PIL's own operations, as torchvision's `_apply_op` for PIL images."""
    if name in ("ShearX", "ShearY", "TranslateX", "TranslateY"):
        shear, shift = np.zeros((1, 2)), np.zeros((1, 2))
        axis = 0 if name.endswith("X") else 1
        if name.startswith("Shear"):
            shear[0, axis], center = math.degrees(math.atan(magnitude)), (0.0, 0.0)
        else:
            shift[0, axis], center = int(magnitude), (img.width * 0.5, img.height * 0.5)
        matrix = ops.affine_matrix(np.zeros(1), shift, np.ones(1), shear, center)[0]
        return pil.affine(img, matrix, interpolation, fill)
    if name == "Rotate":
        return pil.rotate(img, magnitude, interpolation, fill)
    if name in ("Brightness", "Color", "Contrast", "Sharpness"):
        return pil.enhance(img, name, 1.0 + magnitude)
    if name in ("Posterize", "Solarize"):
        return pil.image_op(img, name.lower(), int(magnitude) if name == "Posterize" else magnitude)
    if name in ("AutoContrast", "Equalize", "Invert"):
        return pil.image_op(img, name.lower())
    if name != "Identity":
        raise ValueError(f"unknown augmentation op {name!r}")
    return img
