"""How tensors print, and `set_printoptions` (torch.set_printoptions) to change it: digits after the point,
how many elements before the middle is elided, the line width, and scientific notation."""

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
