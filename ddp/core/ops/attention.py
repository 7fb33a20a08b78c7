"""Scaled dot-product attention as one Function: softmax(q k^T * scale + mask) v, with the softmax done in
place on the score array. Fused for speed: the composed form (scale, matmul, add, softmax, matmul) makes five
graph nodes and as many full-size temporaries of the (..., L, S) scores per call."""
import numpy as np

from ..autograd import Function
from .linalg import MatMul
from .reduce import Softmax, Sum


def causal_mask(length, source, dtype):
    """Additive (L, S) mask: 0 where j <= i (top-left aligned, as PyTorch's is_causal), -inf above."""
    return np.triu(np.full((length, source), -np.inf, dtype=dtype), 1)


class ScaledDotProductAttention(Function):
    """out = w v with w = dropout(softmax(q k^T * scale + mask)); q (..., L, E), k (..., S, E), v (..., S, Ev).

    `mask` is an additive array (or Tensor, then it gets a gradient) broadcastable to the scores, or None;
    `keep` is dropout's scaled keep mask for w (or None). A row the mask blocks entirely gets weights 0 (no
    NaN), so its output and gradients are 0, as PyTorch 2.x's. With p = softmax(...), wd = p * keep:
    d/dv = wd^T g; d/dscores = p (gp - sum(gp p)) with gp = (g v^T) * keep; d/dq = d/dscores k * scale,
    d/dk = d/dscores^T q * scale, d/dmask = d/dscores.
    """

    @staticmethod
    def forward(ctx, q, k, v, mask=None, scale=1.0, keep=None):
        f = q.dtype.type
        scores = np.matmul(q, np.swapaxes(k, -1, -2))
        scores *= f(scale)
        if mask is not None:
            if np.broadcast_shapes(scores.shape, mask.shape) == scores.shape:
                scores += mask
            else:  # a mask with more leading dims than q and k
                scores = scores + mask
        row_max = scores.max(axis=-1, keepdims=True)
        blocked = np.isneginf(row_max)  # a query that may attend nowhere: its weights are 0, as PyTorch's
        if blocked.any():
            row_max[blocked] = 0
        scores -= row_max
        np.exp(scores, out=scores)
        sums = np.einsum("...j->...", scores)[..., None]  # row sums: einsum is ~3x faster than .sum here
        if blocked.any():
            sums[blocked] = 1
        scores /= sums
        weights = scores if keep is None else scores * keep
        out = np.matmul(weights, v)
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(q, k, v, scores, keep)
            ctx.scale, ctx.mask = scale, mask  # the mask: for differentiable_backward, which recomputes p
        return out

    @staticmethod
    def backward(ctx, g):
        q, k, v, p, keep = ctx.saved_tensors
        needs = ctx.needs_input_grad
        f = q.dtype.type
        wd = p if keep is None else p * keep
        gv = np.matmul(np.swapaxes(wd, -1, -2), g) if needs[2] else None
        gp = np.matmul(g, np.swapaxes(v, -1, -2))
        if keep is not None:
            gp *= keep
        gp -= np.einsum("...j,...j->...", gp, p)[..., None]
        gp *= p  # d/dscores
        gmask = gp.copy() if len(needs) > 3 and needs[3] else None
        gp *= f(ctx.scale)
        gq = np.matmul(gp, k) if needs[0] else None
        gk = np.matmul(np.swapaxes(gp, -1, -2), q) if needs[1] else None
        return gq, gk, gv, gmask

    @staticmethod
    def differentiable_backward(ctx, g):
        q_saved, k_saved, v_saved, _, keep = ctx.saved_tensors
        needs = ctx.needs_input_grad
        q, k, v = (ctx.operand(i, a) for i, a in enumerate((q_saved, k_saved, v_saved)))
        scores = MatMul.apply(q, k.transpose(-1, -2)) * ctx.scale
        mask = ctx.operand(3, ctx.mask) if ctx.mask is not None else None
        p = Softmax.apply(scores + mask if mask is not None else scores, dim=-1)
        wd = p if keep is None else p * keep
        gv = MatMul.apply(wd.transpose(-1, -2), g) if needs[2] else None
        gp = MatMul.apply(g, v.transpose(-1, -2))
        if keep is not None:
            gp = gp * keep
        gs = p * (gp - Sum.apply(gp * p, dim=-1, keepdim=True))
        gmask = gs if len(needs) > 3 and needs[3] else None
        gq = MatMul.apply(gs, k) * ctx.scale if needs[0] else None
        gk = MatMul.apply(gs.transpose(-1, -2), q) * ctx.scale if needs[1] else None
        return (gq, gk, gv, gmask)[:len(needs)]
