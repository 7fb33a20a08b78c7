"""Module hooks, as PyTorch's: forward pre-hooks and forward hooks (with kwargs, prepend, always_call), and
full backward pre-hooks and backward hooks. A module without hooks calls its forward directly; one with hooks
goes through `call_with_hooks`.

Full backward hooks: after the forward pre-hooks, the module's Tensor arguments pass together through one
identity node, and after the forward hooks its Tensor outputs through another. In backward, the output node
sees grad_output and runs the backward pre-hooks (each may replace it); the input node then sees grad_input,
one entry per positional argument (None for a non-Tensor), and runs the backward hooks (each may replace it);
a gradient that reaches the input node without passing the output node (differentiating a recorded
gradient again) runs no hook.
When no argument requires grad there is no input node, and the backward hooks run at the output node with
grad_input all None, as in PyTorch. One difference: an output that gets no gradient shows as zeros in
grad_output where PyTorch shows None (the output node packs its gradients into one array).
"""
import warnings
from collections import OrderedDict

from .. import autograd, autograd_function
from ..tensor import Tensor

_HOOK_DICTS = ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks", "_forward_hooks_with_kwargs",
               "_forward_hooks_always_called", "_backward_pre_hooks", "_backward_hooks", "_state_dict_pre_hooks",
               "_state_dict_hooks", "_state_dict_hooks_public", "_load_state_dict_pre_hooks",
               "_load_state_dict_post_hooks")


def init_hook_dicts(module):
    """Give `module` its (empty) hook dicts, keeping any it has (a module unpickled from an older ddp)."""
    for name in _HOOK_DICTS:
        module.__dict__.setdefault(name, OrderedDict())


def _add(hooks, hook, prepend):
    handle = autograd.add_hook(hooks, hook)
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def _add_forward_hook(owner, hook, prepend, with_kwargs, always_call):
    """Register a forward hook on `owner` (a module, or GLOBAL_HOOKS), with its options."""
    handle = _add(owner._forward_hooks, hook, prepend)
    if with_kwargs:
        owner._forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        owner._forward_hooks_always_called[handle.id] = True
    return handle


class ModuleHooks:
    """The hook registration methods of Module."""

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call `hook(module, args)` before forward; a returned value replaces the arguments. With
        `with_kwargs`, `hook(module, args, kwargs)` may return a new `(args, kwargs)`. `prepend` runs it first."""
        handle = _add(self._forward_pre_hooks, hook, prepend)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Call `hook(module, args, output)` after forward; a returned value replaces the output. With
        `with_kwargs`, `hook(module, args, kwargs, output)`; with `always_call`, it also runs (output None)
        when forward raises; `prepend` runs it first."""
        return _add_forward_hook(self, hook, prepend, with_kwargs, always_call)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Call `hook(module, grad_output)` when the gradients of the module's outputs are known; a returned
        tuple replaces grad_output."""
        return _add(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """Call `hook(module, grad_input, grad_output)` when the gradients of the module's positional
        arguments are computed; a returned tuple replaces grad_input. Gradients are read-only in spirit:
        return new tensors rather than changing them in place."""
        if self.__dict__.get("_is_full_backward_hook") is False:
            raise RuntimeError(_BOTH_KINDS)
        self.__dict__["_is_full_backward_hook"] = True
        return _add(self._backward_hooks, hook, prepend)

    def register_backward_hook(self, hook):
        """PyTorch's deprecated backward hook: `hook(module, grad_input, grad_output)` with the gradients of
        the inputs and output of the last op that forward recorded (its output's grad_fn), which need not be
        the module's own inputs (PyTorch's Linear shows its addmm's three, ddp's linear op x, weight, bias).
        Use register_full_backward_hook for the module's inputs."""
        if self.__dict__.get("_is_full_backward_hook") is True:
            raise RuntimeError(_BOTH_KINDS)
        self.__dict__["_is_full_backward_hook"] = False

        def on_output(module, args, out):
            t = _first_tensor(out)
            if t is not None and t.grad_fn is not None:
                t.grad_fn.register_hook(lambda grad_input, grad_output: hook(module, grad_input, grad_output))
                warnings.warn("Using a non-full backward hook when the forward contains multiple autograd Nodes "
                              "is deprecated and will be removed in future versions. This hook will be missing "
                              "some grad_input. Please use register_full_backward_hook to get the documented "
                              "behavior.", FutureWarning, stacklevel=5)

        return _add(self._forward_hooks, on_output, False)


