"""`ddp.nn.modules.module` (torch.nn.modules.module): the very classes of `ddp.nn`."""
from .. import Module  # noqa: F401
