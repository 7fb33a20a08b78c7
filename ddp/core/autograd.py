"""Define-by-run autograd: grad mode, `Function`, and the backward engine.

Every op is a `Function` whose `forward` and `backward` work on numpy arrays. `Function.apply` is the only
code that touches the graph: it unwraps Tensors, decides whether to record, and links the result to its
inputs. The engine walks the recorded graph iteratively, in reverse creation order, reduces broadcast
gradients to each input's shape (`unbroadcast`), and accumulates into leaves.
"""
import contextlib
import functools
import heapq
import itertools
import threading
import types
import weakref

import numpy as np

from . import anomaly as _anomaly
from . import dtypes as _dtypes
from . import fp_errors as _fp_errors
from . import profiler_events as _profiler
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly  # noqa: F401  (ddp.autograd's names)

_views = None  # ddp.core.autograd_views, bound by tensor.py (it imports this module)
_saved_hooks = None  # autograd_saved_hooks.pack, bound there (only its hooks make it needed)

class _ThreadState(threading.local):
    """Per-thread autograd state; the class attribute is each new thread's default (recording on)."""

    grad_enabled = True
    backward_nodes = None  # during a backward: the ids of the nodes it will reach (autograd_nodes.py asks)
    inference = False  # inside inference_mode: new tensors are inference tensors
    saved_hooks = None  # (pack, unpack) of the innermost saved_tensors_hooks (autograd_saved_hooks.py)
    saved_hooks_refused = None  # disable_saved_tensors_hooks' message


_local = _ThreadState()
Tensor = None  # the Tensor class; tensor.py (which imports this module) binds it, avoiding an import cycle
_sequence = itertools.count()

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they have "
    "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
    "if you need to access saved tensors after calling backward."
)


INFERENCE_SAVED_MESSAGE = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode in "
    "computation tracked by autograd. To work around this, you can make a clone to get a normal tensor and use "
    "it in autograd, or use `torch.no_grad()` instead of `torch.inference_mode()`."
)


# ----------------------------------------------------------------------------------------------- grad mode
def is_grad_enabled():
    """Whether ops are being recorded for backward in this thread."""
    return _local.grad_enabled


def _set_grad_enabled(mode):
    _local.grad_enabled = bool(mode)


class _GradMode:
    """Base of the grad-mode switches: a context manager and a decorator."""

    mode = True

    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]):  # used bare: @no_grad, as PyTorch allows
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self):
        self._previous = is_grad_enabled()
        _set_grad_enabled(self.mode)

    def __exit__(self, *exc):
        _set_grad_enabled(self._previous)

    def _fresh(self):
        return type(self)()

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._fresh():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Do not record ops: a context manager and a decorator. Optimizer steps and broadcasts run in it."""

    mode = False


class enable_grad(_GradMode):
    """Record ops again inside a `no_grad` region."""

    mode = True


class inference_mode(_GradMode):
    """PyTorch's inference mode: `no_grad`, and the tensors made inside are inference tensors, which may not
    be saved for backward, written in place or made to require grad outside it (`is_inference()`). A
    context manager and a decorator, bare (`@inference_mode`) or called; `inference_mode(False)` leaves
    inference mode inside it and records there."""

    def __init__(self, mode=True):
        self.enabled = bool(mode)

    def __enter__(self):
        self._previous, self._previous_inference = is_grad_enabled(), _local.inference
        _local.inference = self.enabled
        _set_grad_enabled(not self.enabled)  # inference_mode(False) records again, as PyTorch's

    def __exit__(self, *exc):
        _set_grad_enabled(self._previous)
        _local.inference = self._previous_inference

    def _fresh(self):
        return inference_mode(self.enabled)


class set_grad_enabled(_GradMode):
    """Switch recording on or off: as a call, a context manager (restores on exit) or a decorator."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._previous = is_grad_enabled()
        _set_grad_enabled(self.mode)

    def __enter__(self):
        pass

    def _fresh(self):
        return _GradSwitch(self.mode)

    def __call__(self, fn):
        _set_grad_enabled(self._previous)  # decorating does not switch the mode
        return super().__call__(fn)


class _GradSwitch(_GradMode):
    def __init__(self, mode):
        self.mode = mode


# ------------------------------------------------------------------------------------------------- hooks
class RemovableHandle:
    """Returned by `register_hook`; `remove()` unregisters the hook."""

    _ids = itertools.count()

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = next(self._ids)

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def add_hook(hooks, fn):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return handle


