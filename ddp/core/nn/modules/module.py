"""`ddp.nn.modules.module` (torch.nn.modules.module): the same classes as ddp/core/nn/module.py."""
from ..module import Module  # noqa: F401
