"""ddp.nn: modules, layers, losses (`ddp.nn.functional` holds the functional forms, `ddp.nn.init` the
initialisers). Names and semantics follow torch.nn, so that state dicts map one-to-one to PyTorch's."""
from . import functional, init  # noqa: F401
from .container import ModuleDict, ModuleList, Sequential  # noqa: F401
from .linear import Identity, Linear  # noqa: F401
from .module import Module, Parameter  # noqa: F401
