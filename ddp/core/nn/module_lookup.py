"""Finding and replacing parts of a Module by dotted path ('layer1.0.conv'), as PyTorch's get_submodule,
get_parameter, get_buffer and set_submodule: `ModuleLookup`, a base of `Module`."""


class ModuleLookup:
    """Dotted-path access to descendants, their parameters and buffers (the Module supplies the three dicts)."""

    def get_submodule(self, target):
        """The descendant named by a dotted path such as 'layer1.0.conv' ('' is self)."""
        module = self
        for part in target.split(".") if target else []:
            child = module._modules.get(part)
            if child is None:
                raise AttributeError(f"{module._get_name()} has no attribute `{part}`")
            module = child
        return module

    def get_parameter(self, target):
        """The parameter named by a dotted path such as 'layer1.0.weight'."""
        module, name = self._owner(target)
        if name not in module._parameters:
            if hasattr(module, name):
                raise AttributeError(f"`{name}` is not an nn.Parameter")
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        return module._parameters[name]

    def get_buffer(self, target):
        """The buffer named by a dotted path such as 'bn.running_mean'."""
        module, name = self._owner(target)
        if name not in module._buffers:
            if hasattr(module, name):
                raise AttributeError(f"`{name}` is not a buffer")
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        return module._buffers[name]

    def set_submodule(self, target, module, strict=False):
        """Put `module` at the dotted path `target`: replacing what is there, or (unless `strict`) adding it
        to an existing parent."""
        if not target:
            raise ValueError("Cannot set the submodule without a target name!")
        parent, name = self._owner(target)
        from .module import Module  # (module.py imports this file)
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        if strict and name not in parent._modules:
            raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        if hasattr(parent, name) and name not in parent._modules:
            raise AttributeError(f"`{name}` is not an nn.Module")
        setattr(parent, name, module)

    def _owner(self, target):
        """(the module that holds the last name of a dotted path, that name)."""
        path, _, name = target.rpartition(".")
        return self.get_submodule(path), name
