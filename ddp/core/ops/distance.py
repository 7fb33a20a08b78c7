"""Pairwise distances between the rows of two batches of matrices (cdist)."""
import math

import numpy as np

from ..autograd import Function


def _pairs(x1, x2):
    """x1[..., i, :] - x2[..., j, :] for every pair: shape (..., P, R, M)."""
    return x1[..., :, None, :] - x2[..., None, :, :]


def _euclid_by_matmul(x1, x2):
    """sqrt(|a|^2 + |b|^2 - 2 a.b), one matrix product and no (P, R, M) temporary; clamped at 0, where
    rounding can make the sum of a pair of (nearly) equal rows slightly negative."""
    d2 = np.square(x1).sum(-1)[..., :, None] + np.square(x2).sum(-1)[..., None, :]
    d2 -= 2 * np.matmul(x1, np.swapaxes(x2, -1, -2))
    return np.sqrt(np.maximum(d2, 0, out=d2), out=d2)


class Cdist(Function):
    """||x1[..., i, :] - x2[..., j, :]||_p for every pair of rows (p >= 0, inf allowed).

    With diff = x1_i - x2_j and d the distance: d/dx1_i = g sign(diff) |diff|^(p-1) / d^(p-1) (p = 2: g diff
    / d; p = 1: g sign(diff); p = inf: g sign(diff) where |diff| = d, every tie in full; p = 0: 0), taken as 0
    where d = 0 or diff = 0, as PyTorch; d/dx2_j is its negative summed over i."""

    @staticmethod
    def forward(ctx, x1, x2, *, p, use_mm):
        if p == 2 and use_mm:
            out = _euclid_by_matmul(x1, x2)
        else:
            a = np.abs(_pairs(x1, x2))
            if p == 0:
                out = (a != 0).sum(-1).astype(a.dtype)
            elif p == 1:
                out = a.sum(-1)
            elif p == 2:
                out = np.sqrt(np.square(a).sum(-1))
            elif p == math.inf:
                out = a.max(-1, initial=0)
            else:
                out = np.power(np.power(a, p).sum(-1), 1 / p)
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x1, x2, out)
        ctx.p = p
        return out

    @staticmethod
    def backward(ctx, g):
        x1, x2, out = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return np.zeros(x1.shape, g.dtype), np.zeros(x2.shape, g.dtype)
        if p == 2:  # sum_j G_ij (x1_i - x2_j) as products, without the (P, R, M) differences
            with np.errstate(divide="ignore", invalid="ignore"):
                w = np.where(out == 0, 0, g / out)
            gx1 = w.sum(-1)[..., None] * x1 - np.matmul(w, x2)
            gx2 = w.sum(-2)[..., None] * x2 - np.matmul(np.swapaxes(w, -1, -2), x1)
            return gx1, gx2
        diff = _pairs(x1, x2)
        if p == 1:
            pair = np.sign(diff) * g[..., None]
        elif p == math.inf:
            pair = np.sign(diff) * (np.abs(diff) == out[..., None]) * g[..., None]
        else:
            a = np.abs(diff)
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.where(out == 0, 0, g / np.power(out, p - 1))[..., None]
                pair = np.where(a == 0, 0, np.sign(diff) * np.power(a, p - 1) * scale)
        return pair.sum(-2), -pair.sum(-3)
