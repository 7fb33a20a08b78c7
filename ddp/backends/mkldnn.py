"""`ddp.backends.mkldnn`: oneDNN's flag, kept but unused (ddp's kernels are numpy's)."""
enabled = True


def is_available():
    return False