# -------------------------------------------------------------------------------------------- Function
class Context:
    """State of one op call, and its node in the graph (what `Tensor.grad_fn` returns).

    `save_for_backward(*arrays)` keeps what backward reads; `needs_input_grad[i]` says whether input i needs
    a gradient, so backward can skip work.
    """

    # Defaults live on the class, so that making a Context (once per op call) sets nothing; `apply` and
    # `register_hook` give an instance its own values where they differ.
    needs_input_grad = ()
    saved_tensors = ()
    parents = ()
    edges = ()  # the node each parent's gradient goes to, fixed when recorded
    hooks = types.MappingProxyType({})  # read-only; Tensor.register_hook gives the node its own dict
    fn = None
    seq = 0
    _out_shape = ()  # the output's shape when recorded: what the gradient sent to this node must have
    _saved_versions = ()
    _node_name = None  # PyTorch's name for this node where the public call knows it (see `name_node`)
    _freed = False
    _grad_buffers = None

    def save_for_backward(self, *arrays):
        self.saved_tensors = arrays

    # PyTorch's ctx calls for custom Functions (autograd_function)
    def mark_dirty(self, *tensors):
        """Say that forward modified these inputs in place (the caller gets them back, with a new grad_fn)."""
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors):
        """Say that these outputs get no gradient (indices, masks); backward receives zeros for them."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value):
        """Accepted for PyTorch's API; ddp always hands backward zeros, never None, for unused outputs."""
        self.materialize_grads = bool(value)

    def grad_buffer(self, i):
        """An array that backward may fill with input i's gradient and return, saving a copy; or None.

        Offered only to ops that set ``fills_grad_buffers`` and only where the gradient becomes a leaf's
        `.grad` whole: the leaf has a `_grad_buffer` (DistributedDataParallel's bucket views), no `.grad`
        yet, no hooks, and this op is its only consumer. Pass it as ``out=`` (numpy accepts None).
        """
        return self._grad_buffers[i] if self._grad_buffers is not None else None

    def operand(self, i, saved):
        """Forward input i for a `differentiable_backward`: the recorded Tensor where it requires grad, so that
        the gradient's own graph reaches back through it, else `saved` as a constant (an array as a Tensor, a
        Python scalar as it is, so that it keeps its weak dtype)."""
        parent = self.parents[i] if i < len(self.parents) else None
        if parent is not None:
            return parent
        return Tensor(saved) if isinstance(saved, np.ndarray) else saved

    def name(self):
        """PyTorch's node name: "MulBackward0" for a built-in op (PyTorch numbers its generated nodes), a custom
        Function's own name plus "Backward" ("ProbeBackward"). Where PyTorch's name differs from the op's
        (ddp's Linear is PyTorch's Addmm, its Index a Select or Slice), the op's `node_name` (a name, or a
        function of the node) or the name the public call gave the node (`name_node`) says it."""
        if self._node_name is not None:
            return self._node_name
        fn = self.fn
        if fn is None:
            return "Backward"
        given = getattr(fn, "node_name", None)
        if given is not None:
            return given if isinstance(given, str) else given(self)
        return fn.__name__ + ("Backward0" if fn.__module__.startswith("ddp.core.ops.") else "Backward")

    @property
    def next_functions(self):
        """PyTorch's view of the graph: a `(node, 0)` pair per forward input, the node being the input's
        grad_fn, the `AccumulateGrad` of a leaf that requires grad, or None."""
        return tuple((None if e is None else e if isinstance(e, Context) else AccumulateGrad.of(e), 0)
                     for e in self.edges)

    # PyTorch's Node hooks (torch.autograd.graph.Node): on the node itself, not on a tensor
    node_pre_hooks = node_post_hooks = types.MappingProxyType({})  # read-only; registering gives own dicts

    def register_prehook(self, fn):
        """Call `fn(grad_outputs)` before this node's backward runs (after the tensor hooks of its output); a
        returned tuple replaces grad_outputs."""
        if "node_pre_hooks" not in vars(self):
            self.node_pre_hooks = {}
        return add_hook(self.node_pre_hooks, fn)

    def register_hook(self, fn):
        """Call `fn(grad_inputs, grad_outputs)` after this node's backward, grad_inputs holding one gradient per
        forward input (None where none), each of its input's shape; a returned tuple replaces grad_inputs."""
        if "node_post_hooks" not in vars(self):
            self.node_post_hooks = {}
        return add_hook(self.node_post_hooks, fn)

    @property
    def metadata(self):
        """A dict for the caller's own notes about this node (PyTorch's Node.metadata)."""
        if "_metadata" not in vars(self):
            self._metadata = {}
        return self._metadata

    def __repr__(self):  # PyTorch's: print(y.grad_fn) shows <MulBackward0 object at 0x...>
        return f"<{self.name()} object at {id(self):#x}>"

    def _release(self):
        """Free saved arrays after backward; a second backward then fails if anything was saved."""
        self._freed = bool(self.saved_tensors) or self._freed
        self.saved_tensors = None


