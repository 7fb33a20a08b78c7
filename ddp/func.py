"""ddp.func (torch.func): function transforms - grad, grad_and_value, vjp, jacrev, jacfwd, jvp, hessian,
vmap - with functional_call and stack_module_state (for ensembles), with PyTorch's signatures.

They are built on ddp's reverse-mode autograd: the function runs once on stand-ins of its inputs that
require grad, and gradients come from backward passes (a Jacobian takes one per output element; jacfwd and jvp use
the same reverse passes). `vmap` is not vectorised: it calls the function once per index of the mapped
dim and stacks the results, which gives the same values (and gradients) as PyTorch's. Inputs and outputs
may be pytrees: tuples, lists and dicts nesting Tensors.

Transforms compose (grad of grad, hessian = jacfwd of jacrev, jacrev of vmap...), and their results stay
in the caller's graph: each call is a level (func_levels.py) whose function runs on stand-ins of its
inputs, aliases of those that require grad outside; its passes are recorded whenever the outputs reach a
tensor that requires grad outside it (closed-over parameters, such inputs, an enclosing transform's
inputs), so that the result can be differentiated again (physics-informed losses, MAML, gradient
penalties), and a result that reaches none comes back detached, as PyTorch's does.
"""
import numpy as np

from .core import autograd
from .core.autograd_functional import contract, jacobian_blocks, pullback
from .core.func_levels import Level
from .core.func_pytree import flatten, unflatten
from .core.func_vmap import vmap  # noqa: F401  (re-exported: ddp.func.vmap)
from .core.nn.utils.stateless import functional_call as _stateless_call
from .core.tensor import Tensor

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "stack_module_state", "vjp",
           "vmap"]


# ---------------------------------------------------------------------------------- differentiation
def _argnums(argnums, n, name):
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if not nums or not all(isinstance(i, int) for i in nums):
        raise ValueError(f"ddp.func.{name}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")
    for i in nums:
        if not -n <= i < n:
            raise ValueError(f"ddp.func.{name}: argnums={argnums!r} is out of range for {n} positional arguments")
    return tuple(i % n for i in nums)


def _roots(level, flat, name):
    for x in flat:
        if not isinstance(x, Tensor):
            raise TypeError(f"ddp.func.{name}: the arguments to differentiate must be Tensors (or pytrees of "
                            f"them), got a {type(x).__name__}")
    return [level.root(x) for x in flat]


def _trace(level, func, args, kwargs, argnums, has_aux, name):
    """Call func with the arguments at `argnums` replaced by the level's roots. Returns (output, aux as
    the caller gets it, roots per differentiated argument, their specs)."""
    args = list(args)
    leaves, specs = [], []
    for i in argnums:
        flat, spec = flatten(args[i])
        flat = _roots(level, flat, name)
        args[i] = unflatten(flat, spec)
        leaves.append(flat)
        specs.append(spec)
    out = func(*args, **kwargs)
    aux = None
    if has_aux:
        if not (isinstance(out, tuple) and len(out) == 2):
            raise RuntimeError(f"ddp.func.{name}(has_aux=True): the function must return a pair (output, aux), "
                               f"got {type(out).__name__}")
        out, aux = out
    return out, level.finish(aux), leaves, specs


def _gradients(level, outputs, cotangents, leaves, specs, record):
    """One pytree of gradients per differentiated argument (zeros where the outputs do not depend on it);
    `record`: whether the outputs or cotangents reach the caller's graph, so the passes are recorded."""
    flat = [x for group in leaves for x in group]
    grads = pullback(outputs, flat, cotangents, create_graph=record, stop_at_inputs=True)
    grads = iter(Tensor(np.zeros(tuple(x.shape), x.dtype)) if g is None else level.finish(g) if record else g
                 for g, x in zip(grads, flat))
    return [unflatten([next(grads) for _ in group], spec) for group, spec in zip(leaves, specs)]


