"""One-step recurrent cells: `RNNCell`, `LSTMCell`, `GRUCell`, with PyTorch's parameter names and init.

A cell is its layer's scan (rnn_ops.py) over a sequence of length one, so the gate arithmetic and its
backward are written once.
"""
import math

import numpy as np

from .. import functional as CF
from ..dtypes import as_dtype, get_default_dtype
from ..tensor import Tensor
from . import init
from .module import Module, Parameter
from .rnn_ops import GRUScan, LSTMScan, RNNScan


class RNNCellBase(Module):
    """What the cells share: weight_ih (G*H, H_in), weight_hh (G*H, H), bias_ih, bias_hh (G*H,), checks."""

    gates = 1

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        for arg, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name}: {arg} must be a positive integer, got {value!r}")
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        dtype = as_dtype(dtype) or get_default_dtype()
        rows = self.gates * hidden_size
        self.weight_ih = Parameter(np.empty((rows, input_size), dtype=dtype))
        self.weight_hh = Parameter(np.empty((rows, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(np.empty((rows,), dtype=dtype))
            self.bias_hh = Parameter(np.empty((rows,), dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as in PyTorch."""
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _prepare(self, x, states, labels):
        """The input as (1, N, H_in) (one step) and each state as (N, H), zeros when None."""
        name = type(self).__name__
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}: input must be a Tensor, got {type(x).__name__}")
        if x.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {x.ndim}D instead")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input has inconsistent input_size: got {x.shape[-1]} expected "
                               f"{self.input_size}")
        batched = x.ndim == 2
        x = x if batched else CF.unsqueeze(x, 0)
        expected = (x.shape[0], self.hidden_size)
        out = []
        for h, label in zip(states, labels):
            if h is None:
                h = Tensor(np.zeros(expected, dtype=x.dtype))
            else:
                if not isinstance(h, Tensor):
                    raise TypeError(f"{name}: {label} must be a Tensor, got {type(h).__name__}")
                h = h if batched or h.ndim != 1 else CF.unsqueeze(h, 0)
                if tuple(h.shape) != expected:
                    raise RuntimeError(f"{name}: Expected {label} of size {expected if batched else expected[1:]}, "
                                       f"got {tuple(h.shape) if batched else tuple(h.shape[1:])}")
            out.append(h)
        return CF.unsqueeze(CF.linear(x, self.weight_ih, self.bias_ih), 0), out, batched

    @staticmethod
    def _finish(h, batched):
        return h if batched else CF.squeeze(h, 0)

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text


class RNNCell(RNNCellBase):
    """One Elman step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu).

    Inputs: input (N, H_in) or unbatched (H_in,); hx (N, H) or (H,), zeros if None. Returns h' like hx.

    Example:
        >>> cell = RNNCell(10, 20)
        >>> cell(ddp.randn(3, 10)).shape
        ddp.Size([3, 20])
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: Unknown nonlinearity: {nonlinearity}. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):  # noqa: A002 - PyTorch's name
        xw, (h,), batched = self._prepare(input, [hx], ["hx"])
        hs = RNNScan.apply(xw, h, self.weight_hh, self.bias_hh, relu=self.nonlinearity == "relu")
        return self._finish(hs[0], batched)


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o as in `LSTM`). hx = (h, c) or None; returns (h', c')."""

    gates = 4

    def forward(self, input, hx=None):  # noqa: A002 - PyTorch's name
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError("LSTMCell: hx must be a tuple (h, c) of Tensors")
        xw, (h, c), batched = self._prepare(input, hx or [None, None], ["hx[0]", "hx[1]"])
        hc = LSTMScan.apply(xw, h, c, self.weight_hh, self.bias_hh)[0]
        hidden = self.hidden_size
        return self._finish(hc[:, :hidden], batched), self._finish(hc[:, hidden:], batched)


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n as in `GRU`). hx (N, H) or None; returns h'."""

    gates = 3

    def forward(self, input, hx=None):  # noqa: A002 - PyTorch's name
        xw, (h,), batched = self._prepare(input, [hx], ["hx"])
        return self._finish(GRUScan.apply(xw, h, self.weight_hh, self.bias_hh)[0], batched)
