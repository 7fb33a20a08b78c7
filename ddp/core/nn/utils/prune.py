"""torch.nn.utils.prune: zero out a parameter's entries by a mask, kept outside the parameter.

Pruning `module.<name>` moves the parameter to `<name>_orig`, stores the mask as the buffer `<name>_mask`,
and makes `<name>` the plain tensor `<name>_orig * <name>_mask`, recomputed before every forward by a forward
pre-hook (the pruning method itself). Gradients reach `<name>_orig` through the product, so pruned entries
get zero gradient and stay zero. Pruning the same parameter again combines the masks through a
PruningContainer: the new method only chooses among the entries (or channels) still alive. `remove` makes
the pruning permanent: `<name>` is a Parameter again, holding the masked values.

Example (PyTorch's pruning tutorial):
    >>> prune.l1_unstructured(model.fc, "weight", amount=0.3)     # the 30% smallest |w| become 0
    >>> prune.ln_structured(model.conv, "weight", amount=0.5, n=2, dim=0)   # half the filters, by L2 norm
    >>> prune.remove(model.fc, "weight")
"""
import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable

from ... import autograd
from ...creation import ones_like, rand, rand_like, zeros_like
from ...order_functional import kthvalue
from ...scan_functional import topk
from .convert_parameters import parameters_to_vector

__all__ = ["BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured", "L1Unstructured",
           "RandomStructured", "LnStructured", "CustomFromMask", "identity", "random_unstructured",
           "l1_unstructured", "random_structured", "ln_structured", "global_unstructured", "custom_from_mask",
           "remove", "is_pruned"]


class BasePruningMethod(ABC):
    """A way of choosing a mask. Subclasses set PRUNING_TYPE ("unstructured", "structured" with a `dim`
    attribute, or "global") and write `compute_mask(t, default_mask)`, which returns the new mask given the
    tensor (or its importance scores) and the mask so far; entries already 0 in default_mask must stay 0."""

    _tensor_name = None

    def __call__(self, module, inputs):
        """The forward pre-hook: recompute `module.<name>` from the original and the mask."""
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """The mask for `t`, a tensor of t's shape of zeros (pruned) and ones (kept)."""

    def apply_mask(self, module):
        """`<name>_orig` times `<name>_mask`: the pruned tensor, differentiable in the original."""
        if self._tensor_name is None:
            raise RuntimeError(f"Module {module} has to be pruned before its mask can be applied")
        mask = getattr(module, self._tensor_name + "_mask")
        orig = getattr(module, self._tensor_name + "_orig")
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prune `module.<name>` with `cls(*args, **kwargs)`, combined with any pruning already on it; the
        mask is computed from `importance_scores` (t's shape) when given, else from the tensor."""
        method, old_key = _compose(cls, module, name, *args, **kwargs)
        tensor = getattr(module, name)
        if importance_scores is not None and tuple(importance_scores.shape) != tuple(tensor.shape):
            raise ValueError(f"importance_scores should have the same shape as parameter {name} of {module}: "
                             f"got {tuple(importance_scores.shape)}, expected {tuple(tensor.shape)}")
        scores = tensor if importance_scores is None else importance_scores
        parameters, buffers = dict(module._parameters), dict(module._buffers)
        try:
            if old_key is None:
                module.register_parameter(name + "_orig", tensor)
                del module._parameters[name]
                default_mask = ones_like(tensor)
            else:
                default_mask = getattr(module, name + "_mask").detach().clone()
            with autograd.no_grad():
                mask = method.compute_mask(scores, default_mask=default_mask)
            module.register_buffer(name + "_mask", mask)
            setattr(module, name, method.apply_mask(module))
        except Exception:  # leave the module as it was, its parameters in their order
            for store, saved in ((module._parameters, parameters), (module._buffers, buffers)):
                store.clear()
                store.update(saved)
            if old_key is None:
                module.__dict__.pop(name, None)
            else:
                setattr(module, name, tensor)
            raise
        if old_key is not None:
            del module._forward_pre_hooks[old_key]
        module.register_forward_pre_hook(method)
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """`t` times the mask this method computes for it (from `importance_scores` when given); the module
        is not touched."""
        scores = t if importance_scores is None else importance_scores
        if tuple(scores.shape) != tuple(t.shape):
            raise ValueError(f"importance_scores should have the same shape as the tensor {tuple(t.shape)}, "
                             f"got {tuple(scores.shape)}")
        default_mask = ones_like(t) if default_mask is None else default_mask
        return t * self.compute_mask(scores, default_mask=default_mask)

    def remove(self, module):
        """Make the pruning permanent: `<name>` becomes a Parameter again, holding the masked values, and
        `<name>_orig` and `<name>_mask` go."""
        if self._tensor_name is None:
            raise RuntimeError(f"Module {module} has to be pruned before pruning can be removed")
        with autograd.no_grad():
            weight = self.apply_mask(module)
        if hasattr(module, self._tensor_name):
            delattr(module, self._tensor_name)
        orig = module._parameters.pop(self._tensor_name + "_orig")
        orig.data = weight.data
        del module._buffers[self._tensor_name + "_mask"]
        setattr(module, self._tensor_name, orig)


def _compose(cls, module, name, *args, **kwargs):
    """The new method for `module.<name>`, and the key of the pruning hook already there (None if none);
    with one, the method is a container of both, to replace that hook."""
    found = [(key, hook) for key, hook in module._forward_pre_hooks.items()
             if isinstance(hook, BasePruningMethod) and hook._tensor_name == name]
    if len(found) > 1:
        raise RuntimeError(f"Avoid adding multiple pruning hooks to the same tensor {name} of module {module}. "
                           "Use a PruningContainer.")
    method = cls(*args, **kwargs)
    method._tensor_name = name
    if not found:
        return method, None
    key, old = found[0]
    container = PruningContainer(*old) if isinstance(old, PruningContainer) else PruningContainer(old)
    container.add_pruning_method(method)
    return container, key


class PruningContainer(BasePruningMethod):
    """The pruning methods applied in turn to one tensor; its mask is the last method's choice among what the
    earlier ones left."""

    def __init__(self, *args):
        self._pruning_methods = ()
        if len(args) == 1 and not isinstance(args[0], BasePruningMethod) and isinstance(args[0], Iterable):
            args = tuple(args[0])
        if args and isinstance(args[0], BasePruningMethod):
            self._tensor_name = args[0]._tensor_name
        for method in args:
            self.add_pruning_method(method)

    def add_pruning_method(self, method):
        """Append `method`; it must act on this container's tensor."""
        if method is None:
            return
        if not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if self._tensor_name != method._tensor_name:
            raise ValueError(f"Can only add pruning methods acting on the parameter named '{self._tensor_name}' "
                             f"to PruningContainer {self}. Found '{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
        return self._pruning_methods[idx]

    def compute_mask(self, t, default_mask):
        """default_mask with the last method's mask written over the part still alive: the surviving
        entries (unstructured), the surviving channels along its dim (structured), or all of it (global)."""
        method = self._pruning_methods[-1]
        mask = default_mask.to(dtype=t.dtype)
        kind = method.PRUNING_TYPE
        if kind == "unstructured":
            alive = default_mask == 1
        elif kind == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError("Pruning methods of PRUNING_TYPE 'structured' need to have the attribute `dim` "
                                     "defined.")
            dim = method.dim + t.ndim if method.dim < 0 else method.dim
            if not 0 <= dim < t.ndim:
                raise IndexError(f"Pruning dim {method.dim} is out of range for a tensor of {t.ndim} dims")
            others = [d for d in range(t.ndim) if d != dim]
            alive = [slice(None)] * t.ndim
            alive[dim] = default_mask.sum(dim=others) != 0 if others else default_mask != 0
            alive = tuple(alive)
        elif kind == "global":
            alive = (slice(None),) * t.ndim
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {kind}")
        mask[alive] = method.compute_mask(t[alive], default_mask=default_mask[alive]).to(dtype=mask.dtype)
        return mask


class Identity(BasePruningMethod):
    """Prunes nothing: the mask stays all ones (a way to get `<name>_orig` and `<name>_mask`)."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


class _Unstructured(BasePruningMethod):
    """Prunes the `amount` entries (a fraction in [0, 1] or a count) that rank lowest by `_scores`."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _check_amount(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        count = _count(self.amount, t.numel())
        mask = default_mask.clone()
        if count:
            mask.view(-1)[topk(self._scores(t).view(-1), k=count, largest=False).indices] = 0
        return mask


class RandomUnstructured(_Unstructured):
    """Prunes `amount` entries chosen at random (a fraction in [0, 1] or a count)."""

    @staticmethod
    def _scores(t):
        return rand_like(t)

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(_Unstructured):
    """Prunes the `amount` entries of smallest absolute value (a fraction in [0, 1] or a count)."""

    @staticmethod
    def _scores(t):
        return t.abs()

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Prunes `amount` whole channels along `dim` (slices t.select(dim, i)), chosen at random."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        _check_amount(amount)
        self.amount, self.dim = amount, dim

    def compute_mask(self, t, default_mask):
        channels = _structured_size(t, self.dim)
        count = _count(self.amount, channels)
        if not count:
            return default_mask
        scores = rand(channels)
        keep = scores > kthvalue(scores, k=count).values
        return _channel_mask(t, self.dim, keep) * default_mask.to(dtype=t.dtype)

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Prunes the `amount` channels along `dim` of smallest L`n` norm (n as `torch.norm`'s p: an int, inf,
    -inf, 'fro' or 'nuc')."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim=-1):
        _check_amount(amount)
        self.amount, self.n, self.dim = amount, n, dim

    def compute_mask(self, t, default_mask):
        channels = _structured_size(t, self.dim)
        count = _count(self.amount, channels)
        if not count:
            return default_mask
        dim = self.dim % t.ndim
        norms = t.norm(p=self.n, dim=[d for d in range(t.ndim) if d != dim])
        keep = topk(norms, k=channels - count, largest=True).indices
        return _channel_mask(t, self.dim, keep) * default_mask.to(dtype=t.dtype)

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Prunes where the given mask is 0."""

    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        if tuple(default_mask.shape) != tuple(self.mask.shape):
            raise ValueError(f"custom_from_mask: the mask has shape {tuple(self.mask.shape)}, the tensor "
                             f"{tuple(default_mask.shape)}")
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)


def _check_amount(amount):
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if isinstance(amount, numbers.Integral) and amount < 0 or (
            not isinstance(amount, numbers.Integral) and not 0.0 <= float(amount) <= 1.0):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a non-negative integer")


def _count(amount, size):
    """How many of `size` entries (or channels) `amount` prunes: a count as given, a fraction rounded."""
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(f"amount={amount} should be smaller than the number of parameters to prune={size}")
        return amount
    return round(amount * size)


def _structured_size(t, dim):
    if t.ndim <= 1:
        raise ValueError(f"Structured pruning can only be applied to multidimensional tensors. Found tensor of "
                         f"shape {tuple(t.shape)} with {t.ndim} dims")
    if not -t.ndim <= dim < t.ndim:
        raise IndexError(f"Invalid index {dim} for tensor of size {tuple(t.shape)}")
    return t.shape[dim]


def _channel_mask(t, dim, keep):
    """Ones on the channels `keep` (indices or a bool mask) along `dim`, zeros elsewhere."""
    mask = zeros_like(t)
    where = [slice(None)] * t.ndim
    where[dim] = keep
    mask[tuple(where)] = 1
    return mask


def identity(module, name):
    """Reparametrize `module.<name>` as pruned, with a mask of ones (nothing pruned yet). Returns the module."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prune `amount` of `module.<name>`'s entries, chosen at random. Returns the module."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Prune the `amount` entries of `module.<name>` with the smallest |value| (or smallest importance
    score). Returns the module."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Prune `amount` channels of `module.<name>` along `dim`, chosen at random. Returns the module."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prune the `amount` channels of `module.<name>` along `dim` with the smallest L`n` norm. Returns the
    module."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prune several tensors together: `pruning_method(**kwargs)` (an unstructured method, e.g.
    L1Unstructured with amount=0.2) chooses among all their entries at once, so a layer of small weights
    loses more than one of large weights. `parameters` holds (module, name) pairs; `importance_scores`
    maps such a pair to scores of the tensor's shape."""
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    parameters = list(parameters)
    importance_scores = {} if importance_scores is None else importance_scores
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    with autograd.no_grad():
        scores = parameters_to_vector([importance_scores.get((m, n), getattr(m, n)) for m, n in parameters])
        default_mask = parameters_to_vector([getattr(m, n + "_mask") if hasattr(m, n + "_mask")
                                             else ones_like(getattr(m, n)) for m, n in parameters])
        method = pruning_method(**kwargs)
        method._tensor_name = "temp"
        if method.PRUNING_TYPE != "unstructured":
            raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
                            f"{pruning_method} of type {method.PRUNING_TYPE}")
        container = PruningContainer(method)
        final = container.compute_mask(scores, default_mask)
    start = 0
    for module, name in parameters:
        tensor = getattr(module, name)
        custom_from_mask(module, name, mask=final[start:start + tensor.numel()].view_as(tensor))
        start += tensor.numel()


def custom_from_mask(module, name, mask):
    """Prune `module.<name>` where `mask` (the tensor's shape) is 0. Returns the module."""
    CustomFromMask.apply(module, name, mask=mask)
    return module


def remove(module, name):
    """Make the pruning of `module.<name>` permanent (see BasePruningMethod.remove). Returns the module.

    Raises:
        ValueError: `module.<name>` is not pruned.
    """
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")


def is_pruned(module):
    """Whether `module` or any of its submodules has a pruning hook."""
    return any(isinstance(hook, BasePruningMethod)
               for sub in module.modules() for hook in sub._forward_pre_hooks.values())
