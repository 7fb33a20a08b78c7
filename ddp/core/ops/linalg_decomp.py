"""Matrix factorisations and solves, left to LAPACK through numpy.linalg, batched over leading dims.

Every op works on the last two dims as the matrix and lets numpy broadcast the rest; the engine sums
broadcast gradients back. `mT` below is the batched transpose. LAPACK's failures (a singular or a
non-positive-definite matrix) come out as numpy's LinAlgError: the public wrappers turn it into
`ddp.linalg.LinAlgError` with the op's name. A `differentiable_backward` writes an op's gradient in Tensor ops
(on its factor recomputed in the graph), for create_graph=True; eigh and the SVD are in linalg_spectral.py.
"""
import numpy as np

from ..autograd import Function, Tensor


def mT(x):
    """The batched transpose (swap the last two dims)."""
    return np.swapaxes(x, -1, -2)


def _solve_lower(L, B):
    """L^-1 B for lower triangular L, by forward substitution (numpy's LU would raise on a zero pivot; this
    gives inf / nan there as LAPACK's trsm does)."""
    n = L.shape[-1]
    X = np.zeros(np.broadcast_shapes(L.shape[:-2], B.shape[:-2]) + B.shape[-2:], dtype=np.result_type(L, B))
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(n):
            rest = np.matmul(L[..., i:i + 1, :i], X[..., :i, :])
            X[..., i, :] = (B[..., i, :] - rest[..., 0, :]) / L[..., i, i, None]
    return X


def tri_solve(T, B, upper):
    """T^-1 B for triangular T: LAPACK's LU when T is invertible, substitution when it is not."""
    try:
        return np.linalg.solve(T, B)
    except np.linalg.LinAlgError:
        if upper:  # reverse the rows and columns: an upper triangle becomes a lower one
            return _solve_lower(T[..., ::-1, ::-1], B[..., ::-1, :])[..., ::-1, :]
        return _solve_lower(T, B)


class Inv(Function):
    """A^-1; dA = -A^-T G A^-T."""

    @staticmethod
    def forward(ctx, a):
        out = np.linalg.inv(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (inv,) = ctx.saved_tensors
        inv_t = mT(inv)
        return -np.matmul(np.matmul(inv_t, g), inv_t)

    @staticmethod
    def differentiable_backward(ctx, g):
        inv_t = Inv.apply(ctx.parents[0]).mT
        return -(inv_t @ g @ inv_t)


def _cofactors(a):
    """The cofactor matrix det(A) A^-T, valid for singular A too: from A = U S V^T it is
    det(U) det(V) U diag(prod_{j != i} s_j) V^T."""
    u, s, vt = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], axis=-1) if n else s
    sign = np.linalg.det(u) * np.linalg.det(vt)
    return sign[..., None, None] * np.matmul(u * others[..., None, :], vt)


class Det(Function):
    """det(A); dA = G det(A) A^-T (a solve with A^T; the cofactors from an SVD where A is singular)."""

    @staticmethod
    def forward(ctx, a):
        out = np.linalg.det(a)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, det = ctx.saved_tensors
        scaled = np.asarray(g * det)[..., None, None] * np.eye(a.shape[-1], dtype=a.dtype)
        singular = det == 0
        if not np.any(singular):
            return np.linalg.solve(mT(a), scaled)
        return np.asarray(g)[..., None, None] * _cofactors(a)

    @staticmethod
    def differentiable_backward(ctx, g):
        a_saved, det = ctx.saved_tensors
        if np.any(det == 0):
            raise NotImplementedError("create_graph=True through det of a singular matrix: ddp differentiates its "
                                      "cofactors only once")
        a = ctx.parents[0]
        return (g * Det.apply(a)).unsqueeze(-1).unsqueeze(-1) * Inv.apply(a).mT


class LogAbsDet(Function):
    """log|det(A)| (computed by the wrapper with the sign, passed in as `out`); dA = G A^-T."""

    @staticmethod
    def forward(ctx, a, *, out):
        ctx.save_for_backward(a)
        return out

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        eye = np.asarray(g)[..., None, None] * np.eye(a.shape[-1], dtype=a.dtype)
        return np.linalg.solve(mT(a), eye)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g.unsqueeze(-1).unsqueeze(-1) * Inv.apply(ctx.parents[0]).mT


