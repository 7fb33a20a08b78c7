"""torch.nn.utils.fusion: fold an eval-mode BatchNorm into the convolution or linear layer before it, so
that inference runs one layer instead of two (y = bn(conv(x)) == fused(x))."""
import copy

import numpy as np

from ..module import Parameter
from ...tensor import Tensor


def _array(t, like, fill):
    return np.full(like.shape, fill, dtype=like.dtype) if t is None else t._data


def _check_eval(first, bn, caller):
    if first.training or bn.training:
        raise AssertionError(f"{caller}: fusion is only valid in eval mode (call .eval() on both modules first)")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError(f"{caller}: the BatchNorm has no running statistics (track_running_stats=False)")


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """The weight and bias of one convolution equal to conv followed by eval-mode BatchNorm:
    w' = w * gamma / sqrt(var + eps) per output channel (dim 0; dim 1 when `transpose`), and
    b' = (b - mean) * gamma / sqrt(var + eps) + beta. A None bias, gamma or beta counts as 0, 1, 0.

    Returns:
        (Parameter, Parameter), requiring grad as conv_w and conv_b do.
    """
    rm = bn_rm._data
    scale = _array(bn_w, rm, 1) / np.sqrt(bn_rv._data + bn_eps)
    shape = [1] * conv_w.ndim
    shape[1 if transpose else 0] = -1
    weight = (conv_w._data * scale.reshape(shape)).astype(conv_w.dtype)
    bias_dtype = conv_w.dtype if conv_b is None else conv_b.dtype
    bias = ((_array(conv_b, rm, 0) - rm) * scale + _array(bn_b, rm, 0)).astype(bias_dtype)
    bias_grad = conv_w.requires_grad if conv_b is None else conv_b.requires_grad
    return Parameter(Tensor(weight), conv_w.requires_grad), Parameter(Tensor(bias), bias_grad)


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """A copy of `conv` (eval mode) whose output equals bn(conv(x)) for the eval-mode BatchNorm `bn`.

    Raises:
        AssertionError: either module is in training mode, or bn has no running statistics.

    Example:
        >>> conv, bn = ddp.nn.Conv2d(3, 8, 3).eval(), ddp.nn.BatchNorm2d(8).eval()
        >>> fused = fuse_conv_bn_eval(conv, bn)
    """
    _check_eval(conv, bn, "fuse_conv_bn_eval")
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                    bn.eps, bn.weight, bn.bias, transpose)
    return fused


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """The weight and bias of one Linear equal to linear followed by eval-mode BatchNorm1d:
    w' = w * (gamma / sqrt(var + eps))[:, None], b' = (b - mean) * gamma / sqrt(var + eps) + beta.

    Returns:
        (Parameter, Parameter), requiring grad as linear_w and linear_b do.
    """
    rm = bn_rm._data
    scale = _array(bn_w, rm, 1) / np.sqrt(bn_rv._data + bn_eps)
    weight = (linear_w._data * scale[:, None]).astype(linear_w.dtype)
    bias = (_array(linear_b, rm, 0) - rm) * scale + _array(bn_b, rm, 0)
    bias = bias.astype(linear_w.dtype if linear_b is None else linear_b.dtype)
    bias_grad = linear_w.requires_grad if linear_b is None else linear_b.requires_grad
    return Parameter(Tensor(weight), linear_w.requires_grad), Parameter(Tensor(bias), bias_grad)


def fuse_linear_bn_eval(linear, bn):
    """A copy of `linear` (eval mode) whose output equals bn(linear(x)) for the eval-mode BatchNorm `bn`.

    Raises:
        AssertionError: either module is in training mode, bn has no running statistics, or
            bn.num_features is neither linear.out_features nor 1.
    """
    _check_eval(linear, bn, "fuse_linear_bn_eval")
    if bn.num_features not in (linear.out_features, 1):
        raise AssertionError(f"fuse_linear_bn_eval: the BatchNorm's num_features ({bn.num_features}) must be the "
                             f"Linear's out_features ({linear.out_features}) or 1")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                      bn.eps, bn.weight, bn.bias)
    return fused
