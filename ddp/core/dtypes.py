"""dtypes: PyTorch's dtype objects over numpy's (`ddp.float32 == np.float32`; numpy reads `ddp.float32.dtype`)."""
import builtins

import numpy as np


class dtype:  # noqa: N801 - PyTorch's name
    """A tensor's element type, as PyTorch's torch.dtype: `is_floating_point`, `is_complex`, `is_signed`,
    `itemsize`, `to_real()`, `to_complex()`, printed as `ddp.float32`.

    Each is one object over a numpy dtype (its `.dtype`, the attribute numpy reads, so `np.zeros(2,
    ddp.float32)` works); it equals and hashes as that numpy dtype, so `x.dtype == np.float32` and
    `x.dtype is ddp.float32` both hold. numpy's own queries (`kind`, `name`, `type`, ...) pass through.
    `ddp.dtype(spec)` gives the one for anything numpy reads as a dtype (`ddp.dtype("float32")`).
    """

    __slots__ = ("dtype", "_name")
    _canonical = {}  # numpy dtype -> its one ddp.dtype

    def __new__(cls, spec):
        numpy_dtype = np.dtype(spec)
        found = cls._canonical.get(numpy_dtype)
        if found is None:
            found = super().__new__(cls)
            found.dtype, found._name = numpy_dtype, numpy_dtype.name
            cls._canonical[numpy_dtype] = found
        return found

    kind = property(lambda self: self.dtype.kind)
    name = property(lambda self: self.dtype.name)
    type = property(lambda self: self.dtype.type)
    char = property(lambda self: self.dtype.char)
    itemsize = property(lambda self: self.dtype.itemsize)
    is_floating_point = property(lambda self: self.dtype.kind == "f")
    is_complex = property(lambda self: self.dtype.kind == "c")
    is_signed = property(lambda self: self.dtype.kind in "fic")

    @property
    def abbr(self):
        """PyTorch's short name: 'f32', 'i64', 'b8', 'c64'."""
        return ("b" if self.dtype.kind == "b" else self.dtype.kind) + str(self.dtype.itemsize * 8)

    def to_real(self):
        """The real dtype of a complex one (complex64 -> float32); any other dtype is itself."""
        return dtype(self.dtype.type(0).real.dtype) if self.dtype.kind == "c" else self

    def to_complex(self):
        """The complex dtype of a floating one (float32 -> complex64); a complex dtype is itself.

        Raises:
            RuntimeError: an integer or bool dtype, or float16 (numpy has no complex32), as PyTorch for the former.
        """
        if self.dtype.kind == "c":
            return self
        if self.dtype.kind != "f" or self.dtype.itemsize < 4:
            raise RuntimeError(f"Unknown Complex ScalarType for {self}")
        return dtype(np.result_type(self.dtype, np.complex64))

    def __getattr__(self, name):  # the rest of numpy's dtype interface (fields, str, alignment, ...)
        return getattr(builtins.object.__getattribute__(self, "dtype"), name)

    def __eq__(self, other):
        if other.__class__ is dtype:
            return self is other
        try:
            return self.dtype == other  # numpy's equality: np.float32, "float32", np.dtype("f4")
        except TypeError:
            return False

    def __hash__(self):
        return hash(self.dtype)

    def __repr__(self):
        return f"ddp.{self._name}"

    def __reduce__(self):  # pickled by name, as PyTorch's: one object after loading too
        return self._name


float16 = dtype("float16")
float32 = dtype("float32")
float64 = dtype("float64")
uint8 = dtype("uint8")
uint16 = dtype("uint16")  # PyTorch's "shell" unsigned dtypes: tensors of them exist, with few ops there
uint32 = dtype("uint32")
uint64 = dtype("uint64")
int8 = dtype("int8")
int16 = dtype("int16")
int32 = dtype("int32")
int64 = dtype("int64")
bool = dtype("bool")  # noqa: A001 - PyTorch's name
float = float32  # noqa: A001
double = float64
half = float16
short = int16
int = int32  # noqa: A001
long = int64
complex64 = dtype("complex64")  # differentiable through view_as_complex, view_as_real, polar and products
complex128 = dtype("complex128")
cfloat, cdouble = complex64, complex128


