"""Tensor's matrix-product and statistics methods (`x.matmul(y)`, `x.addmm(a, b)`, `x.cov()`, `x.histogram(10)`):
`ProductMethods`, a base of `TensorOps` (methods.py says how they are built).
"""
from .numpy_aliases import dim_alias

F = None  # ddp.core.functional, bound by methods.bind_functional


class ProductMethods:
    """Matrix products, decompositions and statistics as methods, with their in-place forms."""

    __slots__ = ()

    # ------------------------------------------------------------------------------ matrix products
    def matmul(self, other): return F.matmul(self, other)
    def mm(self, other): return F.mm(self, other)
    def bmm(self, other): return F.bmm(self, other)
    def mv(self, vec): return F.mv(self, vec)
    def dot(self, other): return F.dot(self, other)
    def outer(self, other): return F.outer(self, other)
    def inverse(self): return F.inverse(self)
    def det(self): return F.det(self)
    def logdet(self): return F.logdet(self)
    def slogdet(self): return F.slogdet(self)
    def cholesky(self, upper=False): return F.cholesky(self, upper)
    def cholesky_solve(self, input2, upper=False): return F.cholesky_solve(self, input2, upper)
    def cholesky_inverse(self, upper=False): return F.cholesky_inverse(self, upper)
    def kron(self, other): return F.kron(self, other)
    def cross(self, other, dim=None, *, axis=None): return F.cross(self, other, dim, axis=axis)
    def addmm(self, m1, m2, beta=1, alpha=1): return F.addmm(self, m1, m2, beta=beta, alpha=alpha)
    def baddbmm(self, b1, b2, beta=1, alpha=1): return F.baddbmm(self, b1, b2, beta=beta, alpha=alpha)
    ger = outer
    def qr(self, some=True): return F.qr(self, some)
    def svd(self, some=True, compute_uv=True): return F.svd(self, some, compute_uv)
    def lu(self, pivot=True, get_infos=False): return F.lu(self, pivot, get_infos)
    def lu_solve(self, LU_data, LU_pivots): return F.lu_solve(self, LU_data, LU_pivots)
    def geqrf(self): return F.geqrf(self)
    def orgqr(self, input2): return F.orgqr(self, input2)
    def ormqr(self, input2, input3, left=True, transpose=False): return F.ormqr(self, input2, input3, left, transpose)
    def matrix_exp(self): return F.matrix_exp(self)

    # ---------------------------------------------------------------------- statistics and products
    def cov(self, *, correction=1, fweights=None, aweights=None):
        return F.cov(self, correction=correction, fweights=fweights, aweights=aweights)
    def corrcoef(self): return F.corrcoef(self)
    def histogram(self, bins=100, *, range=None, weight=None, density=False):
        return F.histogram(self, bins, range=range, weight=weight, density=density)
    def mode(self, dim=-1, keepdim=False, *, axis=None, keepdims=None):
        return F.mode(self, dim, keepdim, axis=axis, keepdims=keepdims)
    def inner(self, other): return F.inner(self, other)
    def vdot(self, other): return F.vdot(self, other)
    def dist(self, other, p=2): return F.dist(self, other, p)
    def addmv(self, mat, vec, *, beta=1, alpha=1): return F.addmv(self, mat, vec, beta=beta, alpha=alpha)
    def addr(self, vec1, vec2, *, beta=1, alpha=1): return F.addr(self, vec1, vec2, beta=beta, alpha=alpha)
    def addbmm(self, batch1, batch2, *, beta=1, alpha=1): return F.addbmm(self, batch1, batch2, beta, alpha)
    def matrix_power(self, n): return F.matrix_power(self, n)
    def pinverse(self, rcond=1e-15): return F.pinverse(self, rcond)
    def renorm(self, p, dim=None, maxnorm=None, *, axis=None): return F.renorm(self, p, dim, maxnorm, axis=axis)
    def addmv_(self, mat, vec, *, beta=1, alpha=1):
        return self._inplace(lambda t, m, v: F.addmv(t, m, v, beta=beta, alpha=alpha), mat, vec)
    def addr_(self, vec1, vec2, *, beta=1, alpha=1):
        return self._inplace(lambda t, v1, v2: F.addr(t, v1, v2, beta=beta, alpha=alpha), vec1, vec2)
    def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return self._inplace(F.addbmm, batch1, batch2, beta, alpha)
    def addmm_(self, mat1, mat2, *, beta=1, alpha=1): return self._inplace(F.addmm, mat1, mat2, beta, alpha)
    def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return self._inplace(F.baddbmm, batch1, batch2, beta, alpha)
    def renorm_(self, p, dim=None, maxnorm=None, *, axis=None):
        return self._inplace(F.renorm, p, dim if axis is None else dim_alias("renorm_", dim, axis), maxnorm)
