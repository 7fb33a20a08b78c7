"""torch.nn.utils.init.skip_init: build a module without initialising its parameters."""
import inspect

from .. import init
from ..module import Module


def skip_init(module_cls, *args, **kwargs):
    """`module_cls(*args, **kwargs)` with every nn.init initialiser skipped, for weights that are about to
    be overwritten (loaded from a checkpoint, or initialised by hand). Values set without nn.init (a
    BatchNorm's ones and zeros) are still set; the others are whatever np.empty left.

    Raises:
        RuntimeError: module_cls is not a Module class, or its constructor takes no `device` argument
            (PyTorch's condition for skipping, kept so that code that runs here runs there).

    Example:
        >>> fc = skip_init(ddp.nn.Linear, 784, 10)
        >>> _ = ddp.nn.init.zeros_(fc.weight)
    """
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"skip_init expects a Module class, got {module_cls!r}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError(f"skip_init: {module_cls.__name__} takes no 'device' argument, which skipping "
                           "initialisation requires")
    with init.skipped():
        return module_cls(*args, **kwargs)
