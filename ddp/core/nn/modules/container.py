"""`ddp.nn.modules.container` (torch.nn.modules.container): the very classes of `ddp.nn`."""
from .. import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401
