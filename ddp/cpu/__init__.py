"""`ddp.cpu` (torch.cpu): the CPU as a device module, as scripts that treat every device alike call it.

The CPU is always available, there is one, and its work is done when an op returns (`synchronize` waits for
nothing). `ddp.cpu.amp` holds the CPU-flavoured `autocast` and `GradScaler` (see `ddp.amp`).
"""
from . import amp  # noqa: F401


def is_available():
    return True


def device_count():
    return 1


def current_device():
    return "cpu"


def set_device(device):
    """Accepted for the CPU (the only device); anything else raises as `ddp.device` does."""
    from ddp.core.device import check_device

    check_device(device, "ddp.cpu.set_device")


def is_initialized():
    return True


def synchronize(device=None):
    """Nothing to wait for: ddp's ops finish before they return."""
