"""torch.autograd.graph.saved_tensors_hooks: `pack` each tensor an op saves for backward when it saves it,
and `unpack` it when backward reads it (to offload, compress or inspect activations), as PyTorch does.

    with saved_tensors_hooks(lambda t: t.numpy().copy(), lambda a: ddp.tensor(a)):
        loss = model(x).sum()       # every op's saved tensors go through pack
    loss.backward()                 # ... and through unpack as backward reads them

The innermost hooks apply (a per-thread stack). They see what ops save through `save_for_backward` (the
inputs and outputs backward reads, as the caller's own Tensors where they are those); the few ops that keep
a derived array on their node directly (a mask, an index) keep it as it is.
"""
import numpy as np

from . import autograd
from .autograd import Context


class saved_tensors_hooks:  # noqa: N801 - PyTorch's name
    """Context manager: ops recorded inside it save `pack_hook(tensor)` instead of the tensor, and backward
    reads `unpack_hook(packed)` (a Tensor)."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        refusal = autograd._local.saved_hooks_refused
        if refusal is not None:
            raise RuntimeError(refusal)
        self._outer = autograd._local.saved_hooks
        autograd._local.saved_hooks = (self.pack_hook, self.unpack_hook)
        return self

    def __exit__(self, *exc):
        autograd._local.saved_hooks = self._outer


class disable_saved_tensors_hooks:  # noqa: N801
    """Context manager (and decorator) in which entering saved_tensors_hooks raises `error_message`."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        self._outer = autograd._local.saved_hooks_refused
        autograd._local.saved_hooks_refused = self.error_message

    def __exit__(self, *exc):
        autograd._local.saved_hooks_refused = self._outer

    def __call__(self, fn):
        def wrapped(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapped


class save_on_cpu(saved_tensors_hooks):  # noqa: N801
    """PyTorch's hooks that move saved activations to the CPU: in ddp they are there already, so both hooks
    hand the tensor back."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        super().__init__(lambda tensor: tensor, lambda tensor: tensor)


class _PackedContext(Context):
    """A node whose saved values went through a pack hook: reading `saved_tensors` unpacks them."""

    @property
    def saved_tensors(self):
        if self._packed is None:
            return None
        unpack = self._unpack_hook
        return tuple(unpack(value) if packed else value for packed, value in self._packed)

    @saved_tensors.setter
    def saved_tensors(self, values):
        self._packed = values

    def _release(self):
        self._freed = bool(self._packed) or self._freed
        self._packed = None


class _ArrayContext(_PackedContext):
    """The same for a built-in op, whose backward reads numpy arrays."""

    @property
    def saved_tensors(self):
        values = _PackedContext.saved_tensors.fget(self)
        return None if values is None else tuple(v._data if isinstance(v, autograd.Tensor) else v for v in values)

    @saved_tensors.setter
    def saved_tensors(self, values):
        self._packed = values


def pack(ctx, tensors=()):
    """Pass the values `ctx` saved through the current pack hook (autograd.py calls this while hooks are on).

    A built-in op saved arrays: each goes to the hook as the Tensor among `tensors` (its inputs and output)
    that holds it, else as a new Tensor over it. A custom Function saved Tensors, which go as they are.
    """
    pack_hook, unpack_hook = autograd._local.saved_hooks
    saved = ctx.saved_tensors
    arrays = any(isinstance(v, np.ndarray) for v in saved)
    owners = {id(t._data): t for t in tensors}
    packed = []
    autograd._local.saved_hooks = None  # ops inside the hook save as usual (no packing of the packing)
    try:
        for value in saved:
            if isinstance(value, np.ndarray):
                owner = owners.get(id(value))
                value = autograd.Tensor(value) if owner is None else owner
            if isinstance(value, autograd.Tensor):
                packed.append((True, pack_hook(value)))
            else:
                packed.append((False, value))
    finally:
        autograd._local.saved_hooks = pack_hook, unpack_hook
    ctx.__class__ = _ArrayContext if arrays else _PackedContext
    ctx._unpack_hook = unpack_hook
    ctx._packed = tuple(packed)


autograd._saved_hooks = pack
