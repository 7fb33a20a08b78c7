"""Recurrent layers: `RNN` (tanh or relu), `LSTM` and `GRU`, stacked and optionally bidirectional.

Parameter names, shapes and initialisation are PyTorch's, so state dicts map one-to-one. Each layer and
direction projects the whole sequence with one `linear`, then runs the recurrence as one scan (rnn_ops.py).
A PackedSequence input runs each sequence over its own length (rnn_packed.py) and gives a PackedSequence out.
"""
import math
import warnings

import numpy as np

from .. import functional as CF
from ..dtypes import as_dtype, get_default_dtype
from ..tensor import Tensor
from . import functional as F
from . import init
from . import rnn_packed as packing
from .module import Module, Parameter
from .rnn_ops import GRUScan, LSTMScan, RNNScan


class RNNBase(Module):
    """What RNN, LSTM and GRU share: arguments, parameters per layer and direction, input and state checks."""

    gates = 1
    proj_size = 0  # LSTM's: the size of h_t when it is projected down from hidden_size

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout should be a number in range [0, 1] representing the probability "
                             f"of an element being zeroed, got {dropout}")
        for arg, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name}: {arg} must be a positive integer, got {value!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional = bool(bidirectional)
        dtype = as_dtype(dtype) or get_default_dtype()
        rows, out = self.gates * hidden_size, self.proj_size or hidden_size
        self._all_weights = []  # PyTorch's: the parameter names of each layer and direction, in order
        for layer in range(num_layers):
            width = input_size if layer == 0 else out * self.num_directions
            for suffix in self._suffixes(layer):
                shapes = [("weight_ih", (rows, width)), ("weight_hh", (rows, out))]
                shapes += [("bias_ih", (rows,)), ("bias_hh", (rows,))] if bias else []
                shapes += [("weight_hr", (self.proj_size, hidden_size))] if self.proj_size else []
                for kind, shape in shapes:
                    setattr(self, kind + suffix, Parameter(np.empty(shape, dtype=dtype)))
                self._all_weights.append([kind + suffix for kind, _ in shapes])
        self._flat_weights_names = [name for names in self._all_weights for name in names]
        self.reset_parameters()

    @property
    def all_weights(self):
        """The parameters of each layer and direction: [[weight_ih_l0, weight_hh_l0, bias_ih_l0, ...], ...]."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def num_directions(self):
        return 2 if self.bidirectional else 1

    def _suffixes(self, layer):
        return [f"_l{layer}"] + ([f"_l{layer}_reverse"] if self.bidirectional else [])

    def reset_parameters(self):
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as in PyTorch."""
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def flatten_parameters(self):
        """A no-op: ddp's weights are always in the layout its scans read (PyTorch compacts them for cuDNN)."""

    def _layer_params(self, suffix):
        return [getattr(self, f"{kind}{suffix}", None) for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]

    # ------------------------------------------------------------------------------------- checks
    def _check_input(self, x):
        name = type(self).__name__
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}: input must be a Tensor, got {type(x).__name__}")
        if x.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {x.ndim}D tensor instead")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input.size(-1) must be equal to input_size. "
                               f"Expected {self.input_size}, got {x.shape[-1]}")
        if x.dtype != self.weight_ih_l0.dtype:
            raise ValueError(f"{name}: input must have the type {self.weight_ih_l0.dtype}, got type {x.dtype}")

    def _check_state(self, h, batched, expected, label):
        name = type(self).__name__
        if not isinstance(h, Tensor):
            raise TypeError(f"{name}: {label} must be a Tensor, got {type(h).__name__}")
        want = 3 if batched else 2
        if h.ndim != want:
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise RuntimeError(f"{name}: For {kind} input, {label} should also be {want}-D but got {h.ndim}-D tensor")
        if tuple(h.shape) != expected:
            raise RuntimeError(f"{name}: Expected {label} size {expected}, got {tuple(h.shape)}")
        if h.dtype != self.weight_ih_l0.dtype:
            raise ValueError(f"{name}: {label} must have the type {self.weight_ih_l0.dtype}, got type {h.dtype}")

    def _prepare(self, x, states, labels, time_major=False, sizes=None):
        """Checked input as (L, N, H_in) and initial states as (layers * directions, N, size), zeros if None;
        `sizes` (one per state) defaults to hidden_size."""
        self._check_input(x)
        batched = x.ndim == 3
        if not batched:
            x = CF.unsqueeze(x, 1)
        elif self.batch_first and not time_major:
            x = CF.transpose(x, 0, 1)
        n = x.shape[1]
        out = []
        for h, label, size in zip(states, labels, sizes or [self.hidden_size] * len(states)):
            full = (self.num_layers * self.num_directions, n, size)
            expected = full if batched else (full[0], full[2])
            if h is None:
                h = Tensor(np.zeros(full, dtype=x.dtype))
            else:
                self._check_state(h, batched, expected, label)
                h = h if batched else CF.unsqueeze(h, 1)
            out.append(h)
        return x, out, batched

    def _unpack(self, input):
        """(padded time-major input, lengths) of a PackedSequence; (input, None) otherwise."""
        if isinstance(input, packing.PackedSequence):
            return packing.unpack(input)
        return input, None

    @staticmethod
    def _direction(scan, xw, lengths, reverse):
        """All steps of one direction; with lengths, the reverse one runs within each sequence's length."""
        if lengths is None or not reverse:
            return scan(xw, reverse)
        return packing.flip_within(scan(packing.flip_within(xw, lengths), False), lengths)

    @staticmethod
    def _last(hs, lengths, reverse):
        """The final step of one direction: t = 0 backwards, t = length - 1 (or L - 1) forwards."""
        if reverse:
            return hs[0]
        return hs[-1] if lengths is None else packing.last_steps(hs, lengths)

    def _finish(self, output, batched, like=None):
        if like is not None:  # the input was packed: so is the output
            return packing.repack(output, like)
        if not batched:
            return CF.squeeze(output, 1)
        return CF.transpose(output, 0, 1) if self.batch_first else output

    def _run(self, input, hx, scan):
        """Every layer and direction of a one-state recurrence (RNN, GRU): `scan(xw, h0, w_hh, b_hh, reverse)`
        returns all h_t of one direction, given the input projection xw of the whole sequence."""
        padded, lengths = self._unpack(input)
        x, (h0,), batched = self._prepare(padded, [hx], ["hx"], time_major=lengths is not None)
        finals = []
        for layer in range(self.num_layers):
            outs = []
            for d, suffix in enumerate(self._suffixes(layer)):
                w_ih, w_hh, b_ih, b_hh = self._layer_params(suffix)
                h = h0[layer * self.num_directions + d]
                hs = self._direction(lambda xw, reverse: scan(xw, h, w_hh, b_hh, reverse), CF.linear(x, w_ih, b_ih),
                                     lengths, d == 1)
                outs.append(hs)
                finals.append(self._last(hs, lengths, d == 1))
            x = outs[0] if len(outs) == 1 else CF.cat(outs, dim=2)
            x = self._between_layers(x, layer)
        h_n = CF.stack(finals)
        like = input if lengths is not None else None
        return self._finish(x, batched, like), (h_n if batched else CF.squeeze(h_n, 1))

    def _between_layers(self, x, layer):
        if self.dropout > 0 and self.training and layer < self.num_layers - 1:
            x = F.dropout(x, self.dropout, training=True)
        return x

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        defaults = {"num_layers": 1, "bias": True, "batch_first": False, "dropout": 0.0, "bidirectional": False}
        for key, default in defaults.items():
            if getattr(self, key) != default:
                text += f", {key}={getattr(self, key)}"
        return text


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) per layer (or relu).

    Args:
        input_size, hidden_size: features of x_t and of h_t.
        num_layers: stacked layers; layer k > 0 reads the outputs of layer k - 1.
        nonlinearity: 'tanh' or 'relu'.
        bias: whether to learn bias_ih and bias_hh.
        batch_first: input and output are (N, L, H) instead of (L, N, H); h0 and h_n are not affected.
        dropout: probability of dropout on the outputs of every layer but the last (training only).
        bidirectional: also run every layer backwards in time; outputs of both directions are concatenated.
    Inputs: input (L, N, H_in), (N, L, H_in) or unbatched (L, H_in), or a PackedSequence (each sequence runs
        over its own length); h0 (layers * directions, N, H) or None.
    Returns: (output (L, N, directions * H), or a PackedSequence for a packed input; h_n (layers *
        directions, N, H), for a packed input each sequence's state after its own last step).
    Parameters: weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (suffix _reverse for the backward
        direction), all ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).

    Example:
        >>> rnn = RNN(10, 20, num_layers=2)
        >>> output, h_n = rnn(ddp.randn(5, 3, 10))
        >>> output.shape, h_n.shape
        (ddp.Size([5, 3, 20]), ddp.Size([2, 3, 20]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device, dtype)

    def forward(self, input, hx=None):  # noqa: A002 - PyTorch's name
        relu = self.nonlinearity == "relu"
        return self._run(input, hx, lambda xw, h, w, b, reverse: RNNScan.apply(xw, h, w, b, relu=relu,
                                                                                reverse=reverse))


class LSTM(RNNBase):
    """Long short-term memory, with PyTorch's gate order (input, forget, cell, output):

    i, f, o = sigmoid(...), g = tanh(...), each of x_t W_i*^T + b_i* + h_{t-1} W_h*^T + b_h*;
    c_t = f c_{t-1} + i g; h_t = o tanh(c_t), or with proj_size P > 0, h_t = (o tanh(c_t)) W_hr^T.

    Args: as `RNN` (no nonlinearity); proj_size: 0 (no projection) or the size P < hidden_size of h_t.
    Inputs: input as RNN; hx = (h0, c0), (layers * directions, N, P or H) and (layers * directions, N, H),
        or None for zeros.
    Returns: (output (L, N, directions * (P or H)), (h_n, c_n)), shaped as h0 and c0.
    Parameters: as RNN with 4 * hidden_size rows (gates stacked as i, f, g, o); with proj_size, weight_hh
        has P columns, layers above the first read directions * P features, and weight_hr_l{k} is (P, H).

    Example:
        >>> lstm = LSTM(10, 20, batch_first=True)
        >>> output, (h_n, c_n) = lstm(ddp.randn(3, 5, 10))
        >>> output.shape, c_n.shape
        (ddp.Size([3, 5, 20]), ddp.Size([1, 3, 20]))
    """

    gates = 4

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        if not isinstance(proj_size, int) or isinstance(proj_size, bool) or proj_size < 0:
            raise ValueError(f"LSTM: proj_size should be a positive integer or zero to disable projections, "
                             f"got {proj_size!r}")
        if proj_size >= hidden_size:
            raise ValueError(f"LSTM: proj_size has to be smaller than hidden_size, got proj_size={proj_size} and "
                             f"hidden_size={hidden_size}")
        self.proj_size = proj_size
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device, dtype)

    def forward(self, input, hx=None):  # noqa: A002 - PyTorch's name
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError("LSTM: hx must be a tuple (h0, c0) of Tensors")
        padded, lengths = self._unpack(input)
        hidden = self.proj_size or self.hidden_size  # the size of h_t; c_t has hidden_size
        x, (h0, c0), batched = self._prepare(padded, hx or [None, None], ["hx[0]", "hx[1]"],
                                             time_major=lengths is not None, sizes=[hidden, self.hidden_size])
        h_finals, c_finals = [], []
        for layer in range(self.num_layers):
            outs = []
            for d, suffix in enumerate(self._suffixes(layer)):
                w_ih, w_hh, b_ih, b_hh = self._layer_params(suffix)
                k = layer * self.num_directions + d
                w_hr = getattr(self, "weight_hr" + suffix, None)
                hc = self._direction(lambda xw, reverse: _lstm_scan(xw, h0[k], c0[k], w_hh, b_hh, w_hr, reverse),
                                     CF.linear(x, w_ih, b_ih), lengths, d == 1)
                outs.append(hc[..., :hidden])
                last = self._last(hc, lengths, d == 1)
                h_finals.append(last[:, :hidden])
                c_finals.append(last[:, hidden:])
            x = outs[0] if len(outs) == 1 else CF.cat(outs, dim=2)
            x = self._between_layers(x, layer)
        h_n, c_n = CF.stack(h_finals), CF.stack(c_finals)
        if not batched:
            h_n, c_n = CF.squeeze(h_n, 1), CF.squeeze(c_n, 1)
        return self._finish(x, batched, input if lengths is not None else None), (h_n, c_n)


