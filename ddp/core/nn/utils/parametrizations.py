"""torch.nn.utils.parametrizations: weight_norm and spectral_norm as parametrizations (see parametrize.py),
with PyTorch's state-dict keys: `parametrizations.weight.original0` (g) and `original1` (v) for weight_norm;
`parametrizations.weight.original` and the buffers `parametrizations.weight.0._u`, `._v` for spectral_norm.
`orthogonal` lives in parametrizations_orthogonal.py.
"""
import numpy as np

from ... import autograd
from ... import random_draws as draws
from ...random import generator_of
from ...tensor import Tensor
from ..functional_distance import normalize
from ..module import Module
from . import parametrize
from .parametrizations_orthogonal import orthogonal  # noqa: F401 - torch.nn.utils.parametrizations.orthogonal

_TRANSPOSED = ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")


def norm_except_dim(v, dim):
    """The 2-norm of `v` over every dim but `dim`, kept as size-1 dims; dim=-1 (or None) means the norm
    of the whole tensor, a 0-d result (PyTorch's convention for weight norm)."""
    if dim is None or dim == -1:
        return (v * v).sum().sqrt()
    dim = dim % v.ndim
    axes = tuple(d for d in range(v.ndim) if d != dim)
    return (v * v).sum(dim=axes, keepdim=True).sqrt() if axes else v.abs()


class _WeightNorm(Module):
    """weight = g * v / ||v||, the norm taken over every dim but `dim`."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight):
        return norm_except_dim(weight, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Reparametrize `module.<name>` as g * v / ||v|| (Salimans & Kingma), so that its direction (v) and
    length (g) are learnt apart. g has v's size along `dim` and 1 elsewhere (dim=None: one scalar).

    Example:
        >>> m = weight_norm(ddp.nn.Conv1d(3, 4, 2))
        >>> [k for k in m.state_dict()]
        ['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
    """
    return parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)


def _unit(a, eps):
    return a / max(float(np.linalg.norm(a)), eps)


class _SpectralNorm(Module):
    """weight / sigma, sigma the largest singular value of the weight as a matrix (dim `dim` as rows),
    estimated by power iteration: `n_power_iterations` steps per forward in training mode, on the
    buffers _u and _v (15 steps at registration)."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if not -ndim <= dim < max(ndim, 1):
            raise IndexError(f"spectral_norm: dim={dim} is out of range for a weight with {ndim} dims")
        if n_power_iterations <= 0:
            raise ValueError(f"spectral_norm: n_power_iterations must be positive, got {n_power_iterations}")
        self.dim = dim % max(ndim, 1)
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            matrix = self._matrix(weight)._data
            gen = generator_of(None)  # u then v, PyTorch's normal draws in the weight's dtype
            rows, cols = matrix.shape
            dtype = weight.dtype
            self.register_buffer("_u", Tensor(_unit(draws.normal(gen, (rows,), dtype), eps).astype(dtype)))
            self.register_buffer("_v", Tensor(_unit(draws.normal(gen, (cols,), dtype), eps).astype(dtype)))
            self._power_method(matrix, 15)

    def _matrix(self, weight):
        """The weight as a matrix: dim `self.dim` first, the others flattened."""
        if self.dim != 0:
            weight = weight.movedim(self.dim, 0)
        return weight.flatten(1)

    def _power_method(self, matrix, steps):
        u, v = self._u._data, self._v._data
        for _ in range(steps):
            u[...] = _unit(matrix @ v, self.eps)
            v[...] = _unit(matrix.T @ u, self.eps)
        self._u._bump_version()
        self._v._bump_version()

    def forward(self, weight):
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        matrix = self._matrix(weight)
        if self.training:
            with autograd.no_grad():
                self._power_method(matrix._data, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = (u * matrix.mv(v)).sum()
        return weight / sigma

    def right_inverse(self, value):
        return value  # sigma is re-estimated from whatever is assigned


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Reparametrize `module.<name>` as weight / sigma(weight), its spectral norm, which bounds the layer's
    Lipschitz constant (Miyato et al.; GAN discriminators). dim=None: 1 for transposed convolutions
    (their output channels), else 0.

    Raises:
        ValueError: the module has no parameter or buffer `name`.

    Example:
        >>> m = spectral_norm(ddp.nn.Conv1d(3, 4, 2))
        >>> list(m.state_dict())[-2:]
        ['parametrizations.weight.0._u', 'parametrizations.weight.0._v']
    """
    weight = module._parameters.get(name, module._buffers.get(name))
    if weight is None:
        raise ValueError(f"spectral_norm: {type(module).__name__} has no parameter or buffer named {name!r}")
    if dim is None:
        dim = 1 if type(module).__name__ in _TRANSPOSED else 0
    return parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
