"""ddp: a deep-learning framework on numpy with its own autograd, that trains across MPI ranks.

The API follows PyTorch's names and semantics: `import ddp as torch` ports most training scripts.
"""
import importlib
import importlib.util
import sys

from .core import autograd
from .core.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .core.creation import (
    arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, logspace, ones, ones_like, rand,
    rand_like, randint, randint_like, randn, randn_like, randperm, tensor, zeros, zeros_like,
)
from .core.device import channels_last, contiguous_format, device, preserve_format, strided
from .core.dtypes import (  # noqa: A004
    bool, double, finfo, float, float16, float32, float64, get_default_dtype, half, iinfo, int, int8, int16, int32,
    int64, long, set_default_dtype, short, uint8,
)
from .core.legacy import (
    BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor, LongTensor, ShortTensor,
)
from .core.functional import *  # noqa: F401,F403
from .core.functional import abs, all, any, max, min, pow, sum  # noqa: A004,F401
from .core.random import (
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state,
)
from .core.tensor import Size, Tensor

autograd.gradcheck = importlib.import_module(".core.gradcheck", __name__).gradcheck

__version__ = "0.1.0"

# Public subpackages live under ddp.core; `import ddp.nn` and friends reach them by these names.
_ALIASES = {
    "autograd": "ddp.core.autograd",
    "nn": "ddp.core.nn",
    "nn.functional": "ddp.core.nn.functional",
    "nn.init": "ddp.core.nn.init",
    "optim": "ddp.core.optim",
    "optim.lr_scheduler": "ddp.core.optim.lr_scheduler",
    "data": "ddp.core.data",
    "data.transforms": "ddp.core.data.transforms",
    "random": "ddp.core.random",
}


def __getattr__(name):
    """Import ddp.nn, ddp.optim, ddp.data lazily on first use (`ddp.nn.Linear`)."""
    if name in _ALIASES:
        module = importlib.import_module(_ALIASES[name])
        globals()[name] = module
        return module
    if name in ("save", "load"):
        serialization = importlib.import_module("ddp.core.serialization")
        return getattr(serialization, name)
    raise AttributeError(f"module 'ddp' has no attribute {name!r}")


class _AliasFinder:
    """Makes `import ddp.nn.functional as F` import ddp.core.nn.functional under its public name."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        short = fullname[len("ddp."):] if fullname.startswith("ddp.") else ""
        head = short.split(".")[0]
        if head not in _ALIASES:
            return None
        # every module under an alias (ddp.nn.module too) is the ddp.core one, never a second copy
        return importlib.util.spec_from_loader(fullname, _AliasLoader(_ALIASES[head] + short[len(head):]))


class _AliasLoader:
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, _AliasFinder)  # before the path finder, which would load a copy
