"""`ddp.backends.openmp`: whether PyTorch was built with OpenMP; ddp parallelises only through BLAS, so False."""


def is_available():
    return False
