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
        return self._member(target, "_parameters", "an nn.Parameter")

    def get_buffer(self, target):
        """The buffer named by a dotted path such as 'bn.running_mean'."""
        return self._member(target, "_buffers", "a buffer")

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

    def _member(self, target, store, kind):
        """The entry of `store` (a Module's dict of parameters or buffers) at a dotted path, or PyTorch's
        AttributeError: the name exists but is not one of `kind`, or does not exist."""
        module, name = self._owner(target)
        members = getattr(module, store)
        if name not in members:
            if hasattr(module, name):
                raise AttributeError(f"`{name}` is not {kind}")
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        return members[name]

    def _owner(self, target):
        """(the module that holds the last name of a dotted path, that name)."""
        path, _, name = target.rpartition(".")
        return self.get_submodule(path), name