class AccumulateGrad:
    """The node that accumulates a leaf's gradient into `variable.grad`, as `next_functions` shows it: one per
    leaf (`AccumulateGrad.of`), so that hooks registered on it stay (Horovod's and Apex's way to learn that a
    parameter's gradient is ready). It refers to its leaf weakly: the leaf keeps it, not the other way round."""

    next_functions = ()
    node_pre_hooks = node_post_hooks = types.MappingProxyType({})
    register_prehook, register_hook, metadata = Context.register_prehook, Context.register_hook, Context.metadata

    def __init__(self, variable):
        self._variable = weakref.ref(variable)

    @staticmethod
    def of(leaf):
        """The leaf's accumulator, made on first use."""
        acc = leaf._accumulator
        if acc is None:
            acc = leaf._accumulator = AccumulateGrad(leaf)
        return acc

    @property
    def variable(self):
        return self._variable()

    def name(self):
        return "AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


class Function:
    """Base of every differentiable op. Subclass with static `forward(ctx, *args)` and `backward(ctx, grad)`.

    Outside the ddp package a subclass is PyTorch's custom Function: forward and backward see Tensors (see
    autograd_function). ddp's own ops work on numpy arrays instead: `forward` receives each Tensor argument
    as its array (other arguments as they are) and returns an array; `backward` receives the gradient of the
    output and returns one gradient (array or None) per positional argument of `forward`; an optional
    `differentiable_backward` does the same in Tensor ops, for create_graph=True (autograd_graph). Gradients
    may keep a broadcast shape: the engine sums them back to each input's shape. Backward must not modify
    its `grad` argument.

    Ops whose backward writes weight gradients with ``out=ctx.grad_buffer(i)`` set
    ``fills_grad_buffers = True``.

    Example:
        >>> class Cube(Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x ** 3
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (x,) = ctx.saved_tensors
        ...         return 3 * x ** 2 * grad
        >>> y = Cube.apply(ddp.tensor([2.0], requires_grad=True))
    """

    #: Results of float32 (or integer) inputs stay float32 even where numpy would make float64 (Python
    #: scalars, int64 operands). Only an explicit cast turns this off.
    float32_results = True

    fills_grad_buffers = False

    #: Whether backward is right for complex values (PyTorch's convention, ops/complex_views.py): linear ops
    #: and products are; an op without it refuses a complex input that requires grad, or a complex result.
    complex_grad = False

    #: Whether forward and backward see Tensors (PyTorch's custom Functions, see autograd_function) rather
    #: than arrays: true for a Function subclassed outside the ddp package, inherited by its subclasses.
    on_tensors = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if Function in cls.__bases__ and "on_tensors" not in vars(cls):
            cls.on_tensors = not cls.__module__.startswith("ddp.")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        # The hot path of every op: one pass over the arguments, plain loops and locals, since its Python
        # cost is paid per call.
        if cls.on_tensors:
            if _profiler.recorder is not None:
                return _profiler.recorder.call(cls.__name__, args, autograd_function.apply, cls, args, kwargs)
            return autograd_function.apply(cls, args, kwargs)
        arrays, parents, edges, tensors = [], [], [], []
        record = False
        for a in args:
            if isinstance(a, Tensor):
                if a._view_of is not None and a._view_version != a._version_cell[0] and _local.grad_enabled:
                    _views.refresh(a)  # its root was written in place since: read it from the root's new graph
                arrays.append(a._data)
                tensors.append(a)
                if a._requires_grad:
                    if a._data.dtype.kind == "c" and not cls.complex_grad and _local.grad_enabled:
                        _refuse_complex(cls)
                    parents.append(a)
                    # the node its gradient goes to, fixed now: a later in-place op moves a tensor's grad_fn
                    node = a._grad_fn
                    edges.append(a if node is None else node)
                    record = True
                    continue
            else:
                arrays.append(a)
            parents.append(None)
            edges.append(None)
        ctx = Context()
        if record and _local.grad_enabled:
            ctx.needs_input_grad = tuple([e is not None for e in edges])
        else:
            record = False
            ctx.needs_input_grad = (False,) * len(args)
        quiet = _fp_errors.silence()  # log(0) is -inf without numpy's warning, as in PyTorch
        try:
            if _profiler.recorder is None:
                out = cls.forward(ctx, *arrays, **kwargs)
            else:
                out = _profiler.recorder.call(cls.__name__, arrays, cls.forward, ctx, *arrays, **kwargs)
        finally:
            _fp_errors.restore(quiet)
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        if (out.dtype is _FLOAT64 or out.dtype is _COMPLEX128) and cls.float32_results:
            out = _single(out, arrays)
        result = Tensor(out)
        base = out.base
        if base is not None:  # a view (reshape, x[i], ...): writes through it or its base bump one version
            for t in tensors:
                data = t._data
                if base is data or np.may_share_memory(out, data):  # identity: a view of an owning input
                    result._version_cell = t._version_cell
                    if _local.inference or t._inference:  # a view is an inference tensor if its base is
                        result._inference = t._inference
                    if len(args) == 1 and _local.grad_enabled:  # how to read it from its root, for in-place ops
                        root, steps = t._view_of or (t, ())
                        result._view_of, result._view_version = (root, steps + ((cls, kwargs),)), t._version_cell[0]
                    break
        if record and out.dtype.kind == "c" and not cls.complex_grad:
            _refuse_complex(cls)
        if record and out.dtype.kind in "fc":  # integer and bool results never require grad
            ctx.fn = cls
            ctx.seq = next(_sequence)
            ctx._out_shape = out.shape
            ctx.parents = tuple(parents)
            ctx.edges = tuple(edges)
            if ctx.saved_tensors:
                tensors.append(result)
                ctx._saved_versions = _versions_of_saved(ctx.saved_tensors, tensors)
                if _local.saved_hooks is not None:
                    _saved_hooks(ctx, tensors)
            result._requires_grad = True
            result._grad_fn = ctx
            if _anomaly.enabled:
                ctx.forward_stack = _anomaly.call_site()
        return result


