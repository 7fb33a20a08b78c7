"""PyTorch's legacy tensor types: `FloatTensor(2, 3)`, `LongTensor([1, 2])`, `x.type(ddp.FloatTensor)`.

Old tutorials still build tensors this way. Each type is a constructor and an `isinstance` target (a Tensor
of that dtype); the tensors it makes are plain `Tensor`s.
"""
import numpy as np

from . import dtypes
from .device import cpu_only_error
from .tensor import Size, Tensor


class _TensorType(type):
    """Metaclass of the legacy types: calling one makes a Tensor; isinstance checks the dtype."""

    def __call__(cls, *data, device=None):
        if device is not None and device != "cpu":
            raise cpu_only_error(f"device {str(device)!r}")
        if len(data) == 1 and not isinstance(data[0], (int, np.integer, Size)):
            source = data[0]._data if isinstance(data[0], Tensor) else data[0]
            return Tensor(np.array(source, dtype=cls.dtype))  # data: FloatTensor([1, 2])
        shape = tuple(int(s) for s in (data[0] if len(data) == 1 and isinstance(data[0], Size) else data))
        return Tensor(np.empty(shape or (0,), dtype=cls.dtype))  # uninitialised, as FloatTensor(2, 3)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __repr__(cls):
        return f"<class 'ddp.{cls.__name__}'>"


def _make(dtype):
    return _TensorType(dtypes.TYPE_NAMES[dtype], (), {"dtype": dtype, "__doc__": f"A legacy {dtype} tensor type."})


FloatTensor = _make(dtypes.float32)
DoubleTensor = _make(dtypes.float64)
HalfTensor = _make(dtypes.float16)
ByteTensor = _make(dtypes.uint8)
CharTensor = _make(dtypes.int8)
ShortTensor = _make(dtypes.int16)
IntTensor = _make(dtypes.int32)
LongTensor = _make(dtypes.int64)
BoolTensor = _make(dtypes.bool)
