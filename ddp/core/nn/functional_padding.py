"""`pad` with all of PyTorch's modes (re-exported by ddp.nn.functional): 'constant' is the core tensor op
(ddp.core.shape_functional.pad); 'reflect', 'replicate' and 'circular' copy the input's own values
(ops/padding.py)."""
from .. import shape_functional
from ..functional import _tensor
from ..ops import padding as pad_ops

__all__ = ["pad"]

MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):  # noqa: A002
    """Pad the last len(pad) // 2 dims of x, as torch.nn.functional.pad: `pad` lists (before, after) of the
    last dim first, then of the dim before it.

    Args:
        mode: 'constant' (fill with `value`, default 0), 'reflect' (mirror about the edge elements, widths
            below the size), 'replicate' (repeat the edge) or 'circular' (wrap, widths at most the size).
            The copying modes pad 1, 2 or 3 trailing dims of a batched or unbatched input. A negative width
            crops, as in PyTorch: 'constant' and 'circular' crop first and pad what is left; 'reflect' and
            'replicate' pad first, so they mirror or repeat about the edges of the whole input.
    Raises:
        NotImplementedError for an unknown mode or an unsupported rank; RuntimeError for an odd pad length,
        a value with a copying mode, or widths the mode cannot take.

    Example:
        >>> y = pad(ddp.randn(2, 3, 8, 8), (1, 1, 1, 1), mode="reflect")    # (2, 3, 10, 10)
    """
    x = _tensor(input)
    widths = tuple(int(p) for p in pad)
    if mode not in MODES:
        raise NotImplementedError(f"pad: Unrecognised padding mode {mode!r} (expected one of {MODES})")
    if len(widths) % 2:
        raise RuntimeError(f"pad: Padding length must be divisible by 2, got {widths}")
    if len(widths) // 2 > x.ndim:
        raise RuntimeError(f"pad: Padding length should be less than or equal to two times the input dimension "
                           f"but got padding length {len(widths)} and input of dimension {x.ndim}")
    grow = tuple(max(w, 0) for w in widths)
    if mode == "constant":
        return shape_functional.pad(_crop(x, widths), grow, value=0.0 if value is None else value)
    if value is not None:
        raise RuntimeError(f'pad: Padding mode "{mode}" doesn\'t take in value argument')
    k = len(widths) // 2
    if k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(f"pad: Padding size {len(widths)} is not supported for {x.ndim}D input tensor "
                                  f"in mode {mode!r}: it pads the last {k} dims of a {k + 1}D or {k + 2}D input")
    if mode == "circular":
        x = _crop(x, widths)
    per_dim = [(0, 0)] * x.ndim
    for i in range(k):
        before, after = grow[2 * i], grow[2 * i + 1]
        dim = x.ndim - 1 - i
        size = x.shape[dim]
        if size + widths[2 * i] + widths[2 * i + 1] <= 0 and mode != "circular":
            raise RuntimeError(f"pad: input (size {size} at dimension {dim}) is too small for padding "
                               f"({widths[2 * i]}, {widths[2 * i + 1]}): the output size would be "
                               f"{size + widths[2 * i] + widths[2 * i + 1]}")
        if mode == "reflect" and (before >= size or after >= size):
            raise RuntimeError(f"pad: Padding size should be less than the corresponding input dimension, but got: "
                               f"padding ({before}, {after}) at dimension {dim} of input {tuple(x.shape)}")
        if mode == "circular" and (before > size or after > size):
            raise RuntimeError(f"pad: Padding value causes wrapping around more than once: padding ({before}, "
                               f"{after}) at dimension {dim} of input {tuple(x.shape)}")
        if mode == "replicate" and size == 0:
            raise RuntimeError(f"pad: cannot replicate an empty dimension {dim} of input {tuple(x.shape)}")
        per_dim[dim] = (before, after)
    out = pad_ops.IndexPad.apply(x, widths=tuple(per_dim), mode=mode)
    return out if mode == "circular" else _crop(out, widths)


def _crop(x, widths):
    """x less -w elements at each side that `widths` (pad's order) gives a negative width w; x if none is."""
    if min(widths, default=0) >= 0:
        return x
    index = [slice(None)] * x.ndim
    for i in range(len(widths) // 2):
        dim = x.ndim - 1 - i
        start, stop = max(-widths[2 * i], 0), x.shape[dim] - max(-widths[2 * i + 1], 0)
        if stop < start:
            raise RuntimeError(f"pad: cropping ({widths[2 * i]}, {widths[2 * i + 1]}) removes more than the "
                               f"{x.shape[dim]} elements of dimension {dim} of input {tuple(x.shape)}")
        index[dim] = slice(start, stop)
    return x[tuple(index)]
