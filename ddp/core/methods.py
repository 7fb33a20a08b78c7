"""Install the ops of `functional` as Tensor methods and operators (`x.exp()`, `x + y`, `x[i]`)."""
from . import functional as F
from .tensor import Tensor

_SAME_NAME = """
add sub mul div pow neg exp log sqrt abs sin cos tanh sigmoid relu clamp clip maximum minimum square rsqrt
masked_fill eq ne lt le gt ge logical_not isnan isfinite sign sum mean max min amax argmax argmin var std all any
logsumexp softmax log_softmax matmul mm bmm reshape view flatten squeeze unsqueeze transpose permute t expand
expand_as contiguous clone split chunk gather index_select movedim
""".split()


def _reverse(fn):
    return lambda self, other: fn(other, self)


def install():
    for name in _SAME_NAME:
        setattr(Tensor, name, getattr(F, name))
    Tensor.T = property(lambda self: F.permute(self, tuple(reversed(range(self.ndim)))))
    Tensor.mT = property(lambda self: F.transpose(self, -2, -1))
    Tensor.view_as = lambda self, other: F.view(self, other.shape)
    Tensor.reshape_as = lambda self, other: F.reshape(self, other.shape)
    Tensor.where = lambda self, condition, other: F.where(condition, self, other)
    Tensor.__getitem__ = F.index
    dunders = {
        "add": F.add, "sub": F.sub, "mul": F.mul, "truediv": F.div, "pow": F.pow, "matmul": F.matmul,
    }
    for name, fn in dunders.items():
        setattr(Tensor, f"__{name}__", fn)
        setattr(Tensor, f"__r{name}__", _reverse(fn))
    Tensor.__neg__ = F.neg
    Tensor.__abs__ = F.abs
    Tensor.__pos__ = lambda self: self
    for name in ("eq", "ne", "lt", "le", "gt", "ge"):
        setattr(Tensor, f"__{name}__", getattr(F, name))
    Tensor.__invert__ = F.logical_not
    Tensor.__and__ = lambda a, b: Tensor(a._data & F._tensor(b)._data)
    Tensor.__or__ = lambda a, b: Tensor(a._data | F._tensor(b)._data)
    Tensor.__iadd__ = lambda self, o: self.add_(o)
    Tensor.__isub__ = lambda self, o: self.sub_(o)
    Tensor.__imul__ = lambda self, o: self.mul_(o)
    Tensor.__itruediv__ = lambda self, o: self.div_(o)


install()
