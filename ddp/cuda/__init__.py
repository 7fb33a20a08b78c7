"""`ddp.cuda` (torch.cuda) on a CPU-only framework: nothing is available, and asking for a GPU says so.

`is_available()` is False and `device_count()` is 0, so the usual
`torch.device("cuda" if torch.cuda.is_available() else "cpu")` picks the CPU; seeding seeds the CPU
generator (as PyTorch's calls do when there is no GPU); calls that need a GPU raise RuntimeError.
"""
from ddp.core import random as _random
from ddp.core.device import cpu_only_error

from . import amp  # noqa: F401


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def is_bf16_supported(including_emulation=True):
    return False


def manual_seed(seed):
    """Seeds this thread's default (CPU) generator, so that `torch.cuda.manual_seed(s)` scripts stay seeded."""
    _random.manual_seed(seed)


manual_seed_all = manual_seed


def seed():
    _random.seed()


seed_all = seed


def synchronize(device=None):
    """Nothing to wait for: ddp's ops finish before they return."""


def empty_cache():
    """No GPU memory to release."""


def memory_allocated(device=None):
    return 0


max_memory_allocated = memory_reserved = max_memory_reserved = memory_allocated


def current_device():
    raise cpu_only_error("ddp.cuda.current_device()")


def set_device(device):
    raise cpu_only_error(f"ddp.cuda.set_device({device!r})")


def get_device_name(device=None):
    raise cpu_only_error("ddp.cuda.get_device_name()")


class _CudaTensorType(type):
    def __call__(cls, *args, **kwargs):
        raise cpu_only_error(f"ddp.cuda.{cls.__name__}")

    def __instancecheck__(cls, obj):
        return False


FloatTensor = _CudaTensorType("FloatTensor", (), {"__doc__": "Legacy GPU tensor type: raises (ddp runs on the CPU)."})
DoubleTensor = _CudaTensorType("DoubleTensor", (), {})
LongTensor = _CudaTensorType("LongTensor", (), {})
IntTensor = _CudaTensorType("IntTensor", (), {})
ByteTensor = _CudaTensorType("ByteTensor", (), {})
BoolTensor = _CudaTensorType("BoolTensor", (), {})
HalfTensor = _CudaTensorType("HalfTensor", (), {})
