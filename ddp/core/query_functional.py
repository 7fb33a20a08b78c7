"""Questions about tensors and dtypes as functions (`ddp.is_tensor(obj)`, `ddp.numel(x)`, `ddp.promote_types(a,
b)`), and the process-wide debugging switches PyTorch scripts query or set (anomaly mode, warn-always,
deterministic debug mode, flush-denormal), as PyTorch has them.

Dtype promotion follows PyTorch's rules (the categories bool < integer < floating < complex; a higher category
wins, then the wider type; a 0-d tensor or a Python number only decides the result when it is of a higher
category than the tensors with dims). ddp's own ops compute in numpy, whose promotion differs in places:
`result_type` says what PyTorch would give, not what every ddp op does.
"""
import builtins

import numpy as np

from . import anomaly, autograd, runtime
from .dtypes import as_dtype, get_default_dtype, promote_wide_unsigned
from .tensor import Tensor

__all__ = """
is_tensor is_floating_point numel is_nonzero is_same_size is_signed is_complex is_conj is_neg is_inference
is_storage promote_types result_type can_cast typename is_anomaly_enabled set_anomaly_enabled
is_anomaly_check_nan_enabled is_inference_mode_enabled is_warn_always_enabled set_warn_always
get_deterministic_debug_mode set_deterministic_debug_mode set_flush_denormal get_device
""".split()


def _check(x, name, arg="input", position=1):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not {type(x).__name__}")


# ----------------------------------------------------------------------------------- about one tensor
def is_tensor(obj):
    """Whether `obj` is a ddp Tensor (a Parameter counts; a numpy array or a list does not)."""
    return isinstance(obj, Tensor)


def is_floating_point(x):
    """Whether the tensor's dtype is a floating-point one.

    Raises:
        TypeError: x is not a Tensor, as in PyTorch.
    """
    _check(x, "is_floating_point")
    return x.is_floating_point()


def numel(x):
    """The number of elements of the tensor (1 for a 0-d tensor).

    Raises:
        TypeError: x is not a Tensor, as in PyTorch.
    """
    _check(x, "numel")
    return x.numel()


def is_nonzero(x):
    """Whether the one element of x is nonzero (`bool(x)`, but only for a single element).

    Raises:
        RuntimeError: x holds no element or more than one.
    """
    _check(x, "is_nonzero")
    if x.numel() != 1:
        many = "no values" if x.numel() == 0 else f"{x.numel()} values"
        raise RuntimeError(f"is_nonzero: expected a tensor of exactly one element, got {many} (shape "
                           f"{tuple(x.shape)}): its truth value is ambiguous")
    return bool(x._data.reshape(()))


def is_same_size(x, other):
    """Whether the two tensors have the same shape."""
    _check(x, "is_same_size")
    _check(other, "is_same_size", "other", 2)
    return x.shape == other.shape


def is_signed(x):
    """Whether x's dtype holds negative values: floating, complex and signed integer dtypes do."""
    _check(x, "is_signed")
    return x.dtype.kind in "fic"


def is_complex(x):
    _check(x, "is_complex")
    return x.dtype.kind == "c"


def is_conj(x):
    """False: ddp conjugates eagerly, so no tensor carries PyTorch's lazy conjugation bit."""
    _check(x, "is_conj")
    return False


def is_neg(x):
    """False: ddp negates eagerly, so no tensor carries PyTorch's lazy negation bit."""
    _check(x, "is_neg")
    return False


def is_inference(x):
    """Whether x was made inside `inference_mode` (and is not a view of a tensor made outside it)."""
    _check(x, "is_inference")
    return x._inference


def is_storage(obj):
    """False: ddp tensors own numpy arrays, and ddp has no Storage objects."""
    return False


# ---------------------------------------------------------------------------------------------- dtypes
def _category(dtype):
    """0 bool, 1 integer, 2 floating, 3 complex."""
    return "biufc".index(dtype.kind) - (dtype.kind in "ufc")


def _dtype_arg(dtype, op, name, position):
    """`dtype` as a ddp.dtype; TypeError naming the argument for anything that is not a dtype."""
    try:
        if dtype is not None and not isinstance(dtype, (bool, int, float)):
            return as_dtype(dtype)
        error = "not a dtype"
    except (TypeError, ValueError) as e:
        error = str(e)
    raise TypeError(f"{op}(): argument '{name}' (position {position}) must be a dtype, not "
                    f"{type(dtype).__name__} ({error})")


def promote_types(type1, type2):
    """The smallest dtype that both dtypes cast to without leaving their category (as PyTorch: float16 with
    int64 is float16, where numpy says float64).

    Raises:
        TypeError: an argument is not a dtype. RuntimeError: uint16/32/64 with another integer or bool dtype.
    """
    a, b = _dtype_arg(type1, "promote_types", "type1", 1), _dtype_arg(type2, "promote_types", "type2", 2)
    wide = promote_wide_unsigned(a, b)
    if wide is not None:
        return wide
    ca, cb = _category(a), _category(b)
    if ca != cb and builtins.min(ca, cb) < 2 and builtins.max(ca, cb) >= 2:
        return a if ca > cb else b  # an integer or bool meets a floating or complex dtype: the latter wins
    return as_dtype(np.promote_types(a, b))  # same category, or bool with an integer: numpy agrees with PyTorch