_FLOAT64, _COMPLEX128 = np.dtype(np.float64), np.dtype(np.complex128)


def _refuse_complex(cls):
    raise NotImplementedError(
        f"{cls.__name__}: ddp's autograd differentiates complex tensors only through view_as_complex, "
        "view_as_real, polar, the FFTs, abs, exp, products (matmul, einsum), division, casts, sums, means, shapes, "
        "indexing and slice assignment; this op would get a wrong gradient. "
        "Compute it on real and imaginary parts (view_as_real), or under no_grad")


def sequence_mark():
    """A number below the `seq` of every node recorded from now on: the nodes of a call made after it are
    the ones with a larger `seq` (activation checkpointing finds a segment's graph this way)."""
    return next(_sequence)


def _single(out, arrays):
    """A float64 (complex128) result in single precision unless double is due: no silent upcast, Python
    scalars and int64 never make float64 (a float32 tensor times 1j is complex64). Double is due when an
    input is double, or when no input is floating and the default dtype is float64 (`arange(3) * 0.5`)."""
    if _any_float64(arrays):
        return out
    if _dtypes._default[0] == _FLOAT64 and not any(isinstance(a, np.ndarray) and a.dtype.kind in "fc"
                                                  for a in arrays):
        return out
    return out.astype(np.float32 if out.dtype is _FLOAT64 else np.complex64)


def _any_float64(arrays):
    """Whether an input has double precision (float64, or complex128 whose parts are float64)."""
    for a in arrays:
        if isinstance(a, np.ndarray) and (a.dtype == np.float64 or a.dtype == np.complex128):
            return True
    return False


def name_node(result, name):
    """Give `result`'s node PyTorch's name for the call that made it (`x.t()` is a TBackward0, `mse_loss` a
    MseLossBackward0, though ddp records a Permute and a Mean); returns `result`."""
    node = getattr(result, "_grad_fn", None)
    if node is not None:
        node._node_name = name
    return result


def _versions_of_saved(saved, tensors):
    """(version cell, version now, shape) for every tensor (inputs, output) whose very array backward reads,
    or a view of it, or the array it is a view of (a reduction keeps its keepdims result and returns it
    squeezed: writing the result changes what backward reads).

    It keeps the cell, not the tensor: a node that held its own output would make a reference cycle, and
    every activation of the graph would then wait for Python's cyclic collector instead of being freed
    (and its memory reused, still in cache) as soon as backward is done with it."""
    owners = []
    for t in tensors:
        data = t._data
        base = data.base
        for s in saved:
            if s is data or (base is not None and base is s) or (getattr(s, "base", None) is data):
                if t._inference:
                    raise RuntimeError(INFERENCE_SAVED_MESSAGE)
                owners.append((t._version_cell, t._version_cell[0], data.shape))
                break
    return tuple(owners)


