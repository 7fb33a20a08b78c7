"""Matrix products, left to BLAS: matmul (batched, numpy's rules for 1-D operands) and fused linear."""
import numpy as np

from ..autograd import Function


class MatMul(Function):
    """a @ b; d/da = g @ b^H, d/db = a^H @ g (the conjugate transposes, b^T and a^T for real values; batch
    dimensions are summed back by the engine)."""

    @staticmethod
    def node_name(ctx):  # the ATen op matmul dispatches to for these dims
        a, b = (np.ndim(x) for x in ctx.saved_tensors)
        return {(2, 2): "MmBackward0", (1, 1): "DotBackward0", (2, 1): "MvBackward0"}.get((a, b), "UnsafeViewBackward0")

    complex_grad = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = (np.conj(x) if x.dtype.kind == "c" else x for x in ctx.saved_tensors)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = np.matmul(g2, np.swapaxes(b2, -1, -2))
            ga = ga[..., 0, :] if a.ndim == 1 else ga
        if ctx.needs_input_grad[1]:
            gb = np.matmul(np.swapaxes(a2, -1, -2), g2)
            gb = gb[..., :, 0] if b.ndim == 1 else gb
        return ga, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        a_saved, b_saved = ctx.saved_tensors
        _real_only(ctx, "matmul")
        a, b = ctx.operand(0, a_saved), ctx.operand(1, b_saved)
        a2 = a.unsqueeze(0) if a_saved.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b_saved.ndim == 1 else b
        g2 = g.unsqueeze(-1) if b_saved.ndim == 1 else g
        g2 = g2.unsqueeze(-2) if a_saved.ndim == 1 else g2
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = MatMul.apply(g2, b2.transpose(-1, -2))
            ga = ga[..., 0, :] if a_saved.ndim == 1 else ga
        if ctx.needs_input_grad[1]:
            gb = MatMul.apply(a2.transpose(-1, -2), g2)
            gb = gb[..., :, 0] if b_saved.ndim == 1 else gb
        return ga, gb



class Linear(Function):
    """x @ w^T + b, fused so that BLAS sees one product per gradient and w's gradient is a fresh array."""

    @staticmethod
    def node_name(ctx):  # F.linear of a batch of vectors is addmm (mm without a bias); of more dims, a view
        if len(ctx._out_shape) != 2:
            return "ViewBackward0"
        return "AddmmBackward0" if ctx.has_bias else "MmBackward0"

    fills_grad_buffers = True

    @staticmethod
    def forward(ctx, x, w, b=None):
        needs = tuple(ctx.needs_input_grad) + (False, False)
        ctx.save_for_backward(x if needs[1] else None, w if needs[0] else None)  # only what backward reads
        ctx.has_bias = b is not None
        # (..., in) as one (rows, in) matrix: one GEMM instead of numpy's loop over the leading dims (~15%)
        x2 = x.reshape(int(np.prod(x.shape[:-1])), x.shape[-1]) if x.ndim > 2 else x
        if x2.ndim == 2 and 8 * x2.shape[0] < w.shape[0]:
            # Far fewer samples than features out: w @ x^T is the same product in a layout BLAS may run
            # faster (5% at batch 32 into 512 here, 20% at batch 64 on an Intel Xeon); its small transposed
            # copy keeps the output C-ordered like the rest. With more rows the copy costs more than it saves
            # (15% slower at batch 256 on an AMD EPYC).
            out = np.ascontiguousarray(np.matmul(w, x2.T).T)
        else:
            out = np.matmul(x2, w.T)
        if b is not None:
            out += b
        return out.reshape(x.shape[:-1] + (w.shape[0],)) if x.ndim > 2 else out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        needs = ctx.needs_input_grad
        # as (rows, features) matrices; a batch of vectors (the usual call) already is one
        g2, x2 = (g, x) if g.ndim == 2 else (g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1]))
        gx = None
        if needs[0]:
            gx = np.matmul(g2, w).reshape(x.shape) if g.ndim > 2 else np.matmul(g, w)
        gw = np.matmul(g2.T, x2, out=ctx.grad_buffer(1)) if needs[1] else None
        gb = np.add.reduce(g2, axis=0, out=ctx.grad_buffer(2)) if len(needs) > 2 and needs[2] else None
        return gx, gw, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        x_saved, w_saved = ctx.saved_tensors
        x, w = ctx.operand(0, x_saved), ctx.operand(1, w_saved)
        needs = ctx.needs_input_grad
        g2 = g.reshape(-1, g.shape[-1])
        gx = MatMul.apply(g, w) if needs[0] else None
        gw = MatMul.apply(g2.t(), x.reshape(-1, x.shape[-1])) if needs[1] else None
        gb = g2.sum(0) if len(needs) > 2 and needs[2] else None
        return gx, gw, gb



class Einsum(Function):
    """np.einsum(equation, *xs) for an explicit equation without ellipsis ('ij,jk->ik'; the wrapper makes
    it so). d/dx_i = einsum of g with the other operands (conjugated, for complex values) onto x_i's
    subscripts, broadcast over those that appear in x_i alone."""

    complex_grad = True  # a product: PyTorch's convention conjugates the other factors

    @staticmethod
    def forward(ctx, *xs, equation):
        ctx.save_for_backward(*xs)
        ctx.equation = equation
        return np.einsum(equation, *xs, optimize=len(xs) > 2)

    @staticmethod
    def backward(ctx, g):
        xs = [np.conj(x) if x.dtype.kind == "c" else x for x in ctx.saved_tensors]
        grads = [None] * len(xs)
        for i, others, spec, alone in _gradient_specs(ctx.equation, ctx.needs_input_grad):
            gi = np.einsum(spec, g, *(xs[j] for j in others), optimize=len(xs) > 1)
            grads[i] = np.broadcast_to(np.expand_dims(gi, alone), xs[i].shape) if alone else gi
        return tuple(grads)

    @staticmethod
    def differentiable_backward(ctx, g):
        _real_only(ctx, "einsum")
        xs = [ctx.operand(i, x) for i, x in enumerate(ctx.saved_tensors)]
        grads = [None] * len(xs)
        for i, others, spec, alone in _gradient_specs(ctx.equation, ctx.needs_input_grad):
            gi = Einsum.apply(g, *(xs[j] for j in others), equation=spec)
            if alone:
                shape = tuple(xs[i].shape)
                gi = gi.reshape(tuple(1 if k in alone else n for k, n in enumerate(shape))).expand(shape)
            grads[i] = gi
        return tuple(grads)


def _real_only(ctx, op):
    if any(isinstance(x, np.ndarray) and x.dtype.kind == "c" for x in ctx.saved_tensors):
        raise NotImplementedError(f"{op}: create_graph=True through a product of complex tensors is not supported")


def _gradient_specs(equation, needs):
    """For each operand i that needs a gradient: (i, the other operands, the einsum equation of d/dx_i from g
    and them, the positions of the subscripts only x_i has). Those were summed away: d/dx_i is constant along
    them, so the result is broadcast there."""
    inputs, output = equation.split("->")
    subs = inputs.split(",")
    for i, s in enumerate(subs):
        if not needs[i]:
            continue
        others = [j for j in range(len(subs)) if j != i]
        seen = set(output).union(*(subs[j] for j in others))
        kept = "".join(c for c in s if c in seen)
        spec = ",".join([output] + [subs[j] for j in others]) + "->" + kept
        yield i, others, spec, [k for k, c in enumerate(s) if c not in seen]