def dtype_of(numpy_dtype):
    """The ddp.dtype of a numpy dtype (Tensor.dtype's; a dict lookup for the dtypes above)."""
    return dtype._canonical.get(numpy_dtype) or dtype(numpy_dtype)


class finfo:  # noqa: N801 - PyTorch's name
    """Machine limits of a floating dtype (the default dtype when none is given; a complex dtype gives its real
    part's), as PyTorch's torch.finfo: `bits` an int, `eps`, `max`, `min`, `tiny` (= `smallest_normal`) and
    `resolution` Python floats, `dtype` the dtype's name ('float32').

    Raises:
        TypeError: an integer or bool dtype (as PyTorch; numpy raises ValueError).

    Example:
        >>> ddp.finfo(ddp.float32).eps
        1.1920928955078125e-07
    """

    def __init__(self, type=None):  # noqa: A002 - PyTorch's name
        if type is bfloat16:  # no numpy dtype to ask: its limits (8 exponent bits, 7 mantissa bits), as PyTorch's
            self.bits, self.eps, self.max = 16, 2.0 ** -7, (2 - 2.0 ** -7) * 2.0 ** 127
            self.min, self.tiny = -self.max, 2.0 ** -126
            self.smallest_normal, self.resolution, self.dtype = self.tiny, 0.01, "bfloat16"
            return
        dtype = get_default_dtype() if type is None else as_dtype(type)
        if dtype.kind not in "fc":
            raise TypeError(f"finfo() requires a floating point input type, got {dtype}; use iinfo for integers")
        info = np.finfo(dtype)
        self.bits = builtins.int(info.bits)
        self.eps, self.max, self.min = builtins.float(info.eps), builtins.float(info.max), builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.smallest_normal)
        self.resolution = 10.0 ** -builtins.int(info.precision)  # 1e-06, not float32(1e-06)'s 9.99999997e-07
        self.dtype = info.dtype.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    __hash__ = object.__hash__


class iinfo:  # noqa: N801 - PyTorch's name
    """Limits of an integer dtype, as PyTorch's torch.iinfo: `bits`, `min` and `max` Python ints, `dtype` the
    dtype's name ('int64').

    Raises:
        TypeError: a floating, complex or bool dtype (as PyTorch; numpy raises ValueError).
    """

    def __init__(self, type):  # noqa: A002
        dtype = as_dtype(type)
        if dtype.kind not in "iu":
            raise TypeError(f"iinfo() requires an integer input type, got {dtype}; use finfo for floating types")
        info = np.iinfo(dtype)
        self.bits, self.min, self.max = builtins.int(info.bits), builtins.int(info.min), builtins.int(info.max)
        self.dtype = dtype.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    __hash__ = object.__hash__


_WIDE_UNSIGNED = (uint16, uint32, uint64)


def promote_wide_unsigned(a, b):
    """PyTorch's promotion where uint16, uint32 or uint64 meet another dtype (numpy dtypes a and b): None when
    neither is one of them; the dtype itself with itself, the floating dtype with a floating one.

    Raises:
        RuntimeError: with any other dtype (bool, another integer, complex), as PyTorch, which does not promote
        these "shell" dtypes (numpy would: uint64 with int64 is float64 there).
    """
    if a not in _WIDE_UNSIGNED and b not in _WIDE_UNSIGNED:
        return None
    if a == b:
        return a
    if a.kind == "f" or b.kind == "f":
        return a if a.kind == "f" else b
    raise RuntimeError(f"Promotion for uint16, uint32, uint64 types is not supported, attempted to promote {a} "
                       f"and {b}")


