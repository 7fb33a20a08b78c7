"""`ddp.device`: PyTorch's device object, for a framework that runs on the CPU only.

Scripts written for PyTorch name devices everywhere (`torch.device("cpu")`, `x.to(device)`, `device=` in
factories). ddp accepts every spelling of the CPU. An accelerator's device object can be made and printed, as
in a CPU-only PyTorch (`torch.device("cuda:0")`), but putting anything on it raises an error that says how to
fix the script (an `AcceleratorUnavailable`, which is both PyTorch's AssertionError "Torch not compiled with
CUDA enabled" and a RuntimeError), instead of silently training somewhere else than the script asked for.
"""

# PyTorch's device types: anything else is a typo; everything here but "cpu" is an accelerator ddp lacks
_KNOWN_TYPES = (
    "cpu cuda ipu xpu mkldnn opengl opencl ideep hip ve fpga maia xla lazy vulkan mps meta hpu mtia privateuseone"
).split()

#: Layouts and memory formats. ddp has one layout (strided numpy arrays); the memory formats are real where
#: a tensor is converted (`contiguous`, `to`, `clone`, `Module.to`: see memory_format.py) and accepted and
#: ignored where PyTorch's factories take them.
strided = "strided"
contiguous_format = "contiguous_format"
channels_last = "channels_last"
channels_last_3d = "channels_last_3d"
preserve_format = "preserve_format"


class AcceleratorUnavailable(RuntimeError, AssertionError):
    """A request to run on an accelerator ddp lacks: an AssertionError, as CPU-only PyTorch raises, and a
    RuntimeError."""


def cpu_only_error(what):
    """The error for a request to run on an accelerator (`what`: e.g. "device 'cuda'")."""
    if what == "device 'meta'":
        return AcceleratorUnavailable(
            "ddp has no 'meta' device (tensors with a shape and no data): keep the tensors on the CPU. A model "
            "moved to 'meta' only to be called through functional_call can stay where it is.")
    return AcceleratorUnavailable(
        f"ddp runs on the CPU: {what} is not available. Use the CPU instead, e.g. "
        "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu') (ddp.cuda.is_available() is "
        "False), and drop .cuda() calls or replace them by .to(device)."
    )


class device:
    """Where a tensor lives: always the CPU in ddp. `device("cpu")`, `device("cpu:0")`, `device("cpu", 0)`.

    Equal to other CPU devices with the same index and, unlike PyTorch, also to the string "cpu" (so
    `t.device == "cpu"` reads as meant). An accelerator's device ("cuda:0", "mps") can be made; tensors and
    modules put on it raise `AcceleratorUnavailable`.

    Example:
        >>> ddp.device("cpu")
        device(type='cpu')
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002 - PyTorch's argument name
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        elif isinstance(type, int) and not isinstance(type, bool):
            raise cpu_only_error(f"device {type} (an accelerator ordinal)")
        elif not isinstance(type, str):
            raise TypeError(f"device(): expected a string or a device, but got {builtin_type(type).__name__}")
        elif ":" in type:
            type, _, ordinal = type.partition(":")
            if index is not None:
                raise RuntimeError(f"device(): type {type!r} already names index {ordinal}; got index={index} too")
            if not ordinal.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{ordinal}'")
            index = int(ordinal)
        if type not in _KNOWN_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_KNOWN_TYPES)} device type at start of device string: {type}"
            )
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative; got {index}")
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name, value):
        raise AttributeError(f"device.{name} is read-only")

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            return str(self) == other
        if isinstance(other, device):
            return self.type == other.type and self.index == other.index
        return NotImplemented

    def __hash__(self):
        return hash(str(self))

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self):  # `with torch.device("cpu"):` sets the default device: it already is the CPU
        check_device(self, "device")
        return self

    def __exit__(self, *exc):
        return False


builtin_type = type
CPU = device("cpu")


def get_default_device():
    """The device factories use: always the CPU."""
    return CPU


def set_default_device(device):
    """Accepts the CPU (or None); any other device raises, as ddp runs on the CPU only."""
    check_device(device, "set_default_device")


def check_device(dev, op):
    """Accept `dev` if it names the CPU (None, "cpu", "cpu:0", a device); raise for anything else."""
    if dev is None or dev is CPU or dev == "cpu":
        return
    if isinstance(dev, (str, device, int)):
        dev = device(dev)  # raises for typos
        if dev.type != "cpu":
            raise cpu_only_error(f"device {dev.type!r}" if dev.index is None else f"device '{dev}'")
        return
    raise TypeError(f"{op}(): device must be a string, a ddp.device or None, but got {builtin_type(dev).__name__}")


def is_device_like(obj):
    return isinstance(obj, (str, device)) or (isinstance(obj, int) and not isinstance(obj, bool))


def to_arguments(op, args, kwargs):
    """The dtype (or None) and `copy` flag asked of `Tensor.to` / `Module.to`; devices are checked, then dropped.

    Accepts PyTorch's forms: `to(dtype)`, `to(device)`, `to(device, dtype)`, `to(device=, dtype=)`, each
    followed by `non_blocking` and `copy` (a Tensor argument is turned into its dtype by the caller).
    """
    dtype, dev = kwargs.pop("dtype", None), kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    copy = kwargs.pop("copy", False)
    if kwargs:
        raise TypeError(f"{op}() got an unexpected keyword argument '{next(iter(kwargs))}'")
    rest = list(args)
    if rest and is_device_like(rest[0]):
        dev = rest.pop(0)
        if rest and not isinstance(rest[0], bool):
            dtype = rest.pop(0)
    elif rest and rest[0] is not None and not isinstance(rest[0], bool):
        dtype = rest.pop(0)
    if len(rest) > 2:
        raise TypeError(f"{op}() takes at most (device, dtype, non_blocking, copy); got {len(args)} arguments")
    if len(rest) == 2:
        copy = rest[1]
    check_device(dev, op)
    return dtype, bool(copy)
