"""torch.nn.utils.stateless.functional_call: run a module with some parameters and buffers replaced by
given tensors, for one call, without changing the module (the basis of ddp.func.functional_call)."""
import contextlib

_MISSING = object()


def _tied_names(module):
    """For each parameter or buffer name, every name (itself included) under which the same tensor is held."""
    groups = {}
    for named in (module.named_parameters(remove_duplicate=False), module.named_buffers(remove_duplicate=False)):
        for name, t in named:
            groups.setdefault(id(t), []).append(name)
    return {name: names for names in groups.values() for name in names}


def _expand_ties(module, values):
    """`values` plus, for each given tied tensor, the same value under its other names.

    Raises:
        ValueError: two names of one tied tensor are given different values.
    """
    tied = _tied_names(module)
    out = dict(values)
    for name, value in values.items():
        for other in tied.get(name, ()):
            if other in values and values[other] is not value:
                raise ValueError(f"functional_call: {sorted({name, other})} name one tied tensor but were given "
                                 "different values (pass tie_weights=False to replace them separately)")
            out[other] = value
    return out


def _check_strict(module, values):
    expected = set(_tied_names(module))
    missing, unexpected = sorted(expected - set(values)), sorted(set(values) - expected)
    if missing or unexpected:
        lines = [f"functional_call(strict=True) on {type(module).__name__}: the given names must be exactly its "
                 "parameters and buffers."]
        if unexpected:
            lines.append("Unexpected: " + ", ".join(repr(k) for k in unexpected) + ".")
        if missing:
            lines.append("Missing: " + ", ".join(repr(k) for k in missing) + ".")
        raise RuntimeError("\n\t".join(lines))


def _owner(module, name):
    prefix, _, attr = name.rpartition(".")
    return module.get_submodule(prefix), attr


@contextlib.contextmanager
def reparametrized(module, values, tie_weights=True, strict=False):
    """Inside this context, `module`'s tensors named in `values` (dotted names) are the given tensors; on
    exit the originals are back, even after an error. A name that is no parameter or buffer is set as a
    plain attribute for the duration."""
    if tie_weights:
        values = _expand_ties(module, values)
    if strict:
        _check_strict(module, values)
    saved = []
    try:
        for name, value in values.items():
            owner, attr = _owner(module, name)
            for store in (owner._parameters, owner._buffers):
                if attr in store:
                    saved.append((store, attr, store[attr]))
                    store[attr] = value
                    break
            else:
                saved.append((owner.__dict__, attr, owner.__dict__.get(attr, _MISSING)))
                owner.__dict__[attr] = value
        yield module
    finally:
        for store, attr, old in reversed(saved):
            if old is _MISSING:
                store.pop(attr, None)
            else:
                store[attr] = old


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """`module(*args, **kwargs)` with the parameters and buffers named in `parameters_and_buffers` replaced
    by the given tensors for this call; gradients flow to those tensors, not to the module's own.

    Args:
        parameters_and_buffers: dotted name -> Tensor ('layer.weight').
        args: a tuple of positional arguments (anything else is the single argument).
        tie_weights: a tensor shared under several names is replaced under all of them.
        strict: the names must be exactly the module's parameters and buffers.
    Raises:
        RuntimeError: strict and the names differ (listing the missing and unexpected ones).
        ValueError: tied names given different values while tie_weights is True.

    Example:
        >>> fc = ddp.nn.Linear(2, 1)
        >>> w = ddp.ones(1, 2, requires_grad=True)
        >>> functional_call(fc, {"weight": w, "bias": ddp.zeros(1)}, (ddp.ones(1, 2),))
        tensor([[2.]], grad_fn=<LinearBackward0>)
    """
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with reparametrized(module, parameters_and_buffers, tie_weights, strict):
        return module(*args, **(kwargs or {}))