class Solve(Function):
    """X = A^-1 B (B a batch of matrices; the wrapper makes vectors columns); dB = A^-T G, dA = -dB X^T."""

    @staticmethod
    def forward(ctx, a, b):
        x = np.linalg.solve(a, b)
        ctx.save_for_backward(a, x)
        ctx.b = b  # for the recorded backward (a reference, no copy)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        gb = np.linalg.solve(mT(a), g)
        ga = -np.matmul(gb, mT(x)) if ctx.needs_input_grad[0] else None
        return ga, gb if ctx.needs_input_grad[1] else None

    @staticmethod
    def differentiable_backward(ctx, g):
        a_saved, _ = ctx.saved_tensors
        a, b = ctx.operand(0, a_saved), ctx.operand(1, ctx.b)
        gb = Solve.apply(a.mT, g)
        ga = -(gb @ Solve.apply(a, b).mT) if ctx.needs_input_grad[0] else None
        return ga, gb if ctx.needs_input_grad[1] else None


class SolveTriangular(Function):
    """X = T^-1 B with T the `upper` (or lower) triangle of A, its diagonal taken as ones if `unit`;
    dB = T^-T G, dA = -dB X^T on that triangle (strict if `unit`), 0 elsewhere."""

    @staticmethod
    def forward(ctx, a, b, *, upper, unit):
        keep = _triangle_mask(a.shape[-1], upper, unit)
        t = np.where(keep, a, 0)
        if unit:
            t = t + np.eye(a.shape[-1], dtype=a.dtype)
        x = tri_solve(t, b, upper)
        ctx.save_for_backward(t, x)
        ctx.keep, ctx.upper, ctx.unit = keep, upper, unit
        ctx.b = b  # for the recorded backward (a reference, no copy)
        return x

    @staticmethod
    def backward(ctx, g):
        t, x = ctx.saved_tensors
        gb = tri_solve(mT(t), g, not ctx.upper)
        ga = np.where(ctx.keep, -np.matmul(gb, mT(x)), 0) if ctx.needs_input_grad[0] else None
        return ga, gb if ctx.needs_input_grad[1] else None

    @staticmethod
    def differentiable_backward(ctx, g):
        t, _ = ctx.saved_tensors
        a = ctx.operand(0, t)  # the saved triangle reads the same as A under the same flags
        upper, unit = ctx.upper, ctx.unit
        gb = SolveTriangular.apply(a.mT, g, upper=not upper, unit=unit)
        if not ctx.needs_input_grad[0]:
            return None, gb
        outer = -(gb @ SolveTriangular.apply(a, ctx.operand(1, ctx.b), upper=upper, unit=unit).mT)
        k = 1 if unit else 0
        ga = outer.triu(k) if upper else outer.tril(-k)
        return ga, gb if ctx.needs_input_grad[1] else None


def _triangle_mask(n, upper, strict=False):
    """The (n, n) mask of the upper (or lower) triangle, without the diagonal if `strict`."""
    k = 1 if strict else 0
    return np.triu(np.ones((n, n), dtype=bool), k) if upper else np.tril(np.ones((n, n), dtype=bool), -k)


class Cholesky(Function):
    """L with A = L L^T, from A's lower triangle. With Phi(X) the lower triangle of X and half its diagonal,
    dA = sym(L^-T Phi(L^T G) L^-1), sym(X) = (X + X^T) / 2 (Murray, 2016)."""

    @staticmethod
    def forward(ctx, a):
        low = np.linalg.cholesky(a)
        ctx.save_for_backward(low)
        return low

    @staticmethod
    def backward(ctx, g):
        (low,) = ctx.saved_tensors
        phi = np.tril(np.matmul(mT(low), g))
        phi = phi - 0.5 * np.eye(low.shape[-1], dtype=low.dtype) * phi
        # L^-T phi L^-1 as two triangular solves: L^-T (L^-T phi^T)^T
        right = tri_solve(mT(low), mT(phi), True)
        ga = tri_solve(mT(low), mT(right), True)
        return 0.5 * (ga + mT(ga))

    @staticmethod
    def differentiable_backward(ctx, g):
        low = Cholesky.apply(ctx.parents[0])
        n = low.shape[-1]
        phi = (low.mT @ g).tril() * Tensor(1 - 0.5 * np.eye(n, dtype=low._data.dtype))
        right = SolveTriangular.apply(low.mT, phi.mT, upper=True, unit=False)
        ga = SolveTriangular.apply(low.mT, right.mT, upper=True, unit=False)
        return 0.5 * (ga + ga.mT)


class NoDerivative(Function):
    """Passes a result computed outside the graph through it: backward raises, naming the op."""

    @staticmethod
    def forward(ctx, x, *, out, op):
        ctx.op = op
        return out

    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError(f"{ctx.op}: ddp has no derivative for this output; backward cannot pass "
                                  f"through it")
