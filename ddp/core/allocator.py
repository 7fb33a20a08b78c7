"""Keep freed array memory inside the process, so that a training step reuses it instead of faulting in
fresh pages.

A step allocates and frees the same multi-megabyte arrays every time (activations, im2col columns,
gradients). glibc's malloc serves large requests with fresh `mmap`s and hands the top of its heap back to
the kernel once more than a few megabytes are free there; the next step then touches new pages, and every
4 KiB page is a fault that the kernel zero-fills (over a thousand per convolution output at batch 64). PyTorch
users reach for jemalloc or tcmalloc for the same reason. Here two `mallopt` settings make glibc keep what
it freed: large blocks come from the heap, and the heap is not trimmed. The process's resident memory
then stays at its peak instead of rising and falling every step.

It is applied when ddp is imported, on Linux with glibc; ``DDP_KEEP_FREED_MEMORY=0`` leaves malloc as it
was. `keep_freed_memory()` says whether it is in force.
"""
import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 1 << 30  # blocks up to 1 GiB come from the heap, where freed memory is reused
_TRIM_THRESHOLD = (1 << 31) - 1  # never give the heap's free top back to the kernel (the largest value)

_applied = []


def keep_freed_memory():
    """True when glibc was told to keep freed memory for reuse (see the module docstring)."""
    return bool(_applied)


def apply():
    """Set the two mallopt thresholds, once; a no-op off glibc or with DDP_KEEP_FREED_MEMORY=0."""
    if _applied or os.environ.get("DDP_KEEP_FREED_MEMORY", "1") == "0" or not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    if mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD):
        _applied.append(True)
