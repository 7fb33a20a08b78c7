"""`ddp.accelerator` (torch.accelerator): there is none, so that
`torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"` picks the CPU."""


def is_available():
    return False


def current_accelerator(check_available=False):
    return None


def device_count():
    return 0


def synchronize(device=None):
    """Nothing to wait for: ddp's ops finish before they return."""


def empty_cache():
    """No accelerator memory to release."""


def memory_allocated(device=None):
    return 0
