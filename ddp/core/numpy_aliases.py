"""numpy's names for `dim` and `keepdim` (`x.sum(axis=1, keepdims=True)`), which PyTorch's natively bound
functions and Tensor methods accept; its functions written in Python (torch.split, torch.norm, Tensor.unflatten,
nn.functional.softmax, ...) do not, and neither do ddp's forms of those.

An op that takes them has keyword-only `axis=None, keepdims=None` and resolves each in one line, which calls a
helper here only when the alias is given, so that the common call costs one `is None` test:

    dim = dim if axis is None else dim_alias("sum", dim, axis)
    keepdim = keepdim if keepdims is None else keepdim_alias("sum", keepdim, keepdims)

A dim that PyTorch requires defaults to None (so that `axis` can stand in for it), and its line sends a missing
dim here too, for Python's TypeError: `dim = dim if axis is None and dim is not None else dim_alias(...)`.
Arguments that PyTorch requires after the dim (gather's `index`) default to None for the same reason and are
checked in the same call (`dim_alias("gather", dim, axis, index=index)`).
"""


def dim_alias(op, dim, axis, default=None, **required):
    """`axis` standing for `dim` (whose default is `default`); PyTorch's TypeError when both are given, Python's
    when a required dim, or a required argument in `required`, is missing (None)."""
    if axis is None and dim is None:
        raise TypeError(f"{op}() missing 1 required positional argument: 'dim'")
    for name, value in required.items():
        if value is None:
            raise TypeError(f"{op}() missing 1 required positional argument: '{name}'")
    if axis is None:
        return dim
    if dim is not default:
        raise TypeError(f"{op}() got an unexpected keyword argument 'axis'")
    return axis


def keepdim_alias(op, keepdim, keepdims):
    """`keepdims` standing for `keepdim`; PyTorch's TypeError when both are given."""
    if keepdim is not False:
        raise TypeError(f"{op}() got an unexpected keyword argument 'keepdims'")
    return keepdims