_BOTH_KINDS = ("Cannot use both regular backward hooks and full backward hooks on a single Module. Please use "
               "only one of them.")


def _first_tensor(out):
    """The Tensor a legacy backward hook watches: the output, or the first Tensor inside it (PyTorch's pick)."""
    while out is not None and not isinstance(out, Tensor):
        if isinstance(out, dict):
            out = next((v for v in out.values() if isinstance(v, Tensor)), None)
        elif isinstance(out, (tuple, list)) and out:
            out = out[0]
        else:
            return None
    return out


# ---------------------------------------------------------------------------------------- global hooks
class _GlobalHooks:
    """The hooks that run for every module (torch.nn.modules.module.register_module_*_hook), before each
    module's own: the same dicts a module has, and the three registration hooks."""

    def __init__(self):
        init_hook_dicts(self)
        self._parameter_registration_hooks, self._buffer_registration_hooks = OrderedDict(), OrderedDict()
        self._module_registration_hooks = OrderedDict()


GLOBAL_HOOKS = _GlobalHooks()


def _hooks(module, name):
    """The hooks of kind `name` that a call of `module` runs: the global ones, then the module's."""
    everywhere = getattr(GLOBAL_HOOKS, name)
    return {**everywhere, **getattr(module, name)} if everywhere else getattr(module, name)


def _flagged(module, name, key):
    return key in getattr(module, name) or key in getattr(GLOBAL_HOOKS, name)


def register_module_forward_pre_hook(hook):
    """`hook(module, args)` before every module's forward (before its own pre-hooks)."""
    return _add(GLOBAL_HOOKS._forward_pre_hooks, hook, False)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """`hook(module, args, output)` after every module's forward (before its own hooks)."""
    return _add_forward_hook(GLOBAL_HOOKS, hook, False, with_kwargs, always_call)


def register_module_full_backward_pre_hook(hook):
    """`hook(module, grad_output)` for every module, as Module.register_full_backward_pre_hook."""
    return _add(GLOBAL_HOOKS._backward_pre_hooks, hook, False)


def register_module_full_backward_hook(hook):
    """`hook(module, grad_input, grad_output)` for every module, as Module.register_full_backward_hook."""
    return _add(GLOBAL_HOOKS._backward_hooks, hook, False)


def register_module_parameter_registration_hook(hook):
    """`hook(module, name, param)` whenever a module registers a parameter; a returned one replaces it."""
    return _add(GLOBAL_HOOKS._parameter_registration_hooks, hook, False)


def register_module_buffer_registration_hook(hook):
    """`hook(module, name, buffer)` whenever a module registers a buffer; a returned one replaces it."""
    return _add(GLOBAL_HOOKS._buffer_registration_hooks, hook, False)


def register_module_module_registration_hook(hook):
    """`hook(module, name, submodule)` whenever a module registers a child; a returned one replaces it."""
    return _add(GLOBAL_HOOKS._module_registration_hooks, hook, False)


def registered(kind, module, name, value):
    """`value` passed through the global registration hooks of `kind` ("parameter", "buffer", "module")."""
    for hook in list(getattr(GLOBAL_HOOKS, f"_{kind}_registration_hooks").values()):
        new = hook(module, name, value)
        if new is not None:
            value = new
    return value


def call_with_hooks(module, args, kwargs):
    """module(*args, **kwargs) with its forward pre-hooks, forward hooks and full backward hooks."""
    for key, hook in list(_hooks(module, "_forward_pre_hooks").items()):
        if _flagged(module, "_forward_pre_hooks_with_kwargs", key):
            new = hook(module, args, kwargs)
            if new is not None:
                if not (isinstance(new, tuple) and len(new) == 2):
                    raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {new}.")
                args, kwargs = new
        else:
            new = hook(module, args)
            if new is not None:
                args = new if isinstance(new, tuple) else (new,)
    backward = None
    if (_hooks(module, "_backward_hooks") or _hooks(module, "_backward_pre_hooks")) and autograd.is_grad_enabled():
        backward = _BackwardHooks(module, len(args))
        args = backward.wrap_inputs(args)
    try:
        out = module.forward(*args, **kwargs)
    except Exception:
        for key, hook in list(_hooks(module, "_forward_hooks").items()):
            if _flagged(module, "_forward_hooks_always_called", key):
                try:
                    _forward_hook(module, key, hook, args, kwargs, None)
                except Exception as e:  # forward's error is the one to report
                    warnings.warn("forward hook with always_call=True raised an exception that was silenced "
                                  f"as another error was raised in forward: {e}")
        raise
    for key, hook in list(_hooks(module, "_forward_hooks").items()):
        new = _forward_hook(module, key, hook, args, kwargs, out)
        if new is not None:
            out = new
    return backward.wrap_outputs(out) if backward is not None else out


