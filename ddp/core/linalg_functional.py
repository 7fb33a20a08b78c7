"""The public matrix products (`ddp.matmul`, `x @ w`, `F.linear`): shape checks, then one `Function.apply`
from ops/linalg.py."""
import string

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .autograd import name_node
from .elementwise_functional import add, mul
from .ops import linalg
from .reduce_functional import sum as _sum
from .shape_functional import reshape
from .tensor import Tensor

__all__ = ["matmul", "mm", "bmm", "linear", "addmm", "baddbmm", "addbmm", "outer", "ger", "dot", "mv", "einsum"]


def matmul(a, b):
    """Matrix product with numpy's rules: batched, broadcasting batch dims, 1-D operands as vectors."""
    a, b = _tensor(a), _tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both arguments need to be at least 1D, got shapes {a.shape} and {b.shape}")
    if a.dtype != b.dtype:  # no silent upcast (a float64 input times float32 weights), as PyTorch
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}")
    k_a, k_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        raise RuntimeError(
            f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied ({k_a} != {k_b})"
        )
    if a.ndim > 2 or b.ndim > 2:
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise RuntimeError(
                f"matmul: batch dimensions of {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast"
            ) from None
    return linalg.MatMul.apply(a, b)


def mm(a, b):
    """2-D matrix product."""
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: expected 2-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def bmm(a, b):
    """Batched 3-D matrix product."""
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError(f"bmm: expected 3-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return name_node(matmul(a, b), "BmmBackward0")


def _shape(t):
    """The array's shape tuple, without building a Size (linear checks three per call)."""
    return t._data.shape if isinstance(t, Tensor) else np.shape(t)


def linear(x, weight, bias=None):
    """x @ weight^T + bias, fused (one BLAS product per gradient)."""
    x_shape, w_shape = _shape(x), _shape(weight)
    if x_shape[-1] != w_shape[-1]:
        raise RuntimeError(
            f"linear: input of shape {tuple(x_shape)} does not match weight of shape {tuple(w_shape)} "
            f"({x_shape[-1]} != {w_shape[-1]} input features)"
        )
    if bias is not None and _shape(bias) != (w_shape[0],):
        raise RuntimeError(f"linear: bias of shape {tuple(bias.shape)}, expected ({w_shape[0]},)")
    if x.dtype != weight.dtype:  # no silent upcast (a float64 input to a float32 layer), as PyTorch
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {x.dtype} and {weight.dtype}")
    return linalg.Linear.apply(x, weight, bias)



def _scaled_sum(x, product, beta, alpha):
    """beta * x + alpha * product, skipping the multiplications by 1 (and x itself when beta is 0)."""
    product = product if alpha == 1 else mul(product, alpha)
    if beta == 0:
        return product
    return add(x if beta == 1 else mul(x, beta), product)


def addmm(x, mat1, mat2, beta=1, alpha=1):
    """beta * x + alpha * (mat1 @ mat2), x broadcast to the product's shape."""
    return name_node(_scaled_sum(x, mm(_tensor(mat1), _tensor(mat2)), beta, alpha), "AddmmBackward0")


def baddbmm(x, batch1, batch2, beta=1, alpha=1):
    """beta * x + alpha * bmm(batch1, batch2)."""
    return _scaled_sum(x, bmm(_tensor(batch1), _tensor(batch2)), beta, alpha)


def addbmm(x, batch1, batch2, beta=1, alpha=1):
    """beta * x + alpha * the sum over the batch of batch1[i] @ batch2[i]."""
    product = bmm(_tensor(batch1), _tensor(batch2))
    return _scaled_sum(x, _sum(product, 0), beta, alpha)


def outer(a, b):
    """The outer product a_i b_j of two 1-D tensors."""
    a, b = _tensor(a), _tensor(b)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"outer: expected 1-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return mul(reshape(a, -1, 1), reshape(b, 1, -1))


ger = outer


def dot(a, b):
    """The inner product of two 1-D tensors of the same size."""
    a, b = _tensor(a), _tensor(b)
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise RuntimeError(f"dot: expected two 1-D tensors of the same size, got {tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def mv(a, v):
    """Matrix (2-D) times vector (1-D)."""
    a, v = _tensor(a), _tensor(v)
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"mv: expected a 2-D and a 1-D tensor, got {tuple(a.shape)} and {tuple(v.shape)}")
    return matmul(a, v)


def _spell(term, ndim, ellipsis):
    """term with '...' as the last letters of `ellipsis` that its operand's extra dims need (numpy aligns right)."""
    if "..." not in term:
        return term
    n = ndim - (len(term) - 3)
    return term.replace("...", ellipsis[len(ellipsis) - n:] if n > 0 else "")


def _explicit(equation, operands):
    """The equation with spaces dropped, '...' spelled out in spare letters, and its '->' output made explicit."""
    eq = equation.replace(" ", "")
    inputs, arrow, output = eq.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError(f"einsum(): {len(terms)} operands in the equation {equation!r}, but {len(operands)} given")
    spare = [c for c in string.ascii_letters if c not in eq]
    widest = max((x.ndim - len(t.replace("...", "")) for t, x in zip(terms, operands) if "..." in t), default=0)
    ellipsis = "".join(spare[:widest])
    terms = [_spell(t, x.ndim, ellipsis) for t, x in zip(terms, operands)]
    if arrow:
        output = output.replace("...", ellipsis)
    else:
        counts = {c: "".join(terms).count(c) for c in "".join(terms)}
        output = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ellipsis))
    for t, x in zip(terms, operands):
        if len(t) != x.ndim:
            raise RuntimeError(f"einsum(): the term {t!r} of {equation!r} does not fit an operand of shape {tuple(x.shape)}")
    seen = {}
    for i, (t, x) in enumerate(zip(terms, operands)):
        for c, n in zip(t, x.shape):
            if seen.setdefault(c, n) != n and 1 not in (n, seen[c]):
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which does not broadcast "
                                   f"with previously seen size {seen[c]} (equation {equation!r})")
            seen[c] = max(seen[c], n)
    return ",".join(terms) + "->" + output


