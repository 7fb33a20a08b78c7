"""`torch.distributed.algorithms.ddp_comm_hooks`'s path: the hooks live in ddp/parallel/comm_hooks.py and
powersgd_hook.py."""
from . import default_hooks, powerSGD_hook  # noqa: N812 - PyTorch's module name

__all__ = ["default_hooks", "powerSGD_hook"]
