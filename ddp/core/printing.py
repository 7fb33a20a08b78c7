"""How tensors print, and `set_printoptions` (torch.set_printoptions) to change it: digits after the point,
how many elements before the middle is elided, the line width, and scientific notation; `tensor_repr`, the
text itself, laid out as PyTorch lays it out."""
import math

import numpy as np

_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=float("inf"), edgeitems=3, linewidth=80)}
options = dict(_PROFILES["default"], sci_mode=None)  # read by Tensor's repr (tensor.py)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """Set how tensors print, as PyTorch's: `profile` ("default", "short", "full") first, then any option
    given; `sci_mode` True or False forces scientific notation on or off, None lets the values decide (and
    is what every call without it sets, as in PyTorch)."""
    if profile in _PROFILES:
        options.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            options[name] = value
    options["sci_mode"] = sci_mode


# ------------------------------------------------------------------------------------------------ the repr
# PyTorch's layout, rule for rule: one width for every element (from the nonzero finite values only, so an
# -inf or -0. may stick out), integral floats as "2.", scientific notation when the values span more than
# 1000x or leave 1e-4..1e8, bools and ints as Python prints them, rows wrapped to the line width, and past
# `threshold` elements only `edgeitems` at each end of every dim, around "...".
def _floats(values):
    """(format one value, width): the formatter PyTorch chooses for these floating values (an ndarray)."""
    precision, forced = options["precision"], options["sci_mode"]
    finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
    magnitudes = np.abs(finite)
    integral = bool(np.all(finite == np.ceil(finite)))
    sci = bool(finite.size) and (magnitudes.max() / magnitudes.min() > 1000.0 or magnitudes.max() > 1.0e8
                                 or (not integral and magnitudes.min() < 1.0e-4))
    sci = sci if forced is None or not finite.size else forced  # (PyTorch ignores the option for all zeros)
    if sci:
        text = lambda v: f"{v:.{precision}e}"  # noqa: E731
    elif integral:
        text = lambda v: f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")  # noqa: E731
    else:
        text = lambda v: f"{v:.{precision}f}"  # noqa: E731
    width = max([1] + [len(text(v)) for v in finite.tolist()])
    return text, width


def _formatter(values):
    """(format one element as PyTorch pads it, width) for an array of one real dtype."""
    if values.dtype.kind == "f":
        text, width = _floats(values)
    else:
        text = str
        width = max([1] + [len(str(v)) for v in values.reshape(-1).tolist()])
    return (lambda v: text(v).rjust(width)), width


def _summarized(array, edge):
    """The elements that print: all of them, or `edge` at each end of every dim (what the widths come from)."""
    if array.ndim == 0:
        return array
    if array.shape[0] > 2 * edge:
        array = np.concatenate([array[:edge], array[-edge:]])
    return np.stack([_summarized(a, edge) for a in array]) if array.ndim > 1 else array


def _element(value, real, imag):
    if imag is None:
        return real(value)
    imag_text = (imag(value.imag) + "j").lstrip()
    return real(value.real) + (imag_text if imag_text[0] in "+-" else "+" + imag_text)


def _body(array, indent, summarize, real, imag, width):
    edge = options["edgeitems"]
    if array.ndim == 0:
        return _element(array.item(), real, imag)
    cut = summarize and array.shape[0] > 2 * edge
    if array.ndim == 1:
        per_line = max(1, int((options["linewidth"] - indent) // width))
        if summarize and not edge:
            items = ["..."]
        elif cut:
            items = ([_element(v, real, imag) for v in array[:edge].tolist()] + [" ..."]
                     + [_element(v, real, imag) for v in array[-edge:].tolist()])
        else:
            items = [_element(v, real, imag) for v in array.tolist()]
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = ([array[i] for i in range(edge)] + [None] + [array[i] for i in range(len(array) - edge, len(array))]
            if cut else list(array))
    parts = ["..." if r is None else _body(r, indent + 1, summarize, real, imag, width) for r in rows]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def tensor_repr(array, suffixes):
    """PyTorch's `tensor(...)` text for `array`, with `suffixes` ("dtype=ddp.float64", "grad_fn=<...>")."""
    prefix = "tensor("
    if array.size == 0:
        text = prefix + "[]"
    else:
        summarize = array.size > options["threshold"]
        shown = _summarized(array, options["edgeitems"]) if summarize else array
        if array.dtype == np.float16:
            array, shown = array.astype(np.float32), shown.astype(np.float32)
        if array.dtype.kind == "c":
            real, real_width = _formatter(shown.real)
            imag, imag_width = _formatter(shown.imag)
            width = real_width + imag_width + 3
        else:
            (real, width), imag = _formatter(shown), None
            width += 2
        text = prefix + _body(array, len(prefix), summarize, real, imag, width)
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > options["linewidth"]:
            text += ",\n" + " " * len(prefix) + suffix
            last_line = len(prefix) + len(suffix)
        else:
            text += ", " + suffix
            last_line += len(suffix) + 2
    return text + ")"