def _check_saved_versions(node):
    for cell, version, shape in node._saved_versions:
        if cell[0] != version:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: a tensor of shape {tuple(shape)} saved by {node.name()} is at version "
                f"{cell[0]}; expected version {version} instead."
            )


# ---------------------------------------------------------------------------------------------- engine
def unbroadcast(grad, shape):
    """Sum `grad` over the axes that broadcasting added or stretched, so that it has `shape`."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra < 0 or any(s != 1 and s != g for s, g in zip(shape, grad.shape[extra:])):
        raise RuntimeError(f"gradient of shape {grad.shape} cannot be reduced to shape {shape}")
    stretched = tuple(extra + i for i, s in enumerate(shape) if s == 1 and grad.shape[extra + i] != 1)
    reduced = grad.sum(axis=tuple(range(extra)) + stretched, keepdims=True)
    return reduced.reshape(shape)


def _node_of(t):
    """The graph node that receives `t`'s gradient: its grad_fn, or the leaf itself."""
    return t._grad_fn if t._grad_fn is not None else t


def _dependencies(roots, stops=()):
    """Count, for every node reachable from `roots`, how many recorded consumers will send it a gradient;
    and say whether any leaf reached has a `_grad_buffer` (else no op need be offered one). The walk does not
    go past the nodes whose ids are in `stops`."""
    deps = {id(r): 0 for r in roots}
    stack = [r for r in roots if isinstance(r, Context)]
    seen = {id(r) for r in stack}
    buffered = False
    while stack:
        node = stack.pop()
        for child in node.edges:
            if child is None:
                continue
            key = id(child)
            deps[key] = deps.get(key, 0) + 1
            if isinstance(child, Context):
                if key not in seen and key not in stops:
                    seen.add(key)
                    stack.append(child)
            elif child._grad_buffer is not None:
                buffered = True
    return deps, buffered


def _grad_buffers(node, deps, pending):
    """For each input of `node`: the leaf's `_grad_buffer` where backward may write its gradient, or None."""
    return tuple(
        leaf._grad_buffer
        if (leaf is not None and not isinstance(leaf, Context) and leaf._grad_buffer is not None
            and leaf.grad is None and leaf._requires_grad and not leaf._hooks
            and deps[id(leaf)] == 1 and id(leaf) not in pending)
        else None
        for leaf in node.edges)


def _as_array(t):
    return t._data if isinstance(t, Tensor) else np.asarray(t)


def node_pre_hooks(node, g, to_hook=None, native=_as_array):
    """Run a node's pre-hooks on its grad_outputs, (g,); a returned tuple replaces them. `to_hook` makes the
    Tensor a hook sees from the engine's gradient and `native` turns one back (arrays here; the recorded
    backward of autograd_graph passes Tensors through both)."""
    to_hook = to_hook or Tensor
    for hook in list(node.node_pre_hooks.values()):
        new = hook((to_hook(g),))
        if new is not None:
            if not isinstance(new, tuple) or len(new) != 1:
                raise RuntimeError(f"{node.name()} pre-hook must return None or a tuple of 1 gradient, got {new!r}")
            g = native(new[0])
    return g


def node_post_hooks(node, grads_in, g, to_hook=None, native=_as_array, reduce=None):
    """Run a node's post-hooks on (grad_inputs, grad_outputs), each gradient summed (`reduce`) to its input's
    shape; a returned tuple replaces grad_inputs. Converters as in node_pre_hooks."""
    to_hook, reduce = to_hook or Tensor, reduce or unbroadcast
    shaped = []
    for p, child, gp in zip(node.parents, node.edges, grads_in):
        if p is None or gp is None:
            shaped.append(None)
            continue
        gp = native(gp)
        shape = child._out_shape if type(child) is Context else p._data.shape
        shaped.append(to_hook(gp if tuple(gp.shape) == tuple(shape) else reduce(gp, shape)))
    grads_in = tuple(shaped)
    for hook in list(node.node_post_hooks.values()):
        new = hook(grads_in, (to_hook(g),))
        if new is not None:
            if not isinstance(new, tuple) or len(new) != len(grads_in):
                raise RuntimeError(f"{node.name()} hook must return None or a tuple of {len(grads_in)} gradients "
                                   f"(one per input), got {new!r}")
            grads_in = new
    return tuple(None if t is None else native(t) for t in grads_in)