def _lstm_scan(xw, h0, c0, w_hh, b_hh, w_hr, reverse):
    """All steps of one LSTM layer and direction: h and c side by side, h projected by w_hr when given."""
    return LSTMScan.apply(xw, h0, c0, w_hh, b_hh, w_hr, reverse=reverse)


class GRU(RNNBase):
    """Gated recurrent unit, with PyTorch's gate order (reset, update, new):

    r, z = sigmoid(x_t W_i{r,z}^T + b_i{r,z} + h_{t-1} W_h{r,z}^T + b_h{r,z}),
    n = tanh(x_t W_in^T + b_in + r (h_{t-1} W_hn^T + b_hn)), h_t = (1 - z) n + z h_{t-1}.

    Args: as `RNN` (no nonlinearity).
    Inputs: input as RNN; h0 (layers * directions, N, H) or None for zeros.
    Returns: (output (L, N, directions * H), h_n (layers * directions, N, H)).
    Parameters: as RNN with 3 * hidden_size rows (gates stacked as r, z, n).

    Example:
        >>> gru = GRU(10, 20, num_layers=2, batch_first=True)
        >>> output, h_n = gru(ddp.randn(3, 5, 10))
        >>> output.shape, h_n.shape
        (ddp.Size([3, 5, 20]), ddp.Size([2, 3, 20]))
    """

    gates = 3

    def forward(self, input, hx=None):  # noqa: A002 - PyTorch's name
        return self._run(input, hx, lambda xw, h, w, b, reverse: GRUScan.apply(xw, h, w, b, reverse=reverse))
