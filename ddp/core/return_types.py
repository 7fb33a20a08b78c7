"""`ddp.return_types` (torch.return_types): the named tuples of the ops with several results, one type per
op (`x.max(1)` is a `return_types.max`, `x.sort()` a `return_types.sort`), printed as PyTorch prints them:

    ddp.return_types.max(
    values=tensor([3., 2.]),
    indices=tensor([1, 0]))
"""
from collections import namedtuple

_types = {}


def _repr(self):
    fields = ",\n".join(f"{field}={value!r}" for field, value in zip(self._fields, self))
    return f"ddp.return_types.{type(self).__name__}(\n{fields})"


def named(name, fields=("values", "indices")):
    """The result type of op `name`, made once (a namedtuple of `fields`, picklable as ddp.return_types.name)."""
    found = _types.get(name)
    if found is None:
        found = namedtuple(name, fields, module="ddp.return_types")
        found.__repr__ = _repr
        _types[name] = globals()[name] = found
    return found