def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning (gradient, value) of a scalar-valued `func`: the gradient with respect to
    the argument(s) at `argnums` (a tuple of them for a tuple), and func's output (with has_aux, func
    returns (output, aux) and the value is (output, aux)). Results stay in the caller's graph where they
    depend on tensors that require grad outside (closed over or given), as PyTorch's do.

    Example:
        >>> grad_and_value(lambda x: (x ** 2).sum())(ddp.tensor([1.0, 2.0]))
        (tensor([2., 4.]), tensor(5.))
    """
    def wrapper(*args, **kwargs):
        nums = _argnums(argnums, len(args), "grad")
        with Level() as level:
            out, aux, leaves, specs = _trace(level, func, args, kwargs, nums, has_aux, "grad")
            if not isinstance(out, Tensor) or out.ndim != 0:
                shape = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
                raise RuntimeError(f"ddp.func.grad: the function must return a 0-d Tensor (a scalar), got {shape}; "
                                   "use vjp or jacrev for other outputs")
            record = level.reaches_outside([out])
            grads = _gradients(level, [out], [Tensor(np.ones((), out.dtype))], leaves, specs, record)
        grads = tuple(grads) if isinstance(argnums, tuple) else grads[0]
        value = out if record else out.detach()
        return (grads, (value, aux)) if has_aux else (grads, value)

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function returning the gradient of scalar-valued `func` with respect to the argument(s) at
    `argnums` ((gradient, aux) with has_aux). The gradient is differentiable again where it depends on
    tensors that require grad outside (grad of an input that does gives the second derivative).

    Raises (when called): RuntimeError if func does not return a 0-d Tensor.

    Example:
        >>> grad(lambda x: (x ** 3).sum())(ddp.tensor([1.0, 2.0]))
        tensor([ 3., 12.])
    """
    both = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        grads, value = both(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return wrapper


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn[, aux]): vjp_fn(cotangents) returns a tuple with, for each primal, the
    cotangents pulled back through func (v^T J), differentiable where they depend on tensors that
    require grad outside (the cotangents too). vjp_fn may be called many times.

    Example:
        >>> out, vjp_fn = vjp(lambda x: x ** 2, ddp.tensor([1.0, 2.0]))
        >>> vjp_fn(ddp.ones(2))
        (tensor([2., 4.]),)
    """
    with Level() as level:
        out, aux, leaves, specs = _trace(level, func, primals, {}, tuple(range(len(primals))), has_aux, "vjp")
    outputs, out_spec = flatten(out)

    def vjp_fn(cotangents, retain_graph=True):
        cots, cot_spec = flatten(cotangents)
        if cot_spec != out_spec:
            raise RuntimeError("ddp.func.vjp: the cotangents must have the structure of the function's output")
        record = level.reaches_outside(outputs + cots)
        return tuple(_gradients(level, outputs, cots, leaves, specs, record))

    return (level.finish(out), vjp_fn, aux) if has_aux else (level.finish(out), vjp_fn)


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """A function returning the Jacobian of func with respect to the argument(s) at `argnums`: for each
    output tensor (in the output's pytree) a block of shape output.shape + input.shape, arranged as the
    argument (a tuple over arguments for a tuple of argnums), differentiable where it depends on tensors
    that require grad outside. chunk_size is accepted and ignored.

    Example:
        >>> jacrev(lambda x: x ** 2)(ddp.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    def wrapper(*args, **kwargs):
        nums = _argnums(argnums, len(args), "jacrev")
        with Level() as level:
            out, aux, leaves, specs = _trace(level, func, args, kwargs, nums, has_aux, "jacrev")
            outputs, out_spec = flatten(out)
            if not all(isinstance(o, Tensor) for o in outputs):
                raise RuntimeError("ddp.func.jacrev: the function must return Tensors (or pytrees of them)")
            flat = [x for group in leaves for x in group]
            record = level.reaches_outside(outputs)
            blocks = jacobian_blocks(outputs, flat, create_graph=record, stop_at_inputs=True)
        per_output = []
        for o, row in zip(outputs, blocks):
            row = iter(Tensor(np.zeros(tuple(o.shape) + tuple(x.shape), x.dtype)) if b is None
                       else level.finish(b) if record else b for b, x in zip(row, flat))
            trees = [unflatten([next(row) for _ in group], spec) for group, spec in zip(leaves, specs)]
            per_output.append(tuple(trees) if isinstance(argnums, tuple) else trees[0])
        jac = unflatten(per_output, out_spec)
        return (jac, aux) if has_aux else jac

    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian as jacrev gives it (computed the same way here: ddp has no forward mode)."""
    return jacrev(func, argnums, has_aux=has_aux)


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), J @ tangents[, aux]) for tuples `primals` and `tangents` of matching pytrees
    (computed from the full Jacobian, by reverse passes; `strict` is accepted and ignored). The results
    are differentiable where they depend on tensors that require grad outside (the tangents too).

    Example:
        >>> jvp(lambda x: x ** 2, (ddp.tensor([1.0, 2.0]),), (ddp.ones(2),))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
        raise RuntimeError("ddp.func.jvp: primals and tangents must be tuples (func(*primals) is called)")
    flat_t, t_spec = flatten(tangents)
    flat_p, p_spec = flatten(primals)
    if p_spec != t_spec or any(tuple(p.shape) != tuple(t.shape) for p, t in zip(flat_p, flat_t)):
        raise RuntimeError("ddp.func.jvp: tangents must have the structure and shapes of primals")
    with Level() as level:
        out, aux, leaves, _ = _trace(level, func, primals, {}, tuple(range(len(primals))), has_aux, "jvp")
        outputs, out_spec = flatten(out)
        record = level.reaches_outside(outputs + flat_t)
        blocks = jacobian_blocks(outputs, [x for group in leaves for x in group], create_graph=record,
                                 stop_at_inputs=True)
        with autograd.set_grad_enabled(record):
            products = [contract(o, row, flat_t) for o, row in zip(outputs, blocks)]
    tangent_out = level.finish(unflatten(products, out_spec)) if record else unflatten(products, out_spec)
    return (level.finish(out), tangent_out, aux) if has_aux else (level.finish(out), tangent_out)


def hessian(func, argnums=0):
    """The Hessian of `func` with respect to the argument(s) at `argnums`: jacfwd(jacrev(func)), as
    PyTorch defines it (jacrev's passes recorded, then differentiated by jacfwd's).

    Example:
        >>> hessian(lambda x: (x ** 3).sum())(ddp.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """`module(*args, **kwargs)` with parameters and buffers replaced by the given tensors for this call
    (see nn.utils.stateless.functional_call); `parameter_and_buffer_dicts` may be a sequence of dicts,
    which must not share keys."""
    if isinstance(parameter_and_buffer_dicts, dict):
        merged = parameter_and_buffer_dicts
    else:
        merged = {}
        for d in parameter_and_buffer_dicts:
            shared = sorted(set(merged) & set(d))
            if shared:
                raise ValueError(f"ddp.func.functional_call: {shared} appear in more than one of the dicts")
            merged.update(d)
    return _stateless_call(module, merged, args, kwargs, tie_weights=tie_weights, strict=strict)


def stack_module_state(models):
    """The parameters and buffers of several models of one class, each stacked along a new leading dim:
    `(params, buffers)`, two dicts by name, for `vmap(functional_call)` over an ensemble. The stacked
    parameters are new leaves (requiring grad where the models' do); the models are not tied to them.

    Example:
        >>> params, buffers = stack_module_state(models)
        >>> out = vmap(lambda p, b, x: functional_call(base, (p, b), (x,)), in_dims=(0, 0, None))(params, buffers, x)

    Raises:
        RuntimeError: no models, models of different classes or training modes, or a parameter that
        requires grad in some models and not in others.
    """
    from .core.shape_functional import stack  # the Tensor ops import ddp.func's neighbours; keep it light
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({m.training for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    if len({type(m) for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")

    def stacked(named):
        tensors = {}
        for name, _ in named(models[0]):
            tensors[name] = [dict(named(m))[name] for m in models]
        return tensors

    params = {}
    for name, group in stacked(lambda m: m.named_parameters()).items():
        wants = {p.requires_grad for p in group}
        if len(wants) > 1:
            raise RuntimeError(f"stack_module_state: Expected {name} from each model to have the same "
                               ".requires_grad")
        params[name] = stack([p.detach() for p in group]).requires_grad_(wants.pop())
    buffers = {name: stack([b.detach() for b in group]) for name, group in stacked(lambda m: m.named_buffers()).items()}
    return params, buffers
