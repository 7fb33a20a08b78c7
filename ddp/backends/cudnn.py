"""`ddp.backends.cudnn`: cuDNN's flags, kept but unused (ddp has no cuDNN)."""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    return False


def version():
    return None