def _from_sublists(args):
    """(equation, operands) of einsum's sublist form: operand, sublist, operand, sublist, ..., [output]."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def subscripts(sublist):
        out = []
        for s in sublist:
            if s is Ellipsis:
                out.append("...")
            elif isinstance(s, int) and not isinstance(s, bool) and 0 <= s < len(letters):
                out.append(letters[s])
            else:
                raise ValueError(f"einsum(): subscript in subscript list is not within the valid range [0, 52), "
                                 f"got {s!r}")
        return "".join(out)

    operands, terms = args[0::2], args[1::2]
    output = None
    if len(operands) > len(terms):  # the last argument is the output's sublist
        operands, output = operands[:-1], operands[-1]
    equation = ",".join(subscripts(t) for t in terms)
    if output is not None:
        equation += "->" + subscripts(output)
    return equation, operands


def einsum(equation, *operands):
    """Einstein summation over the operands (numpy's einsum), differentiable in each of them. Also in the
    sublist form, `einsum(a, [0, 1], b, [1, 2], [0, 2])` (an int per subscript, Ellipsis for ...)."""
    if isinstance(equation, Tensor):
        equation, operands = _from_sublists((equation,) + operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    operands = tuple(_tensor(x) for x in operands)
    explicit = _explicit(equation, operands)
    for t, x in zip(explicit.split("->")[0].split(","), operands):
        if x.requires_grad and len(set(t)) != len(t):
            raise NotImplementedError(f"einsum(): the gradient of a repeated subscript ({t!r} in {equation!r}) "
                                      "is not supported by ddp")
    try:
        return linalg.Einsum.apply(*operands, equation=explicit)
    except ValueError as e:  # numpy's message for a malformed equation, as PyTorch's error type
        raise RuntimeError(f"einsum(): {e}") from None
