"""The classical orthogonal polynomials of torch.special, P_n(x) for elementwise (broadcast) x and integer n,
by their three-term recurrences P_{k+1} = (a_k x + b_k) P_k - c_k P_{k-1}, run once up to the largest n with
each element keeping the value at its own n (n < 0 gives 0, as PyTorch). No derivative, as in PyTorch:
special.py passes the values through linalg_decomp's `NoDerivative`, whose backward raises, naming the
function, instead of leaving a gradient silently out.
"""
import numpy as np

# name: (P_1 as a function of x, the step (k, x, P_k, P_{k-1}) -> P_{k+1}); every family starts at P_0 = 1
RECURRENCES = {
    "chebyshev_polynomial_t": (lambda x: x, lambda k, x, p, q: 2 * x * p - q),
    "chebyshev_polynomial_u": (lambda x: 2 * x, lambda k, x, p, q: 2 * x * p - q),
    "chebyshev_polynomial_v": (lambda x: 2 * x - 1, lambda k, x, p, q: 2 * x * p - q),
    "chebyshev_polynomial_w": (lambda x: 2 * x + 1, lambda k, x, p, q: 2 * x * p - q),
    "hermite_polynomial_h": (lambda x: 2 * x, lambda k, x, p, q: 2 * x * p - 2 * k * q),
    "hermite_polynomial_he": (lambda x: x, lambda k, x, p, q: x * p - k * q),
    "laguerre_polynomial_l": (lambda x: 1 - x, lambda k, x, p, q: ((2 * k + 1 - x) * p - k * q) / (k + 1)),
    "legendre_polynomial_p": (lambda x: x, lambda k, x, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1)),
}


def evaluate(name, x, n):
    """P_n(x) of the family `name` (a key of RECURRENCES, or a "shifted_" Chebyshev one: P_n(2x - 1))."""
    if name.startswith("shifted_"):
        name, x = name[len("shifted_"):], 2 * x - 1
    first, step = RECURRENCES[name]
    x, n = np.broadcast_arrays(x, np.trunc(n).astype(np.int64))
    out = np.where(n == 0, 1.0, 0.0).astype(x.dtype)
    top = int(n.max()) if n.size else 0
    if top >= 1:
        prev, cur = np.ones_like(x), first(x)
        out = np.where(n == 1, cur, out)
        for k in range(1, top):
            prev, cur = cur, step(k, x, cur, prev)
            out = np.where(n == k + 1, cur, out)
    return out.astype(x.dtype, copy=False)