def accumulator_post_hooks(acc, g, to_hook=None):
    """Run a leaf's AccumulateGrad post-hooks, after its .grad took g: (grad_inputs (), grad_outputs (g,))."""
    to_hook = to_hook or Tensor
    for hook in list(acc.node_post_hooks.values()):
        hook((), (to_hook(g),))


def run_backward(outputs, grads, retain_graph=False, capture=None):
    """Propagate `grads` (arrays) from `outputs` (Tensors) to the leaves.

    Without `capture`, gradients accumulate into the `.grad` of leaves that require grad, firing their hooks.
    With `capture` (a list of Tensors), nothing is accumulated; the total gradient reaching each captured
    tensor is returned as a list (None where none arrived).
    """
    roots, pending = [], {}
    for t, g in zip(outputs, grads):
        node = _node_of(t)
        if id(node) not in pending:
            roots.append(node)
            pending[id(node)] = g
        else:
            pending[id(node)] = pending[id(node)] + g
    deps, buffered = _dependencies(roots)
    with reaching(roots, deps, capture), _fp_errors.silenced():
        return _propagate(roots, pending, deps, buffered, grads, retain_graph, capture)


class _Reached:
    """The nodes that the running backward reaches (`x in reached` takes a node's id), which
    register_multi_grad_hook waits for: all the walk visits or, when gradients are captured (autograd.grad,
    backward(inputs=)), only those on a path to a captured tensor, found on the first question."""

    def __init__(self, roots, deps, capture):
        self.roots, self.deps, self.needed = roots, deps, None
        self.capture = None if capture is None else {id(_node_of(t)) for t in capture}

    def __contains__(self, key):
        if self.capture is None:
            return key in self.deps
        if self.needed is None:
            self.needed = self._leading_to_capture()
        return key in self.needed

    def _leading_to_capture(self):
        needed, done, stack = set(), set(), [(r, False) for r in self.roots]
        while stack:  # depth first, a node decided after its inputs
            node, expanded = stack.pop()
            key = id(node)
            if key in done:
                continue
            children = [c for c in getattr(node, "edges", ()) if c is not None]
            if not expanded:
                stack.append((node, True))
                stack.extend((c, False) for c in children if id(c) not in done)
                continue
            done.add(key)
            if key in self.capture or any(id(c) in needed for c in children):
                needed.add(key)
        return needed


@contextlib.contextmanager
def reaching(roots, deps, capture):
    """The scope of one backward, for the hooks that ask which nodes it reaches (`_local.backward_nodes`)."""
    outer, _local.backward_nodes = _local.backward_nodes, _Reached(roots, deps, capture)
    try:
        yield
    finally:
        _local.backward_nodes = outer


