"""`OptimizedModule`: what `ddp.compile(module)` returns, shaped as PyTorch's torch._dynamo OptimizedModule.

ddp has no compiler, so calling the wrapper calls the module. What scripts rely on is kept: the original
module is `compiled._orig_mod`, state-dict keys carry the `_orig_mod.` prefix (the prefix that training scripts
strip before loading into an uncompiled model), the printout nests the module, and any other attribute is
read from and written to the original (`compiled.fc`, `compiled.training`, `compiled.foo = 1`).
"""
from .module import Module

# names the wrapper keeps for itself; everything else is the original module's
_OWN = frozenset({"_orig_mod", "forward", "__dict__", "_super_module_initialized"})


class OptimizedModule(Module):
    """A module "compiled" by `ddp.compile`: the same parameters under `_orig_mod`, the same results."""

    def __init__(self, mod):
        object.__setattr__(self, "_super_module_initialized", False)
        super().__init__()
        object.__setattr__(self, "_super_module_initialized", True)
        self._modules["_orig_mod"] = mod

    def forward(self, *args, **kwargs):
        return self._orig_mod(*args, **kwargs)

    @property
    def training(self):
        return self._orig_mod.training

    @training.setter
    def training(self, value):
        if self._super_module_initialized:  # (Module.__init__ sets the default first)
            self._orig_mod.training = value

    def __getattr__(self, name):
        modules = self.__dict__.get("_modules")
        if modules is None:  # not initialised yet (copy and pickle look up attributes on a bare instance)
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        if name == "_orig_mod":
            return modules["_orig_mod"]
        return getattr(modules["_orig_mod"], name)

    def __setattr__(self, name, value):
        if hasattr(type(self), name) or name in _OWN:
            return super().__setattr__(name, value)
        return setattr(self._orig_mod, name, value)

    def __delattr__(self, name):
        if hasattr(type(self), name) or name in _OWN:
            return super().__delattr__(name)
        return delattr(self._orig_mod, name)

    def __len__(self):
        return len(self._orig_mod)

    def __dir__(self):
        return sorted(set(dir(self._orig_mod)) | set(super().__dir__()))
