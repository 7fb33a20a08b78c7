"""Muon (PyTorch 2.9+'s torch.optim.Muon): momentum SGD for the 2-D weights of hidden layers whose step is the
momentum orthogonalised by a few Newton-Schulz iterations, so every direction of the matrix moves alike."""
import math

import numpy as np

from ..tensor import Tensor
from .checks import check_flags, check_int, check_number
from .optimizer import Optimizer, lerp_

#: Keller Jordan's quintic coefficients (a, b, c), chosen for the largest slope at zero, and 5 steps.
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)
NS_STEPS = 5


class Muon(Optimizer):
    """Muon, with PyTorch's update rule.

    With momentum mu, the buffer follows B = lerp(B, g, 1 - mu) (B starts at 0); the direction is
    lerp(g, B, mu) with `nesterov`, else B; it is orthogonalised by `ns_steps` Newton-Schulz iterations
    X <- a X + (b A + c A^2) X with A = X X^T, from X = direction / max(||direction||_F, eps) (the wide way
    round: a tall matrix is transposed first); then p *= 1 - lr * weight_decay and p -= lr' * X, where lr' is
    lr * sqrt(max(1, rows / cols)) ("original", the default) or lr * 0.2 * sqrt(max(rows, cols))
    ("match_rms_adamw", to reuse AdamW's learning rate).

    PyTorch iterates in bfloat16, ddp in the parameter's dtype (numpy has no bfloat16, and a CPU gains
    nothing from it), so ddp's steps are the same rule computed more precisely: they agree with PyTorch's to
    bfloat16's ~3 digits.

    Muon is for 2-D parameters only: give biases, norms and embeddings to AdamW, as PyTorch's docs advise.

    Args:
        params: parameters or parameter groups (see `Optimizer`), each 2-D.
        lr (float): learning rate (default 1e-3).
        weight_decay (float): decoupled weight decay (default 0.1).
        momentum (float): momentum factor (default 0.95).
        nesterov (bool): Nesterov momentum (default True).
        ns_coefficients (tuple): the iteration's (a, b, c) (default Keller Jordan's).
        eps (float): the smallest norm the direction is divided by (default 1e-7).
        ns_steps (int): Newton-Schulz iterations, < 100 (default 5).
        adjust_lr_fn (str or None): "original" (None) or "match_rms_adamw".

    Raises:
        ValueError: lr, momentum or weight_decay < 0, an unknown adjust_lr_fn, ns_steps >= 100, coefficients
            that are not three, or a parameter that is not 2-D (PyTorch's messages).

    Example:
        >>> hidden = [p for p in model.parameters() if p.ndim == 2]
        >>> opt = ddp.optim.Muon(hidden, lr=0.02, momentum=0.95)
    """

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=NS_COEFFICIENTS, eps=1e-7, ns_steps=NS_STEPS, adjust_lr_fn=None):
        name = "Muon"
        if isinstance(lr, Tensor):
            if lr.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
            lr = lr.item()
        check_number(name, lr=lr, weight_decay=weight_decay, momentum=momentum, eps=eps)
        check_flags(name, nesterov=nesterov)
        check_int(name, ns_steps=ns_steps)
        for ok, message in ((lr >= 0, f"Learning rate should be >= 0 but is: {lr}"),
                            (momentum >= 0, f"momentum should be >= 0 but is: {momentum}"),
                            (weight_decay >= 0, f"weight decay should be >= 0 but is: {weight_decay}"),
                            (adjust_lr_fn in (None, "original", "match_rms_adamw"),
                             f"Adjust learning rate function {adjust_lr_fn} is not supported"),
                            (ns_steps < 100, "Number of steps must be less than 100 for computational efficiency"),
                            (len(ns_coefficients) == 3, "Coefficients must be a tuple of exactly 3 values")):
            if not ok:
                raise ValueError(message)
        check_number(name, **{f"ns_coefficients[{i}]": c for i, c in enumerate(ns_coefficients)})
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=tuple(ns_coefficients), eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)

    def _init_param(self, p, group):
        if p.ndim != 2:  # checked for groups added later too
            raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with size: "
                             f"{tuple(p.shape)}")

    def _update(self, p, grad, group, state):
        if p.dtype.kind == "c":
            raise RuntimeError("Muon does not support complex parameters")
        momentum, lr = group["momentum"], group["lr"]
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = Tensor(np.zeros_like(grad))
        buf = state["momentum_buffer"].numpy()
        lerp_(buf, grad, 1 - momentum, tmp=self._scratch(p, 0))
        if group["nesterov"]:
            direction = self._scratch(p, 1)
            np.copyto(direction, grad)
            lerp_(direction, buf, momentum, tmp=self._scratch(p, 0))
        else:
            direction = buf
        update = orthogonalize(direction, group["ns_coefficients"], group["ns_steps"], group["eps"])
        if group["weight_decay"] != 0:
            p *= 1 - lr * group["weight_decay"]
        update *= -adjusted_lr(lr, group["adjust_lr_fn"], p.shape)
        p += update


def orthogonalize(matrix, coefficients, steps, eps):
    """Newton-Schulz's approximation of U V^T (U S V^T the SVD of `matrix`), as a new array of its dtype.

    The quintic X <- a X + b (X X^T) X + c (X X^T)^2 X pushes every singular value of X (scaled so that
    none exceeds 1) towards 1; Keller Jordan's coefficients stop at values between about 0.7 and 1.2, which
    trains as well as the exact U V^T. Iterated on the wide orientation, where X X^T is the smaller Gram matrix.
    """
    a, b, c = coefficients
    tall = matrix.shape[0] > matrix.shape[1]
    x = matrix.T if tall else matrix
    x = x / max(float(np.linalg.norm(x)), eps)
    for _ in range(steps):
        gram = x @ x.T
        poly = gram @ gram
        poly *= c
        poly += b * gram
        step = poly @ x
        x *= a
        x += step
    return np.ascontiguousarray(x.T) if tall else x


def adjusted_lr(lr, adjust_lr_fn, shape):
    """The learning rate scaled for a (rows, cols) matrix, so that the orthogonal step's RMS is alike for every
    shape: Keller Jordan's sqrt(max(1, rows / cols)), or Moonshot's 0.2 sqrt(max(rows, cols)) (AdamW's RMS)."""
    rows, cols = shape[:2]
    if adjust_lr_fn in (None, "original"):
        return lr * math.sqrt(max(1, rows / cols))
    return lr * 0.2 * math.sqrt(max(rows, cols))
