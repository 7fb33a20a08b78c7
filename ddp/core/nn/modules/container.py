"""`ddp.nn.modules.container` (torch.nn.modules.container): the same classes as ddp/core/nn/container.py."""
from ..container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401
