"""Connectionist temporal classification (CTC): the negative log likelihood of each target sequence, summed
over every alignment of it to the input frames, by the forward-backward recursions in log space.

The recursions loop over time only: each step updates every sample and every position s of the extended
label sequence (blank, l1, blank, l2, ..., blank; S = 2 L + 1 positions) at once. Arguments arrive checked
by the public wrapper (ddp.core.nn.functional_ctc): targets padded to (N, L) with each row's tail set to
the blank, lengths as int64 arrays.
"""
import numpy as np

from ..autograd import Function


def _extended(targets, blank):
    """(N, 2L+1) labels blank, t1, blank, t2, ..., blank, and where a path may skip from s-2 to s (a label
    that differs from the label two places before it)."""
    n, length = targets.shape
    ext = np.full((n, 2 * length + 1), blank, dtype=np.int64)
    ext[:, 1::2] = targets
    skip = np.zeros(ext.shape, dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    return ext, skip


def _shifted(a, k):
    """a moved k places to larger s along the last axis, -inf filling the first k."""
    out = np.full_like(a, -np.inf)
    out[:, k:] = a[:, :a.shape[1] - k]
    return out


def _alphas(emit, skip, input_lengths):
    """log alpha (T, N, S): the log probability of the paths that reach position s at time t; a sample's
    alphas stay fixed once t passes its input length."""
    steps, n, s = emit.shape
    alpha = np.empty_like(emit)
    start = np.full((n, s), -np.inf, dtype=emit.dtype)
    start[:, :2] = emit[0, :, :2]
    alpha[0] = start
    for t in range(1, steps):
        prev = alpha[t - 1]
        reach = np.logaddexp(prev, _shifted(prev, 1))
        reach = np.logaddexp(reach, np.where(skip, _shifted(prev, 2), -np.inf))
        alpha[t] = np.where((t < input_lengths)[:, None], reach + emit[t], prev)
    return alpha


def _betas(emit, skip, input_lengths, target_lengths):
    """log beta (T, N, S): the log probability of the paths from position s at time t to the end (both
    include the frame at t); -inf past each sample's input length or its last position."""
    steps, n, s = emit.shape
    rows, last = np.arange(n), input_lengths - 1
    ends = np.stack([2 * target_lengths, 2 * target_lengths - 1], axis=1)  # the last blank and the last label
    finish = np.full((n, s), -np.inf, dtype=emit.dtype)
    for k in range(2):
        ok = (ends[:, k] >= 0) & (last >= 0)
        finish[rows[ok], ends[ok, k]] = emit[last[ok], rows[ok], ends[ok, k]]
    skip_ahead = np.zeros_like(skip)
    skip_ahead[:, :-2] = skip[:, 2:]  # may a path jump from s to s + 2
    beta = np.empty_like(emit)
    nxt = np.full((n, s), -np.inf, dtype=emit.dtype)
    for t in range(steps - 1, -1, -1):
        ahead = np.full_like(nxt, -np.inf)
        ahead[:, :-1] = nxt[:, 1:]
        reach = np.logaddexp(nxt, ahead)
        two = np.full_like(nxt, -np.inf)
        two[:, :-2] = nxt[:, 2:]
        reach = np.logaddexp(reach, np.where(skip_ahead, two, -np.inf))
        here = np.where((t < last)[:, None], reach + emit[t], -np.inf)
        beta[t] = nxt = np.where((t == last)[:, None], finish, here)
    return beta


class CTCLoss(Function):
    """-log p(target | log_probs) per sample, log_probs (T, N, C) and padded targets (N, L).

    With alpha and beta both holding the frame at t, the posterior of position s at time t is
    gamma = exp(alpha + beta - log_probs[t, ext_s] + nll); d nll / d log_probs[t, c] = -(sum of gamma over the
    positions s labelled c). (PyTorch's own backward adds exp(log_probs), the gradient through a
    log_softmax it assumes; the two agree once that log_softmax is applied.) zero_infinity turns infinite
    losses, targets no alignment can produce, and their gradients into zeros.
    """

    @staticmethod
    def forward(ctx, log_probs, targets=None, input_lengths=None, target_lengths=None, blank=0,
                zero_infinity=False):
        steps, n, _ = log_probs.shape
        ext, skip = _extended(targets, blank)
        emit = np.take_along_axis(log_probs, np.broadcast_to(ext[None], (steps,) + ext.shape), axis=2)
        alpha = _alphas(emit, skip, input_lengths)
        rows, ends = np.arange(n), 2 * target_lengths
        final = alpha[-1, rows, ends]
        final = np.where(target_lengths > 0, np.logaddexp(final, alpha[-1, rows, np.maximum(ends - 1, 0)]), final)
        nll = -final
        if steps == 0 or (input_lengths == 0).any():  # no frames: only the empty target is certain
            nll = np.where(input_lengths == 0, np.where(target_lengths == 0, 0.0, np.inf), nll).astype(emit.dtype)
        infinite = np.isinf(nll)
        if zero_infinity:
            nll = np.where(infinite, 0, nll).astype(nll.dtype)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(log_probs, emit, alpha, nll)
            ctx.setup = (targets, ext, skip, input_lengths, target_lengths, blank, zero_infinity & infinite)
        return nll

    @staticmethod
    def backward(ctx, g):
        log_probs, emit, alpha, nll = ctx.saved_tensors
        targets, ext, skip, input_lengths, target_lengths, blank, zeroed = ctx.setup
        steps, n, classes = log_probs.shape
        beta = _betas(emit, skip, input_lengths, target_lengths)
        live = (np.arange(steps)[:, None] < input_lengths[None, :]) & ~zeroed[None, :]
        with np.errstate(invalid="ignore", over="ignore"):  # an infinite loss gives NaN, as in PyTorch
            gamma = np.exp(alpha + beta - emit + nll[None, :, None])
            gamma *= (live * -g[None, :])[:, :, None]
            grad = np.zeros(log_probs.shape, dtype=log_probs.dtype)
            grad[:, :, blank] = gamma[:, :, 0::2].sum(axis=2)
            if targets.shape[1]:  # the labels' positions, gathered into their classes by one product per sample
                one_hot = (targets[:, :, None] == np.arange(classes)).astype(grad.dtype)
                grad += np.matmul(gamma[:, :, 1::2].transpose(1, 0, 2), one_hot).transpose(1, 0, 2)
        return grad
