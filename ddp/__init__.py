"""ddp: a deep-learning framework on numpy with its own autograd, that trains across MPI ranks.

The API follows PyTorch's names and semantics: `import ddp as torch` ports most training scripts.

Where the public modules live: the code is in `ddp.core` (single process: Tensor, autograd, nn, optim, data)
and `ddp.parallel` (ranks); PyTorch's module paths reach it through one mechanism, the aliases in
`_ALIASES` below. A public path that starts with an alias (`ddp.nn`, `ddp.nn.utils.rnn`, `ddp.utils.data`,
`ddp.distributed`) is the implementation's module itself, under both names, never a second copy: the
meta-path finder `_AliasFinder` answers `import ddp.nn.functional` with `ddp.core.nn.functional`, the
longest alias winning (`utils.data` -> `ddp.core.data`). Modules that exist only for PyTorch's paths
(`ddp.cuda`, `ddp.backends`, `ddp.amp`, `ddp.accelerator`, `ddp.jit`, `ddp.special`, `ddp.utils`) are ordinary
modules in this folder, and so is `ddp.distributions` (torch.distributions, built on the Tensor ops).
Every public module is also an attribute of `ddp`, imported on first use (`ddp.nn.Linear` after `import ddp`).
"""
import importlib
import importlib.util
import sys

from .core import autograd
from .amp import (
    GradScaler, autocast, get_autocast_cpu_dtype, get_autocast_dtype, is_autocast_cpu_enabled, is_autocast_enabled,
)
from .core.autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .core.creation import (  # noqa: A004 - PyTorch's deprecated range (so _resolve below avoids Python's)
    arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, logspace, ones, ones_like, rand,
    rand_like, randint, randint_like, randn, randn_like, randperm, range, scalar_tensor, tensor, zeros, zeros_like,
)
from .core.creation_memory import asarray, empty_permuted, empty_strided, frombuffer
from .core.device import (
    channels_last, channels_last_3d, contiguous_format, device, get_default_device, preserve_format, set_default_device,
    strided,
)
from .core.dtypes import (  # noqa: A004
    bfloat16, bool, cdouble, cfloat, complex64, complex128, double, dtype, finfo, float, float16, float32, float64,
    get_default_dtype, half, iinfo, int, int8, int16, int32, int64, long, set_default_dtype, short, uint8, uint16,
    uint32, uint64,
)
from .core.legacy import (
    BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor, LongTensor, ShortTensor,
)
from .core.functional import *  # noqa: F401,F403
from .core.functional import abs, all, any, max, min, pow, sum  # noqa: A004,F401
from .core.toplevel_nn import *  # noqa: F401,F403  (torch.conv2d, torch.dropout(x, p, train), ...: after the core)
from .core.toplevel_losses import *  # noqa: F401,F403  (torch.kl_div(x, y, reduction_int), ...)
from .core.toplevel_inplace import *  # noqa: F401,F403  (torch.abs_(x), torch.fill_(x, v), torch.fill(x, v), ...)
from .core.foreach import *  # noqa: F401,F403  (torch._foreach_mul_(tensors, 0.9), ...)
from .core.printing import set_printoptions
from .core.random import (
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state,
)
from .core.runtime import (  # noqa: A004
    are_deterministic_algorithms_enabled, compile, get_float32_matmul_precision, get_num_interop_threads,
    get_num_threads, is_deterministic_algorithms_warn_only_enabled, set_float32_matmul_precision,
    set_num_interop_threads, set_num_threads, use_deterministic_algorithms,
)
from .core.tensor import Size, Tensor

_checks = importlib.import_module(".core.gradcheck", __name__)
autograd.gradcheck, autograd.gradgradcheck = _checks.gradcheck, _checks.gradgradcheck
importlib.import_module(".core.out_arguments", __name__).install(globals())  # PyTorch's out= keyword

import math as _math

pi, e, inf, nan = _math.pi, _math.e, _math.inf, _math.nan  # PyTorch's constants: plain Python floats
newaxis = None

__version__ = importlib.import_module(".version", __name__).__version__  # PyTorch's API level: version.py

# Public module paths whose code lives elsewhere: the public prefix and the module it names.
_ALIASES = {
    "autograd": "ddp.core.autograd",
    "profiler": "ddp.core.profiler",
    "nn": "ddp.core.nn",
    "optim": "ddp.core.optim",
    "data": "ddp.core.data",
    "data.datasets": "ddp.core.data",  # torchvision.datasets: the datasets are ddp.data's own
    "data.models": "ddp.models",  # torchvision.models
    "linalg": "ddp.core.linalg",
    "utils.data": "ddp.core.data",
    "utils.data._utils": "ddp.core.data",  # torch.utils.data._utils.collate is ddp.core.data.collate
    "random": "ddp.core.random",
    "serialization": "ddp.core.serialization",
    "return_types": "ddp.core.return_types",
    "distributed": "ddp.parallel.distributed",
    "multiprocessing": "ddp.parallel.multiprocessing",
}
# this folder's modules, imported lazily
_OWN_MODULES = ("accelerator", "amp", "backends", "cpu", "cuda", "distributions", "jit", "models", "parallel",
                "special", "testing", "func", "utils", "compiler", "version", "_dynamo", "fft", "futures")


def _resolve(short):
    """The module that the public path ddp.<short> names through an alias, or None (longest alias first)."""
    parts = short.split(".")
    n = len(parts)
    while n:  # (no range() here: in this module it is ddp.range)
        target = _ALIASES.get(".".join(parts[:n]))
        if target is not None:
            return ".".join([target] + parts[n:])
        n -= 1
    return None


def __getattr__(name):
    """Import public modules on first use (`ddp.nn.Linear`, `ddp.cuda.is_available()` after `import ddp`)."""
    if name in _ALIASES or name in _OWN_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    if name in ("save", "load"):
        serialization = importlib.import_module("ddp.core.serialization")
        return getattr(serialization, name)
    if name == "vmap":  # torch.vmap is torch.func.vmap
        return importlib.import_module("ddp.core.func_vmap").vmap
    raise AttributeError(f"module 'ddp' has no attribute {name!r}")


class _AliasFinder:
    """Makes `import ddp.nn.functional as F` import ddp.core.nn.functional under its public name."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        if not fullname.startswith("ddp."):
            return None
        target = _resolve(fullname[len("ddp."):])
        if target is None:
            return None
        # every module under an alias (ddp.nn.module too) is the implementation's, never a second copy
        return importlib.util.spec_from_loader(fullname, _AliasLoader(target))


class _AliasLoader:
    """Hands over the target module itself; it keeps its own __spec__ (its real name and file)."""

    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self.own_spec = module.__spec__
        return module

    def exec_module(self, module):
        module.__spec__ = self.own_spec  # importlib set the alias's spec; repr and reload see the real file


sys.meta_path.insert(0, _AliasFinder)  # before the path finder, which would load a copy

# Under mpirun, set torchrun's RANK, WORLD_SIZE, LOCAL_RANK, ... now, before the script reads them (no MPI init).
# (No any() here: in this module it is ddp.any, the tensor op.)
if {"PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK"} & sys.modules["os"].environ.keys():
    importlib.import_module("ddp.parallel.launch").set_torchrun_env()
