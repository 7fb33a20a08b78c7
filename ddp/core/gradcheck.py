"""Check a function's analytic gradients (and, by gradgradcheck, its second derivatives) against central
finite differences, in float64."""
import numpy as np

from .autograd import grad as autograd_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised by `gradcheck` when an analytic gradient differs from the numerical one."""


def _outputs(fn, inputs):
    out = fn(*inputs)
    return out if isinstance(out, (tuple, list)) else (out,)


# In float64 a central difference of step 1e-6 is good to ~1e-9 relative on well-conditioned samples
# (truncation ~eps^2 |third derivative| / 6, rounding ~1e-16 |f| / eps), so the comparison can be tight: an
# element passes when |analytic - numerical| <= ATOL + RTOL |numerical|, and a backward off by a relative 1e-4
# fails wherever the gradient exceeds ~1e-3 in magnitude (PyTorch's rtol 1e-3 lets a 0.1% error through).
EPS, ATOL, RTOL = 1e-6, 1e-7, 1e-5


def gradcheck(fn, inputs, eps=EPS, atol=ATOL, rtol=RTOL, raise_exception=True):
    """Compare `fn`'s backward with central differences for every input that requires grad.

    Args:
        fn: takes the Tensors in `inputs` and returns a Tensor (or a tuple of Tensors).
        inputs: a Tensor or tuple of Tensors; those that require grad must be float64.
        eps, atol, rtol: step of the differences and tolerances of the comparison (defaults 1e-6, 1e-7
            and 1e-5: a 1e-4 relative error in a gradient fails, so keep samples off kinks).
    Returns:
        True when every gradient matches.
    Raises:
        GradcheckError naming the input, the worst element and both values; ValueError for float32 inputs.

    Example:
        >>> x = ddp.randn(3, dtype=ddp.float64, requires_grad=True)
        >>> ddp.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
        True
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    for i in wrt:
        if inputs[i].dtype != np.float64:
            raise ValueError(f"gradcheck: input {i} is {inputs[i].dtype}; finite differences need float64")
    outputs = [o for o in _outputs(fn, inputs) if isinstance(o, Tensor) and o.requires_grad]
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(o.shape) for o in outputs]  # a random projection checks every output

    def scalar():
        return sum(float((o._data * w).sum()) for o, w in zip(_outputs(fn, inputs), weights) if isinstance(o, Tensor))

    analytic = autograd_grad(outputs, [inputs[i] for i in wrt], grad_outputs=[Tensor(w) for w in weights],
                             allow_unused=True)
    for i, g in zip(wrt, analytic):
        x = inputs[i]._data
        numeric = np.zeros(x.shape)
        for k in np.ndindex(x.shape):  # x perturbed in place, element by element, whatever its strides
            keep = x[k]
            x[k] = keep + eps
            plus = scalar()
            x[k] = keep - eps
            minus = scalar()
            x[k] = keep
            numeric[k] = (plus - minus) / (2 * eps)
        got = np.zeros(x.shape) if g is None else g._data
        bad = ~(np.abs(got - numeric) <= atol + rtol * np.abs(numeric))  # NaN counts as a mismatch
        if bad.any():
            k = np.unravel_index(np.argmax(np.abs(got - numeric) * bad), x.shape)
            message = (f"gradcheck: gradient of input {i} (shape {x.shape}) differs at {tuple(int(j) for j in k)}: "
                       f"analytic {got[k]!r}, numerical {numeric[k]!r}")
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps=EPS, atol=ATOL, rtol=RTOL, raise_exception=True):
    """Check second derivatives: gradcheck of the function (inputs, v) -> d(sum(v * fn(inputs)))/d(inputs),
    whose gradients come from a backward recorded with create_graph=True.

    Args:
        fn, inputs, eps, atol, rtol, raise_exception: as for `gradcheck`.
        grad_outputs: the vectors v, one per output that requires grad (float64 Tensors); random when None.
            Those that require grad are checked too (the first-order gradient is linear in them).
    Returns:
        True when every second derivative matches.
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(1)
        outputs = [o for o in _outputs(fn, inputs) if isinstance(o, Tensor) and o.requires_grad]
        grad_outputs = tuple(Tensor(rng.standard_normal(o.shape)).requires_grad_() for o in outputs)
    grad_outputs = tuple(grad_outputs) if isinstance(grad_outputs, (tuple, list)) else (grad_outputs,)
    n = len(inputs)

    def first_order(*args):
        xs, vs = args[:n], args[n:]
        outputs = [o for o in _outputs(fn, xs) if isinstance(o, Tensor) and o.requires_grad]
        grads = autograd_grad(outputs, [xs[i] for i in wrt], grad_outputs=list(vs), create_graph=True,
                              allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_order, inputs + grad_outputs, eps, atol, rtol, raise_exception)