def _propagate(roots, pending, deps, buffered, grads, retain_graph, capture):
    """run_backward's walk: nodes in reverse recording order, each once its consumers have all sent theirs."""
    buffered = buffered and capture is None
    captured = {} if capture is None else {id(_node_of(t)): None for t in capture}
    handed_out = {id(g) for g in grads}  # arrays a leaf's .grad must not take over: the caller's, or given already

    def finish_leaf(leaf, g):
        if capture is not None and id(leaf) not in captured:
            return  # a leaf that autograd.grad does not ask for: as in PyTorch, its hooks do not run
        for hook in list(leaf._hooks.values()) if leaf._hooks else ():
            new = hook(Tensor(g))
            if new is not None:
                g = new._data
        if capture is not None:
            captured[id(leaf)] = g
            return
        if not leaf._requires_grad:
            return
        acc = leaf._accumulator
        if acc is not None and acc.node_pre_hooks:
            g = node_pre_hooks(acc, g)
        dtype = leaf._data.dtype
        if g.dtype is not dtype and g.dtype != dtype:
            g = g.astype(dtype)
        if leaf.grad is None and g is leaf._grad_buffer:  # backward wrote it in place (Context.grad_buffer)
            leaf.grad = Tensor(g)
        elif leaf.grad is None:
            flags = g.flags
            owned = flags.owndata and flags.writeable and id(g) not in handed_out
            g = g if owned else g.copy()
            handed_out.add(id(g))
            leaf.grad = Tensor(g)
        else:
            np.add(leaf.grad._data, g, out=leaf.grad._data)
        for hook in list(leaf._post_accumulate_hooks.values()) if leaf._post_accumulate_hooks else ():
            hook(leaf)
        if acc is not None and acc.node_post_hooks:
            accumulator_post_hooks(acc, g)

    ready = []
    for node in roots:
        if deps[id(node)] == 0:
            if isinstance(node, Context):
                heapq.heappush(ready, (-node.seq, id(node), node))
            else:
                finish_leaf(node, pending.pop(id(node)))
    anomaly, recorder = _anomaly.enabled, _profiler.recorder
    while ready:  # the loop runs once per recorded op: its Python cost is the engine's overhead
        _, key, node = heapq.heappop(ready)
        g = pending.pop(key, None)
        parents = node.parents
        if g is None:
            grads_in = (None,) * len(parents)
        else:
            if node.hooks:
                for hook in list(node.hooks.values()):
                    new = hook(Tensor(g))
                    if new is not None:
                        g = new._data
            if key in captured:
                captured[key] = g
            if node.node_pre_hooks:
                g = node_pre_hooks(node, g)
            if node._freed:
                raise RuntimeError(FREED_MESSAGE)
            for cell, version, _ in node._saved_versions:
                if cell[0] != version:
                    _check_saved_versions(node)  # raises, naming the tensor
            fn = node.fn
            step = fn.backward if not anomaly else _anomaly.run_backward
            fills = buffered and fn.fills_grad_buffers
            if fills:
                node._grad_buffers = _grad_buffers(node, deps, pending)
            if recorder is None:
                grads_in = step(node, g)
            else:
                grads_in = recorder.call(fn.__name__ + "Backward", (g,), step, node, g)
            if fills:
                node._grad_buffers = None
            if type(grads_in) is not tuple:
                grads_in = (grads_in,)
            if len(grads_in) != len(parents):
                raise RuntimeError(
                    f"{fn.__name__}.backward returned {len(grads_in)} gradients, "
                    f"expected {len(parents)} (one per forward argument)"
                )
            if anomaly:
                _anomaly.check_gradients(node, grads_in)
            if node.node_post_hooks:
                grads_in = node_post_hooks(node, grads_in, g)
            if not retain_graph:
                node._release()
        for p, child, gp in zip(parents, node.edges, grads_in):
            if p is None:
                continue
            ckey = id(child)
            if gp is not None:
                if type(gp) is not np.ndarray:
                    gp = np.asarray(gp)
                data = p._data
                # the node's recorded shape, not the tensor's: an in-place view (squeeze_, t_) reshapes a
                # tensor after ops that read it were recorded, and their gradients keep the old shape
                shape = child._out_shape if type(child) is Context else data.shape
                if gp.shape != shape:
                    gp = unbroadcast(gp, shape)
                if gp.dtype is not data.dtype and gp.dtype != data.dtype and data.dtype.kind == "f":
                    gp = (gp.real if gp.dtype.kind == "c" else gp).astype(data.dtype)  # a real input's part
                pending[ckey] = gp if ckey not in pending else pending[ckey] + gp
            deps[ckey] -= 1
            if deps[ckey] == 0:
                if isinstance(child, Context):
                    heapq.heappush(ready, (-child.seq, ckey, child))
                elif ckey in pending:
                    finish_leaf(child, pending.pop(ckey))
    if capture is not None:
        return [captured[id(_node_of(t))] for t in capture]
    return None


def _as_grad_list(outputs, grad_outputs, keep_tensors=False):
    """The gradient of each output, as arrays (or as the caller's Tensors, when `keep_tensors`: a recorded
    backward differentiates through them too)."""
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            data = out._data
            if data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = np.ones(data.shape, dtype=data.dtype)
        else:
            g = (g if keep_tensors else g._data) if isinstance(g, Tensor) else np.asarray(g, dtype=out.dtype)
            if g.shape != out.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} and output[{i}] "
                    f"has a shape of {tuple(out.shape)}."
                )
        grads.append(g)
    return grads


