"""State dicts of Modules, as PyTorch's: `state_dict` and `load_state_dict` walk the tree calling each module's
`_save_to_state_dict` / `_load_from_state_dict` (with PyTorch's signatures, so that a subclass that overrides
them for its own layout or old checkpoints works unchanged), keep per-module metadata (the `_version` a module
reads to convert an older checkpoint), a module's extra state (`get_extra_state` / `set_extra_state`), and
the four state-dict hooks: `ModuleState`, a base of `Module`.
"""
import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from .. import autograd
from ..tensor import Tensor

EXTRA_STATE_KEY = "_extra_state"


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What `load_state_dict` returns; prints `<All keys matched successfully>` when both lists are empty,
    as PyTorch's does (scripts print it)."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"

    __str__ = __repr__


class ModuleState:
    """The state-dict methods of Module (the Module supplies its parameters, buffers and children)."""

    #: The layout version of this class's state dict, saved in the metadata; a class that changes its layout
    #: raises it and converts older checkpoints in `_load_from_state_dict` (BatchNorm's is 2).
    _version = 1

    # ------------------------------------------------------------------------------------ extra state
    def get_extra_state(self):
        """Override (with `set_extra_state`) to save more than parameters and buffers in the state dict, under
        the key `<prefix>_extra_state`; the value should be picklable (or plain data, for ddp.save)."""
        raise RuntimeError("Module.get_extra_state() is only called on modules that override it")

    def set_extra_state(self, state):
        """Override (with `get_extra_state`) to restore what `get_extra_state` saved."""
        raise RuntimeError("Module.set_extra_state() is only called on modules that override it")

    def _overrides(self, method):
        return getattr(type(self), method) is not getattr(ModuleState, method)

    # ---------------------------------------------------------------------------------------- saving
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        """Put this module's own entries (not its children's) into `destination`: parameters, persistent
        buffers, and the extra state of a module that defines one."""
        for name, t in self._state_items():
            destination[prefix + name] = t if keep_vars else t.detach()
        if self._overrides("get_extra_state"):
            destination[prefix + EXTRA_STATE_KEY] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """An OrderedDict of qualified name -> Tensor for every parameter and persistent buffer (and extra
        state), with a `_metadata` attribute holding each module's `version`.

        The tensors are detached and share memory with the module (copy them to keep a snapshot);
        `keep_vars=True` returns the Parameters themselves. Positional arguments (destination, prefix,
        keep_vars) still work, with PyTorch's FutureWarning.
        """
        if args:
            warnings.warn("Positional args are being deprecated, use kwargs instead (state_dict(destination=..., "
                          "prefix=..., keep_vars=...)).", FutureWarning, stacklevel=2)
            destination = args[0] if destination is None else destination
            prefix = args[1] if len(args) > 1 and prefix == "" else prefix
            keep_vars = args[2] if len(args) > 2 and keep_vars is False else keep_vars
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = dict(version=self._version)
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in list(self._state_dict_pre_hooks.values()):
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        for key, hook in list(self._state_dict_hooks.items()):
            result = hook(self, destination, prefix, local_metadata)
            if key in self._state_dict_hooks_public:
                if result is not None:
                    raise RuntimeError("state_dict post-hook must return None")
            elif result is not None:  # the private form may return a new dict (PyTorch's older contract)
                destination = result
        return destination

    def register_state_dict_pre_hook(self, hook):
        """Call `hook(module, prefix, keep_vars)` before this module's entries are saved."""
        return autograd.add_hook(self._state_dict_pre_hooks, hook)

    def register_state_dict_post_hook(self, hook):
        """Call `hook(module, state_dict, prefix, local_metadata)` after this module and its children are
        saved; it may change the state dict in place and must return None."""
        handle = autograd.add_hook(self._state_dict_hooks, hook)
        self._state_dict_hooks_public[handle.id] = True
        return handle

    def _register_state_dict_hook(self, hook):
        """PyTorch's older post-hook: as `register_state_dict_post_hook`, but a returned dict replaces the
        state dict (respected at the module `state_dict()` was called on)."""
        return autograd.add_hook(self._state_dict_hooks, hook)

    # --------------------------------------------------------------------------------------- loading
    def register_load_state_dict_pre_hook(self, hook):
        """Call `hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
        error_msgs)` before this module's entries are loaded; it may edit this module's part of the state
        dict (a private copy) to convert an old layout."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        """As `register_load_state_dict_pre_hook`; without `with_module` the hook is not given the module."""
        call = (lambda *args: hook(self, *args)) if with_module else hook
        return autograd.add_hook(self._load_state_dict_pre_hooks, call)

    def register_load_state_dict_post_hook(self, hook):
        """Call `hook(module, incompatible_keys)` after this module and its children are loaded; it may edit
        incompatible_keys.missing_keys / unexpected_keys in place (which the strict check then sees) and must
        return None."""
        return autograd.add_hook(self._load_state_dict_post_hooks, hook)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        """Copy this module's own entries (not its children's) from `state_dict` into it, in place, as
        PyTorch's: append missing and (with `strict`) unexpected keys under `prefix`, and the messages for
        size mismatches and values that are not tensors. `state_dict` is a private copy (it may be edited);
        `local_metadata` is this module's saved metadata ({} for a state dict without), where "version" says
        which layout a checkpoint has and "assign_to_params_buffers" asks for assignment instead of copying."""
        for hook in list(self._load_state_dict_pre_hooks.values()):
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        local_state = dict(self._state_items())
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, t in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, (Tensor, np.ndarray, np.generic)):
                error_msgs.append(f'While copying the parameter named "{key}", expected a Tensor (or numpy array) '
                                  f"from checkpoint but received {type(value)}")
                continue
            array = value._data if isinstance(value, Tensor) else np.asarray(value)
            if t._data.ndim == 0 and array.shape == (1,):  # a 0.3-era 1-element tensor for a scalar
                array, value = array.reshape(()), array.reshape(())
            if array.shape != t._data.shape:
                error_msgs.append(
                    f"size mismatch for {key}: copying a param with shape {tuple(array.shape)} from checkpoint, "
                    f"the shape in current model is {tuple(t._data.shape)}."
                )
                continue
            with autograd.no_grad():
                if assign:
                    self._assign(name, value if isinstance(value, Tensor) else Tensor(array), t)
                else:
                    np.copyto(t._data, array, casting="unsafe")
                    t._bump_version()
        extra_key = prefix + EXTRA_STATE_KEY
        if self._overrides("set_extra_state"):
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if key.startswith(prefix) and key != extra_key:
                    first, *rest = key[len(prefix):].split(".", 1)
                    if (first not in self._modules) if rest else (first not in local_state):
                        unexpected_keys.append(key)

    def _assign(self, name, value, old):
        """load_state_dict(assign=True): `value` itself becomes the entry (a parameter a Parameter over its
        memory, keeping the old requires_grad)."""
        if name in self._parameters:
            from .module import Parameter  # (module.py imports this file)
            if not isinstance(value, Parameter):
                value = Parameter(value, requires_grad=old.requires_grad)
            else:
                value.requires_grad_(old.requires_grad)
            self._parameters[name] = value
        else:
            self._buffers[name] = value

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters, buffers and extra state from `state_dict` into this module and its descendants, in
        place; with `assign`, take the state dict's tensors themselves instead (their memory and dtype).

        Args:
            state_dict: as returned by `state_dict()` (of ddp, or PyTorch's, loaded by `ddp.load`); values may
                also be numpy arrays.
            strict: when True, missing or unexpected keys are an error.
            assign: replace each parameter (by a Parameter over the given tensor, with the old requires_grad)
                and buffer, as PyTorch's assign=True.
        Returns:
            a namedtuple (missing_keys, unexpected_keys).
        Raises:
            TypeError: `state_dict` is not a mapping.
            RuntimeError: naming every missing and unexpected key (strict) and every size mismatch (always).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, errors = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)  # the modules may edit their copy

        def load(module, local_state_dict, prefix=""):
            local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
            if assign:
                local_metadata["assign_to_params_buffers"] = True
            module._load_from_state_dict(local_state_dict, prefix, local_metadata, True, missing, unexpected, errors)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    load(child, {k: v for k, v in local_state_dict.items() if k.startswith(child_prefix)},
                         child_prefix)
            incompatible = _IncompatibleKeys(missing, unexpected)
            for hook in list(module._load_state_dict_post_hooks.values()):
                if hook(module, incompatible) is not None:
                    raise AssertionError("Hooks registered with ``register_load_state_dict_post_hook`` are not "
                                         "expected to return new values, if incompatible_keys need to be "
                                         "modified, it should be done inplace.")

        load(self, state_dict)
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)
