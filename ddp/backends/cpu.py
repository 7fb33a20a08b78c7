"""`ddp.backends.cpu`: the vector instruction set PyTorch's CPU kernels were dispatched to."""


def get_cpu_capability():
    """"DEFAULT": ddp picks no kernel by instruction set (numpy and its BLAS do that themselves)."""
    return "DEFAULT"