def _as_tuple(x):
    """A Tensor (or other single value) as a 1-tuple; any iterable of them (a list, a generator,
    dict.values()) as a tuple, as PyTorch takes them."""
    return (x,) if isinstance(x, Tensor) or not hasattr(x, "__iter__") else tuple(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulate the gradients of `tensors` into the `.grad` of every leaf that requires grad, or only into
    those of `inputs` when given. With `create_graph`, the gradients are recorded (see autograd_graph) and
    `retain_graph` defaults to True."""
    tensors = _as_tuple(tensors)
    grad_tensors = grad_variables if grad_tensors is None else grad_tensors
    grad_tensors = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    retain = create_graph if retain_graph is None else bool(retain_graph)
    grads = _as_grad_list(tensors, grad_tensors, keep_tensors=create_graph)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("backward: 'inputs' argument to backward() cannot be empty.")
        found = _captured(tensors, grads, inputs, retain, create_graph)
        for t, g in zip(inputs, found):
            if g is not None:
                _accumulate(t, g, create_graph)
        return
    if create_graph:
        autograd_graph.run_backward_graph(tensors, grads, retain_graph=retain)
    else:
        run_backward(tensors, grads, retain_graph=retain)


def _captured(outputs, grads, inputs, retain_graph, create_graph):
    """The gradient reaching each of `inputs` (None where none does), by either engine."""
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    if create_graph:
        return autograd_graph.run_backward_graph(outputs, grads, retain_graph, capture=list(inputs))
    return run_backward(outputs, grads, retain_graph, capture=list(inputs))


def _accumulate(t, g, create_graph):
    """backward(inputs=...): add a captured gradient into `t.grad` (leaf or not), as the engine would."""
    if create_graph:
        g = g if g.dtype == t.dtype else g.to(t.dtype)
        t.grad = g.clone() if t.grad is None else t.grad + g
        return
    g = np.asarray(g, dtype=t._data.dtype)
    if t.grad is None:
        t.grad = Tensor(g.copy())
    else:
        np.add(t.grad._data, g, out=t.grad._data)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return the gradients of `outputs` with respect to `inputs`, without touching any `.grad`.

    Args:
        outputs: a Tensor or sequence of Tensors to differentiate.
        inputs: the Tensors (leaves or not) to differentiate with respect to.
        grad_outputs: the gradient of each output (None for a scalar output means 1).
        retain_graph: keep saved arrays for another backward (default: `create_graph`).
        create_graph: record the gradients' own graph, so that they can be differentiated again.
        allow_unused: return None for an input the outputs do not depend on, instead of raising.
        materialize_grads: return zeros instead of None for such an input.
    Returns:
        a tuple with one gradient Tensor (or None) per input.
    """
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused)
    retain = create_graph if retain_graph is None else bool(retain_graph)
    grads = _as_grad_list(outputs, grad_outputs, keep_tensors=create_graph)
    found = _captured(outputs, grads, inputs, retain, create_graph)
    if not allow_unused and not materialize_grads and any(g is None for g in found):
        raise RuntimeError(
            "One of the differentiated Tensors appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior."
        )
    if materialize_grads:
        found = [Tensor(np.zeros(t.shape, dtype=t._data.dtype)) if g is None else g for g, t in zip(found, inputs)]
    if create_graph:
        return tuple(None if g is None else g if g.dtype == t.dtype else g.to(t.dtype) for g, t in zip(found, inputs))
    return tuple(None if g is None else Tensor(np.array(g._data if isinstance(g, Tensor) else g, dtype=t.dtype))
                 for g, t in zip(found, inputs))


def _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused):
    """grad(is_grads_batched=True): the first dim of every grad_output indexes independent backward passes
    (one pass each, where PyTorch vectorises them), whose gradients are stacked along a new first dim."""
    batch = grad_outputs[0].shape[0]
    rows = [grad(outputs, inputs, [g[i] for g in grad_outputs], retain_graph=True if i < batch - 1 else retain_graph,
                 create_graph=create_graph, allow_unused=allow_unused) for i in range(batch)]
    from .shape_functional import stack  # at call time: it imports this module
    return tuple(None if column[0] is None else stack(column) for column in zip(*rows))


# ------------------------------------------------------------------------------------------------ legacy
class _VariableType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableType):
    """Legacy `Variable(tensor, requires_grad=False)`: a Tensor sharing `tensor`'s memory (PyTorch merged
    Variables into Tensors in 0.4); every Tensor is an instance of it.

    Raises:
        TypeError: `data` is not a Tensor.
    """

    def __new__(cls, data, requires_grad=False, volatile=False):
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        out.requires_grad = requires_grad
        return out


# ddp.autograd.functional (torch.autograd.functional) and the recorded backward; last, since they import
# this module
from . import autograd_functional as functional  # noqa: E402,F401
from . import forward_ad  # noqa: E402,F401  (ddp.autograd.forward_ad: dual tensors, by the double-vjp trick)
from . import autograd_nodes as graph  # noqa: E402,F401  (ddp.autograd.graph: Node, node and multi-grad hooks)
from . import profiler  # noqa: E402,F401  (ddp.autograd.profiler: torch.autograd.profiler's profile, record_function)
from . import autograd_function, autograd_graph  # noqa: E402
from .autograd_function import FunctionCtx, once_differentiable  # noqa: E402,F401  (ddp.autograd's names)

function = autograd_function  # ddp.autograd.function, as torch.autograd.function
