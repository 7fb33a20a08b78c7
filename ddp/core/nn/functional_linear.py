"""The functional form of nn.Bilinear (`linear` itself lives in ddp.core.linalg_functional)."""
from .. import functional as CF

__all__ = ["bilinear"]


def bilinear(input1, input2, weight, bias=None):
    """y[..., o] = sum_ij x1[..., i] weight[o, i, j] x2[..., j] + bias[o].

    Composed of one matrix product and a product-sum (so its gradients are those of matmul, mul and sum):
    x1 @ weight laid out as (in1, out * in2), then times x2 summed over in2.

    Raises:
        RuntimeError when the inputs' dims or leading sizes differ, or a size does not match the weight's.
    """
    x1, x2, w = CF._tensor(input1), CF._tensor(input2), CF._tensor(weight)
    if x1.ndim != x2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {x1.ndim} and {x2.ndim}")
    for d in range(x1.ndim - 1):
        if x1.shape[d] != x2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got "
                               f"{x1.shape[d]} and {x2.shape[d]}")
    if w.ndim != 3:
        raise RuntimeError(f"bilinear(): expected a weight of 3 dims (out, in1, in2), got shape {tuple(w.shape)}")
    out, in1, in2 = w.shape
    if x1.ndim == 0 or x1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{x1.shape[-1] if x1.ndim else 0} but expected {in1}")
    if x2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {x2.shape[-1]} but expected {in2}")
    if bias is not None:
        bias = CF._tensor(bias)
        if bias.ndim != 1 or bias.shape[0] != out:
            raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                               f"{bias.shape[-1] if bias.ndim else 0} but expected {out}")
    lead = tuple(x1.shape[:-1])
    flat = CF.reshape(CF.permute(w, (1, 0, 2)), in1, out * in2)
    mixed = CF.reshape(CF.matmul(x1, flat), lead + (out, in2))
    y = CF.sum(CF.mul(mixed, CF.unsqueeze(x2, -2)), -1)
    return y if bias is None else CF.add(y, bias)
