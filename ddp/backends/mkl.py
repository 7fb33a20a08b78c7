"""`ddp.backends.mkl`: whether PyTorch was built with Intel's MKL; ddp's kernels are numpy's, so False."""


def is_available():
    return False
