"""`torch.distributed.elastic.multiprocessing.errors.record`, which PyTorch's torchrun docs put on `main`."""
import functools

__all__ = ["record"]


def record(fn=None, error_handler=None):
    """Decorate a script's entry point, as PyTorch's torchrun docs ask: the function runs unchanged and its
    exception propagates. torchrun's agent reads an error file that `record` writes; under mpirun the
    failing rank's traceback and MPI's abort of the job say the same (the watchdog names the rank)."""
    if fn is None:
        return lambda f: record(f, error_handler)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper
