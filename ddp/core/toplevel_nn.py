"""The nn.functional ops that PyTorch also has as `torch.X` (`ddp.conv2d(x, w)`, `ddp.dropout(x, p, train)`), with
PyTorch's torch-level signatures, which differ from ddp.nn.functional's in places:

- the dropouts take (input, p, train), all required, and raise RuntimeError for p outside [0, 1];
- batch_norm and instance_norm take (input, weight, bias, running_mean, running_var, training, momentum, eps,
  cudnn_enabled), all required (cudnn_enabled is ignored: there is no cuDNN);
- embedding takes the weight first, and a negative padding_idx means none; embedding_bag's mode is an int
  (0 sum, 1 mean, 2 max) and it returns four tensors;
- max_pool1d and max_pool2d return no indices; max_pool1d_with_indices and adaptive_max_pool1d return
  (values, indices).

Each function checks what differs and delegates to ddp.nn.functional, imported on the first call so that
`import ddp` does not load the layers. The in-place forms (`relu_`, `dropout_`, ...) write into their input
through `Tensor._inplace`, which records them for autograd as PyTorch does. The losses and distances are in
toplevel_losses.py.
"""
import numpy as np

from . import functional as CF
from .tensor import Tensor

__all__ = """
conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d avg_pool1d max_pool1d max_pool2d max_pool3d
max_pool1d_with_indices adaptive_avg_pool1d adaptive_max_pool1d batch_norm layer_norm group_norm instance_norm rms_norm
rnn_tanh_cell rnn_relu_cell lstm_cell gru_cell dropout alpha_dropout
feature_dropout feature_alpha_dropout dropout_ alpha_dropout_ feature_dropout_ feature_alpha_dropout_ embedding
embedding_bag pixel_shuffle pixel_unshuffle channel_shuffle prelu selu celu threshold hardshrink relu_ selu_ celu_
threshold_ rrelu rrelu_ bilinear constant_pad_nd rsub detach detach_
""".split()


def _nf():
    """ddp.nn.functional (imported here, on first use, not when ddp is)."""
    from .nn import functional

    return functional


def _tensor_arg(x, op, name="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


def _kernel_stride(stride):
    """PyTorch's torch-level default stride, [] (an empty list), means the kernel size, as None does in F."""
    return None if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else stride


# ------------------------------------------------------------------------------ convolution and pooling
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    return _nf().conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    return _nf().conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    return _nf().conv3d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1):
    return _nf().conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1):
    return _nf().conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1):
    return _nf().conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True):  # noqa: A002
    return _nf().avg_pool1d(input, kernel_size, _kernel_stride(stride), padding, ceil_mode, count_include_pad)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):  # noqa: A002
    """Maxima over windows of the last dim (no indices: see max_pool1d_with_indices)."""
    return _nf().max_pool1d(input, kernel_size, _kernel_stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):  # noqa: A002
    """(maxima, int64 indices into the last dim) over windows of the last dim."""
    return _nf().max_pool1d(input, kernel_size, _kernel_stride(stride), padding, dilation, ceil_mode, True)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):  # noqa: A002
    return _nf().max_pool2d(input, kernel_size, _kernel_stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):  # noqa: A002
    return _nf().max_pool3d(input, kernel_size, _kernel_stride(stride), padding, dilation, ceil_mode)


def adaptive_avg_pool1d(input, output_size):  # noqa: A002
    return _nf().adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size):  # noqa: A002
    """(maxima, indices): PyTorch's torch-level form always returns both."""
    return _nf().adaptive_max_pool1d(input, output_size, True)


# -------------------------------------------------------------------------------------- normalisation
def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,  # noqa: A002
               cudnn_enabled):
    return _nf().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):  # noqa: A002
    return _nf().layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):  # noqa: A002
    return _nf().group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,  # noqa: A002
                  cudnn_enabled):
    return _nf().instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):  # noqa: A002
    return _nf().rms_norm(input, normalized_shape, weight, eps)


# ------------------------------------------------------------------------------------------ recurrent cells
# One step of each recurrence from its weights (what nn.RNNCell, LSTMCell and GRUCell compute): the scan of
# rnn_ops.py over a sequence of length one. input (N, H_in), hx (N, H): batched only, as PyTorch's.
def _cell(op, input, states, w_ih, w_hh, b_ih, b_hh, scan, **options):  # noqa: A002
    from .nn import rnn_ops

    for t, name in [(input, "input")] + [(h, "hx") for h in states]:
        if _tensor_arg(t, op, name).ndim != 2:
            raise RuntimeError(f"{op}: expected {name} to be 2-D (N, features), got shape {tuple(t.shape)}")
    for h in states:
        if tuple(h.shape) != (input.shape[0], w_hh.shape[1]):
            raise RuntimeError(f"{op}: expected hx of size {(input.shape[0], w_hh.shape[1])}, got {tuple(h.shape)}")
    xw = CF.unsqueeze(_nf().linear(input, w_ih, b_ih), 0)
    return getattr(rnn_ops, scan).apply(xw, *states, w_hh, b_hh, **options)[0]


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):  # noqa: A002
    """h' = tanh(input w_ih^T + b_ih + hx w_hh^T + b_hh)."""
    return _cell("rnn_tanh_cell", input, [hx], w_ih, w_hh, b_ih, b_hh, "RNNScan", relu=False)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):  # noqa: A002
    """h' = relu(input w_ih^T + b_ih + hx w_hh^T + b_hh)."""
    return _cell("rnn_relu_cell", input, [hx], w_ih, w_hh, b_ih, b_hh, "RNNScan", relu=True)


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):  # noqa: A002
    """(h', c') of one LSTM step from hx = (h, c), gates i, f, g, o in w_ih's rows."""
    if not isinstance(hx, (tuple, list)) or len(hx) != 2:
        raise RuntimeError("lstm_cell: hx must be a pair (h, c) of Tensors")
    hc = _cell("lstm_cell", input, list(hx), w_ih, w_hh, b_ih, b_hh, "LSTMScan")
    hidden = w_hh.shape[1]
    return hc[..., :hidden], hc[..., hidden:]


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):  # noqa: A002
    """h' of one GRU step, gates r, z, n in w_ih's rows."""
    return _cell("gru_cell", input, [hx], w_ih, w_hh, b_ih, b_hh, "GRUScan")


# -------------------------------------------------------------------------------------------- dropout
def _check_dropout(x, p, op, feature=False):
    """PyTorch's torch-level checks: p in [0, 1], a floating input, (N, C, ...) for the feature forms."""
    _tensor_arg(x, op)
    if not 0 <= p <= 1:
        raise RuntimeError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    if feature and x.ndim < 2:
        raise RuntimeError(f"{op}: feature dropout needs an input of at least 2 dims (N, C, ...), got shape "
                           f"{tuple(x.shape)}")
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got {x.dtype}")


def dropout(input, p, train):  # noqa: A002
    """Zero each element with probability p and scale the rest by 1 / (1 - p) when `train`; else the input."""
    _check_dropout(input, p, "dropout")
    return _nf().dropout(input, p, train)


def alpha_dropout(input, p, train):  # noqa: A002
    _check_dropout(input, p, "alpha_dropout")
    return _nf().alpha_dropout(input, p, train)


def feature_dropout(input, p, train):  # noqa: A002
    """Dropout of whole channels of (N, C, ...): one draw per (sample, channel), rescaled by 1 / (1 - p)."""
    from .nn.functional_dropout import _channel_dropout

    _check_dropout(input, p, "feature_dropout", feature=True)
    return _channel_dropout(input, p, train, unbatched=False)


def feature_alpha_dropout(input, p, train):  # noqa: A002
    _check_dropout(input, p, "feature_alpha_dropout", feature=True)
    return _nf().feature_alpha_dropout(input, p, train)


def _dropout_in_place(fn, op, input, p, train, feature=False):  # noqa: A002
    _check_dropout(input, p, op, feature)
    return input._inplace(lambda t: fn(t, p, True)) if train and p > 0 else input


def dropout_(input, p, train):  # noqa: A002
    return _dropout_in_place(dropout, "dropout_", input, p, train)


def alpha_dropout_(input, p, train):  # noqa: A002
    return _dropout_in_place(alpha_dropout, "alpha_dropout_", input, p, train)


def feature_dropout_(input, p, train):  # noqa: A002
    return _dropout_in_place(feature_dropout, "feature_dropout_", input, p, train, feature=True)


def feature_alpha_dropout_(input, p, train):  # noqa: A002
    return _dropout_in_place(feature_alpha_dropout, "feature_alpha_dropout_", input, p, train, feature=True)


# ------------------------------------------------------------------------------------------ embedding
def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Rows of `weight` picked by `indices` (weight first, as PyTorch's torch-level form); rows equal to a
    padding_idx >= 0 get no gradient, and a negative one means no padding."""
    padding = None if padding_idx is None or padding_idx < 0 else padding_idx
    return _nf().embedding(indices, weight, padding, None, 2.0, scale_grad_by_freq, sparse)


_BAG_MODES = ("sum", "mean", "max")


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """(bags, offset2bag, bag_size, max_indices), as PyTorch computes them on the CPU.

    `bags` is F.embedding_bag's result (mode 0 sum, 1 mean, 2 max). offset2bag is each index's bag (PyTorch
    leaves it empty in sum mode when padding_idx is not passed), bag_size each bag's count of non-padding
    indices (zeros in sum mode), and max_indices the weight row of each maximum in max mode (bag_size in mean
    mode, zeros in sum mode).
    """
    if mode not in (0, 1, 2):
        raise RuntimeError(f"embedding_bag: mode must be 0 (sum), 1 (mean) or 2 (max), got {mode!r}")
    _tensor_arg(indices, "embedding_bag", "indices")
    _tensor_arg(offsets, "embedding_bag", "offsets")
    bags = _nf().embedding_bag(indices, weight, offsets, None, 2, scale_grad_by_freq, _BAG_MODES[mode], sparse,
                               per_sample_weights, include_last_offset, padding_idx)
    idx = indices._data.reshape(-1).astype(np.int64)
    n_bags, ends = bags.shape[0], offsets._data.astype(np.int64)
    bag_of = np.searchsorted(ends[:n_bags], np.arange(idx.size), side="right") - 1
    kept = np.arange(idx.size) < (ends[-1] if include_last_offset else idx.size)  # F's bags end there
    if padding_idx is not None:
        kept &= idx != padding_idx % weight.shape[0]
    counts = np.bincount(bag_of[kept], minlength=n_bags).astype(np.int64)
    zeros = np.zeros(n_bags, dtype=np.int64)
    if mode == 0:
        return bags, Tensor(bag_of), Tensor(zeros), Tensor(zeros.copy())
    if mode == 1:
        return bags, Tensor(bag_of), Tensor(counts), Tensor(counts.copy())
    # max: the first kept index whose row equals its bag's maximum, per (bag, column); 0 for an empty bag
    positions = np.flatnonzero(kept)
    hits = weight._data[idx[positions]] == bags._data[bag_of[positions]]
    first = np.full(bags.shape, idx.size, dtype=np.int64)
    np.minimum.at(first, bag_of[positions], np.where(hits, positions[:, None], idx.size))
    rows = idx[np.minimum(first, idx.size - 1)] if idx.size else first
    return bags, Tensor(bag_of), Tensor(counts), Tensor(np.where(first < idx.size, rows, 0))


# -------------------------------------------------------------------------------- activations, shuffles
def pixel_shuffle(input, upscale_factor):  # noqa: A002
    return _nf().pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input, downscale_factor):  # noqa: A002
    return _nf().pixel_unshuffle(input, downscale_factor)


def channel_shuffle(input, groups):  # noqa: A002
    return _nf().channel_shuffle(input, groups)


def prelu(input, weight):  # noqa: A002
    return _nf().prelu(input, weight)


def selu(input):  # noqa: A002
    return _nf().selu(input)


def celu(input, alpha=1.0):  # noqa: A002
    return _nf().celu(input, alpha)


def threshold(input, threshold, value):  # noqa: A002
    return _nf().threshold(input, threshold, value)


def hardshrink(input, lambd=0.5):  # noqa: A002
    return _nf().hardshrink(input, lambd)


def relu_(input):  # noqa: A002
    return _tensor_arg(input, "relu_")._inplace(CF.relu)


def selu_(input):  # noqa: A002
    return _tensor_arg(input, "selu_")._inplace(selu)


def celu_(input, alpha=1.0):  # noqa: A002
    return _tensor_arg(input, "celu_")._inplace(celu, alpha)


def threshold_(input, threshold, value):  # noqa: A002
    return _tensor_arg(input, "threshold_")._inplace(_nf().threshold, threshold, value)


# ------------------------------------------------------------------------------------------------ misc
def _no_generator(generator, op):
    if generator is not None:
        raise NotImplementedError(f"{op}: generator= is not supported; the slopes come from ddp's default generator "
                                  "(seed it with ddp.manual_seed)")


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):  # noqa: A002
    _no_generator(generator, "rrelu")
    return _nf().rrelu(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):  # noqa: A002
    _no_generator(generator, "rrelu_")
    return _nf().rrelu_(input, lower, upper, training)


def bilinear(input1, input2, weight, bias=None):
    return _nf().bilinear(input1, input2, weight, bias)


def constant_pad_nd(input, pad, value=0):  # noqa: A002
    """Pad (or, with negative widths, crop) the last len(pad) // 2 dims with `value`, last dim first."""
    x = _tensor_arg(input, "constant_pad_nd")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) > 2 * x.ndim:
        raise RuntimeError(f"constant_pad_nd: expected an even number of pad widths, at most 2 per dim of the "
                           f"input {tuple(x.shape)}, got {pad}")
    crop = [slice(None)] * x.ndim
    for i in range(len(pad) // 2):
        dim, before, after = x.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]
        if x.shape[dim] + min(before, 0) + min(after, 0) < 0:
            raise RuntimeError(f"constant_pad_nd: widths {(before, after)} crop more than the size "
                               f"{x.shape[dim]} of dim {dim}")
        crop[dim] = slice(-min(before, 0), x.shape[dim] + min(after, 0))
    if min(pad, default=0) < 0:  # negative widths: slice those elements off first
        x = x[tuple(crop)]
    return CF.pad(x, tuple(max(p, 0) for p in pad), value=value)


def rsub(input, other, alpha=1):  # noqa: A002
    """other - alpha * input: subtraction with the operands swapped."""
    return CF.sub(other, input if alpha == 1 else CF.mul(input, alpha))


def detach(input):  # noqa: A002
    """A tensor sharing input's memory, cut from the graph (`Tensor.detach`)."""
    return _tensor_arg(input, "detach").detach()


def detach_(input):  # noqa: A002
    return _tensor_arg(input, "detach_").detach_()