def _forward_hook(module, key, hook, args, kwargs, out):
    if _flagged(module, "_forward_hooks_with_kwargs", key):
        return hook(module, args, kwargs, out)
    return hook(module, args, out)


class _HookIdentity(autograd_function.Function):
    """The identity on several Tensors, whose backward hands their gradients to `on_backward` (which may
    replace them). Inputs that do not require grad come out non-differentiable (their gradients are zeros)."""

    @staticmethod
    def forward(ctx, on_backward, *tensors):
        ctx.on_backward = on_backward
        ctx.mark_non_differentiable(*(t for t in tensors if not t.requires_grad))
        return tensors if len(tensors) > 1 else tensors[0]

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.on_backward(grads))


def _replaced(hooks, call, grads, who, what):
    """Run `call(hook, grads)` for each hook in turn; a returned tuple (or single tensor) replaces grads."""
    for hook in list(hooks.values()):
        new = call(hook, tuple(grads))
        if new is not None:
            new = new if isinstance(new, tuple) else (new,)
            if len(new) != len(grads):
                raise RuntimeError(f"{who} returned an invalid number of {what}, got {len(new)}, but expected "
                                   f"{len(grads)}")
            grads = list(new)
    return grads


def _through_identity(on_backward, tensors):
    out = autograd_function.apply(_HookIdentity, (on_backward, *tensors), {})
    return out if isinstance(out, tuple) else (out,)


class _BackwardHooks:
    """One call's full backward hooks: the identity nodes on its arguments and outputs, and the grad_output
    that the output node's backward leaves for the input node's."""

    def __init__(self, module, n_args):
        self.module, self.n_args = module, n_args
        self.input_positions = None  # the arguments that went through the input node (None: there is none)
        self.grad_output = None

    def wrap_inputs(self, args):
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if not any(args[i].requires_grad for i in positions):
            return args
        self.input_positions = positions
        args = list(args)
        for i, wrapped in zip(positions, _through_identity(self._on_grad_input, [args[i] for i in positions])):
            args[i] = wrapped
        return tuple(args)

    def wrap_outputs(self, out):
        outs = (out,) if isinstance(out, Tensor) else out if isinstance(out, (tuple, list)) else ()
        positions = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not positions:
            return out
        self.n_outputs, self.output_positions = len(outs), positions
        wrapped = list(outs)
        for i, w in zip(positions, _through_identity(self._on_grad_output, [outs[i] for i in positions])):
            wrapped[i] = w
        return wrapped[0] if isinstance(out, Tensor) else type(out)(wrapped)

    def _on_grad_output(self, grads):
        grad_output = [None] * self.n_outputs
        for i, g in zip(self.output_positions, grads):
            grad_output[i] = g
        grad_output = _replaced(_hooks(self.module, "_backward_pre_hooks"), lambda hook, go: hook(self.module, go),
                                grad_output, "Backward pre hook", "grad_output")
        self.grad_output = tuple(grad_output)
        if self.input_positions is None:
            self._hooks_without_inputs()
        return [grad_output[i] for i in self.output_positions]

    def _hooks_without_inputs(self):
        if _hooks(self.module, "_backward_hooks"):
            warnings.warn("full backward hook: no input of the module requires grad, so it runs when the "
                          "gradients of its outputs are known, with grad_input all None (as PyTorch)")
        for hook in list(_hooks(self.module, "_backward_hooks").values()):
            new = hook(self.module, (None,) * self.n_args, self.grad_output)
            if new is not None and any(g is not None for g in (new if isinstance(new, tuple) else (new,))):
                raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                   "return None or None for all gradients.")

    def _on_grad_input(self, grads):
        if self.grad_output is None:  # a gradient that reached the inputs without passing the outputs
            return grads              # (a second backward through a recorded one): PyTorch runs no hook
        grad_input = [None] * self.n_args
        for i, g in zip(self.input_positions, grads):
            grad_input[i] = g
        grad_input = _replaced(_hooks(self.module, "_backward_hooks"), lambda hook, gi: hook(self.module, gi, self.grad_output),
                               grad_input, "Backward hook", "grad_input")
        self.grad_output = None
        return [grad_input[i] for i in self.input_positions]
