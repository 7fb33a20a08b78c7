"""`ddp.nn.modules.activation` (torch.nn.modules.activation): the classes of ddp/core/nn/activation.py and
attention.py."""
from ..activation import (  # noqa: F401
    CELU, ELU, GELU, GLU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, Mish,
    PReLU, ReLU, ReLU6, SELU, SiLU, Sigmoid, Softmax, Softmax2d, Softmin, Softplus, Softshrink, Softsign, Tanh,
    Tanhshrink, Threshold,
)
from ..attention import MultiheadAttention  # noqa: F401