class _Unsupported:
    """A PyTorch dtype that ddp names but cannot compute in: passing it where nothing is computed in it (e.g.
    `autocast(dtype=ddp.bfloat16)`, a no-op) works; making a tensor of it raises TypeError."""

    is_floating_point, is_complex, is_signed = True, False, True  # bfloat16's, as PyTorch's dtype answers

    def __init__(self, name, itemsize):
        self.name, self.itemsize = name, itemsize

    def __repr__(self):
        return f"ddp.{self.name}"


bfloat16 = _Unsupported("bfloat16", 2)

# The legacy tensor type of each dtype, as `Tensor.type()` names it ("ddp.FloatTensor")
TYPE_NAMES = {
    float32: "FloatTensor", float64: "DoubleTensor", float16: "HalfTensor", uint8: "ByteTensor",
    int8: "CharTensor", int16: "ShortTensor", int32: "IntTensor", int64: "LongTensor", bool: "BoolTensor",
}
_BY_TYPE_NAME = {name: dtype for dtype, name in TYPE_NAMES.items()}
_default = [float32]


def as_dtype(spec):
    """The ddp.dtype of anything dtype-like; Python `float` means float64 and `int` int64, as in PyTorch."""
    if spec is None or spec.__class__ is dtype:
        return spec
    if spec is builtins.float:
        return float64
    if spec is builtins.int:
        return int64
    if isinstance(spec, _Unsupported):
        raise TypeError(f"ddp has no {spec.name} arithmetic (numpy has no such dtype): use float32 (or float16)")
    return dtype(spec)


def is_floating(spec):
    return np.dtype(spec).kind == "f"


def get_default_dtype():
    """The dtype that factories give floating data: float32 unless `set_default_dtype` changed it."""
    return _default[0]


def float_of(spec):
    """The dtype a floating op (sqrt, sin, special functions, ...) gives an input of dtype `spec`: the input's
    own if it is floating or complex, else (integers, bools) the default dtype, as in PyTorch."""
    d = np.dtype(spec)
    return d if d.kind in "fc" else np.dtype(_default[0])


def set_default_dtype(spec):
    """Make `dtype` (float16, float32 or float64) what `ddp.tensor(1.5)`, `ddp.zeros(2)` and friends return.

    The factories follow it, so do the layers' parameters, and so do the floating results of integer inputs
    (`ddp.arange(3) * 0.5`, `ddp.sqrt(ddp.arange(3))`).

    Raises:
        TypeError: `dtype` is not a floating point dtype (as PyTorch).
    """
    chosen = as_dtype(spec)
    if chosen is None or chosen.kind != "f":
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the default type, "
                        f"got {chosen}")
    _default[0] = chosen


def type_name(spec):
    """PyTorch's legacy type name for a dtype, in ddp's spelling: float32 -> "ddp.FloatTensor"."""
    spec = np.dtype(spec)
    return "ddp." + TYPE_NAMES.get(spec, spec.name.capitalize() + "Tensor")  # e.g. ddp.Uint16Tensor


def dtype_of_type(obj):
    """The dtype meant by a dtype, a legacy type (`ddp.FloatTensor`) or a legacy type name ("torch.FloatTensor")."""
    if isinstance(obj, str):
        return dtype_of_type_name(obj)
    legacy = getattr(obj, "dtype", None) if isinstance(obj, type) else None
    return legacy if isinstance(legacy, (dtype, np.dtype)) else as_dtype(obj)


def dtype_of_type_name(name):
    """The dtype that a legacy type name means: "torch.FloatTensor", "ddp.LongTensor" or "FloatTensor".

    Raises:
        RuntimeError: for "torch.cuda.*" names (ddp runs on the CPU).
        ValueError: for a name that is not a tensor type (as PyTorch: "invalid type: ...").
    """
    parts = name.split(".")
    if len(parts) == 3 and parts[1] == "cuda":
        from .device import cpu_only_error

        raise cpu_only_error(f"tensor type {name!r}")
    if parts[-1] in _BY_TYPE_NAME and (len(parts) == 1 or (len(parts) == 2 and parts[0] in ("torch", "ddp"))):
        return _BY_TYPE_NAME[parts[-1]]
    raise ValueError(f"invalid type: {name!r}")
