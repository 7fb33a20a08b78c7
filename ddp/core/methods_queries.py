"""Tensor's query and random-draw methods (`x.is_signed()`, `x.bernoulli()`, `x.random_(10)`, `x.prelu(w)`):
`QueryMethods`, a base of `TensorOps`.
"""

F = None  # ddp.core.functional, bound by methods.bind_functional


class QueryMethods:
    """Questions about a tensor, random draws and fills, and nn ops that PyTorch has as methods."""

    __slots__ = ()

    # --------------------------------------------------------------------------------- random draws
    def bernoulli(self, p=None, generator=None): return F.bernoulli(self, p, generator)
    def multinomial(self, num_samples, replacement=False, generator=None):
        return F.multinomial(self, num_samples, replacement, generator)

    # --------------------------------------------------------- queries, random fills and nn methods
    def is_signed(self): return F.is_signed(self)
    def is_complex(self): return F.is_complex(self)
    def is_conj(self): return F.is_conj(self)
    def is_neg(self): return F.is_neg(self)
    def is_inference(self): return F.is_inference(self)
    def is_nonzero(self): return F.is_nonzero(self)
    def is_same_size(self, other): return F.is_same_size(self, other)

    def prelu(self, weight):
        from .toplevel_nn import prelu  # (nn.functional's ops load on first use)
        return prelu(self, weight)

    def hardshrink(self, lambd=0.5):
        from .toplevel_nn import hardshrink
        return hardshrink(self, lambd)

    # the fills' code is in random_functional.py, which imports Tensor (so only once it exists)
    def random_(self, *args, **kwargs):
        """Integers drawn uniformly: `random_()`, `random_(to)`, `random_(from, to)`, `random_(from, None)`."""
        from .random_functional import random_
        return random_(self, *args, **kwargs)

    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        from .random_functional import cauchy_
        return cauchy_(self, median, sigma, generator)

    def geometric_(self, p, *, generator=None):
        from .random_functional import geometric_
        return geometric_(self, p, generator)

    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        from .random_functional import log_normal_
        return log_normal_(self, mean, std, generator)
