"""ddp.nn.functional (`F`): the functional forms of the layers and losses in ddp.nn."""
from ..functional import linear, log_softmax, relu, sigmoid, softmax, tanh  # noqa: F401
# from .functional_conv import *  (conv2d and pooling, added when that file lands)
