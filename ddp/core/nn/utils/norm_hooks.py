"""The hook-based (older) weight_norm and spectral_norm of torch.nn.utils, kept for old checkpoints and
scripts: the weight is recomputed by a forward pre-hook from new parameters (`weight_g`, `weight_v`; or
`weight_orig` with the buffers `weight_u`, `weight_v`), as PyTorch's. New code should use
`nn.utils.parametrizations`."""
import warnings

import numpy as np

from ... import autograd
from ... import random_draws as draws
from ...random import generator_of
from ...tensor import Tensor
from ..module import Parameter
from .parametrizations import _TRANSPOSED, _unit, norm_except_dim


class _WeightNormHook:
    """Sets `module.<name>` = g * v / ||v|| before each forward."""

    def __init__(self, name, dim):
        self.name, self.dim = name, dim

    def compute_weight(self, module):
        g, v = getattr(module, self.name + "_g"), getattr(module, self.name + "_v")
        return v * (g / norm_except_dim(v, self.dim))

    def __call__(self, module, args):
        setattr(module, self.name, self.compute_weight(module))


def _find_hook(module, kind, name):
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, kind) and hook.name == name:
            return key, hook
    return None, None


def _take_parameter(module, name, caller):
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"{caller}: {type(module).__name__} has no parameter named {name!r}")
    if type(weight).__name__ == "UninitializedParameter":
        raise ValueError(f"{caller}: {type(module).__name__}.{name} is not initialized yet (a lazy module): run a "
                         "forward first")
    del module._parameters[name]
    return weight


def weight_norm(module, name="weight", dim=0):
    """Deprecated hook form of weight normalisation: `module.<name>` becomes g * v / ||v||, recomputed before
    every forward from the new parameters `<name>_g` (the norms; v's size along `dim`, 1 elsewhere, or a
    scalar for dim=None) and `<name>_v` (the direction). Returns the module.

    Raises:
        RuntimeError: `name` already has a weight_norm hook.
        ValueError: no such parameter.
    """
    warnings.warn("ddp.nn.utils.weight_norm is deprecated: use ddp.nn.utils.parametrizations.weight_norm",
                  FutureWarning, stacklevel=2)
    if _find_hook(module, _WeightNormHook, name)[1] is not None:
        raise RuntimeError(f"weight_norm: {type(module).__name__}.{name} already has a weight_norm hook")
    hook = _WeightNormHook(name, -1 if dim is None else dim)
    weight = _take_parameter(module, name, "weight_norm")
    with autograd.no_grad():
        module.register_parameter(name + "_g", Parameter(Tensor(np.array(norm_except_dim(weight, hook.dim)._data))))
        module.register_parameter(name + "_v", Parameter(weight))
    setattr(module, name, hook.compute_weight(module))
    module.register_forward_pre_hook(hook)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo `weight_norm`: `<name>` is a plain Parameter again, holding the current g * v / ||v||."""
    key, hook = _find_hook(module, _WeightNormHook, name)
    if hook is None:
        raise ValueError(f"remove_weight_norm: {type(module).__name__} has no weight_norm on {name!r}")
    with autograd.no_grad():
        weight = hook.compute_weight(module)
    del module._forward_pre_hooks[key]
    delattr(module, name)
    del module._parameters[name + "_g"], module._parameters[name + "_v"]
    module.register_parameter(name, Parameter(weight))
    return module


class _SpectralNormHook:
    """Sets `module.<name>` = weight_orig / sigma before each forward; in training mode it first runs
    `n_power_iterations` steps of power iteration on the buffers (v, then u)."""

    def __init__(self, name, n_power_iterations, dim, eps):
        self.name, self.n_power_iterations, self.dim, self.eps = name, n_power_iterations, dim, eps

    def matrix(self, weight):
        return (weight.movedim(self.dim, 0) if self.dim != 0 else weight).flatten(1)

    def compute_weight(self, module, power_iteration):
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        matrix = self.matrix(weight)
        if power_iteration:
            w = matrix._data
            for _ in range(self.n_power_iterations):
                v._data[...] = _unit(w.T @ u._data, self.eps)
                u._data[...] = _unit(w @ v._data, self.eps)
            u._bump_version()
            v._bump_version()
        sigma = (u.clone() * matrix.mv(v.clone())).sum()
        return weight / sigma

    def __call__(self, module, args):
        setattr(module, self.name, self.compute_weight(module, power_iteration=module.training))


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Hook form of spectral normalisation: `module.<name>` becomes weight_orig / sigma, sigma its largest
    singular value estimated by power iteration on the buffers `<name>_u` and `<name>_v` (updated in
    training mode). dim=None: 1 for transposed convolutions, else 0. Returns the module.

    Raises:
        RuntimeError: `name` already has a spectral_norm hook.
        ValueError: no such parameter, or n_power_iterations is not positive.
    """
    if _find_hook(module, _SpectralNormHook, name)[1] is not None:
        raise RuntimeError(f"spectral_norm: {type(module).__name__}.{name} already has a spectral_norm hook")
    if n_power_iterations <= 0:
        raise ValueError(f"spectral_norm: n_power_iterations must be positive, got {n_power_iterations}")
    if dim is None:
        dim = 1 if type(module).__name__ in _TRANSPOSED else 0
    hook = _SpectralNormHook(name, n_power_iterations, dim, eps)
    weight = _take_parameter(module, name, "spectral_norm")
    rows, cols = hook.matrix(weight).shape
    gen = generator_of(None)  # u then v, PyTorch's normal draws in the weight's dtype
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, Tensor(np.array(weight._data)))
    module.register_buffer(name + "_u", Tensor(_unit(draws.normal(gen, (rows,), weight.dtype), eps).astype(weight.dtype)))
    module.register_buffer(name + "_v", Tensor(_unit(draws.normal(gen, (cols,), weight.dtype), eps).astype(weight.dtype)))
    module.register_forward_pre_hook(hook)
    return module


def remove_spectral_norm(module, name="weight"):
    """Undo `spectral_norm`: `<name>` is a plain Parameter again, holding weight_orig / sigma (no new
    power iteration)."""
    key, hook = _find_hook(module, _SpectralNormHook, name)
    if hook is None:
        raise ValueError(f"remove_spectral_norm: {type(module).__name__} has no spectral_norm on {name!r}")
    with autograd.no_grad():
        weight = hook.compute_weight(module, power_iteration=False)
    del module._forward_pre_hooks[key]
    delattr(module, name)
    for suffix in ("_orig", "_u", "_v"):
        delattr(module, name + suffix)
    module.register_parameter(name, Parameter(weight))
    return module