def _operand_dtype(value, op, position):
    """(priority, dtype) of a result_type operand: 2 a tensor with dims, 1 a 0-d tensor, 0 a Python number."""
    if isinstance(value, Tensor):
        return (2 if value.ndim else 1), value.dtype
    if isinstance(value, (bool, np.bool_)):
        return 0, np.dtype(np.bool_)
    if isinstance(value, (int, np.integer)):
        return 0, np.dtype(np.int64)
    if isinstance(value, (float, np.floating)):
        return 0, get_default_dtype()
    if isinstance(value, (complex, np.complexfloating)):
        return 0, np.dtype(np.complex128 if get_default_dtype() == np.float64 else np.complex64)
    raise TypeError(f"result_type(): argument {position} must be a Tensor or a number, not {type(value).__name__}")


def result_type(tensor1, tensor2):
    """The dtype PyTorch's arithmetic gives for the two operands (tensors or Python numbers).

    Tensors with dims decide; a 0-d tensor or a number counts only if its category is higher, and then a
    number adds only its category (float32 tensor + 1.5 is float32, int32 tensor + 1.5 the default float).
    """
    ranked = sorted((_operand_dtype(tensor1, "result_type", 1), _operand_dtype(tensor2, "result_type", 2)),
                    key=lambda pd: -pd[0])
    (p_hi, d_hi), (p_lo, d_lo) = ranked
    if p_hi == p_lo or _category(d_lo) <= _category(d_hi):
        return promote_types(d_hi, d_lo) if p_hi == p_lo else d_hi
    if p_lo == 0 and _category(d_lo) == 3 and _category(d_hi) == 2:  # complex number, float tensor
        return as_dtype(np.complex128 if d_hi == np.float64 else np.complex64)
    return as_dtype(d_lo) if p_lo == 0 else promote_types(d_hi, d_lo)


def can_cast(from_, to):
    """Whether PyTorch's casting rules let an op write `from_` values into `to`: not into a lower category
    (float to integer, integer to bool, complex to float); any width within a category is allowed."""
    a, b = _dtype_arg(from_, "can_cast", "from_", 1), _dtype_arg(to, "can_cast", "to", 2)
    return _category(a) <= _category(b)


def typename(obj):
    """A readable type name: a tensor's legacy type ("ddp.FloatTensor"), else the module-qualified name of
    obj (a class or function) or of obj's class ("ddp.core.nn.linear.Linear", "int")."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__qualname__
    if not isinstance(module, str) or module == "builtins":
        module = ""
    return f"{module}.{name}" if module else name


# ------------------------------------------------------------------------------------------ switches
_switches = {"warn_always": False}


def is_anomaly_enabled():
    """Whether anomaly detection is on (`ddp.autograd.detect_anomaly`, `set_anomaly_enabled`)."""
    return anomaly.is_anomaly_enabled()


def is_anomaly_check_nan_enabled():
    return anomaly.is_anomaly_check_nan_enabled()


def set_anomaly_enabled(enabled, check_nan=True):
    """Switch anomaly detection on or off for the process (see ddp.core.anomaly)."""
    anomaly._set(enabled, check_nan)


def is_inference_mode_enabled():
    """Whether this thread runs inside `inference_mode` (recording is off there too)."""
    return autograd._local.inference


def set_warn_always(b):
    """Recorded for `is_warn_always_enabled`; ddp's warnings follow Python's `warnings` filters either way.

    Raises:
        RuntimeError: b is not a bool (as PyTorch).
    """
    if not isinstance(b, (bool, np.bool_)):
        raise RuntimeError(f"set_warn_always: expected a bool, got {type(b).__name__} ({b!r})")
    _switches["warn_always"] = bool(b)


def is_warn_always_enabled():
    return _switches["warn_always"]


_DEBUG_MODES = ("default", "warn", "error")


def set_deterministic_debug_mode(debug_mode):
    """0 / "default", 1 / "warn" or 2 / "error": `use_deterministic_algorithms` off, on with warn_only, or on.

    Raises:
        TypeError: debug_mode is neither a str nor an int; RuntimeError: it is not one of the three.
    """
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"set_deterministic_debug_mode: expected one of 'default', 'warn', 'error', got "
                               f"{debug_mode!r}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif isinstance(debug_mode, bool) or not isinstance(debug_mode, (int, np.integer)):
        raise TypeError(f"set_deterministic_debug_mode: debug_mode must be a str or an int, got "
                        f"{type(debug_mode).__name__}")
    elif debug_mode not in (0, 1, 2):
        raise RuntimeError(f"set_deterministic_debug_mode: expected 0, 1 or 2, got {debug_mode}")
    runtime.use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    """0, 1 or 2, from `use_deterministic_algorithms`' state (see set_deterministic_debug_mode)."""
    if not runtime.are_deterministic_algorithms_enabled():
        return 0
    return 1 if runtime.is_deterministic_algorithms_warn_only_enabled() else 2


def set_flush_denormal(mode):
    """False: numpy offers no switch to flush denormal floats to zero, so ddp cannot honour the request
    (PyTorch also returns False where the CPU does not support it)."""
    return False


def get_device(input):  # noqa: A002
    """-1, PyTorch's number for the CPU (ddp's only device)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"get_device(): argument 'input' must be Tensor, not {type(input).__name__}")
    return -1
