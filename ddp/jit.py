"""`ddp.jit` (torch.jit) for programs that script or trace a model: ddp runs eager Python and has no
compiler, so `script` and `trace` hand back what they were given, which then runs as before (as
`ddp.compile` does). Saving a TorchScript archive has no ddp meaning: save the state dict instead.
"""

import typing

__all__ = ["script", "trace", "ignore", "unused", "export", "is_scripting", "is_tracing", "annotate", "save", "load",
           "Final"]

Final = typing.Final  # the annotation TorchScript reads for constant attributes (`heads: Final[int]`, as timm writes)


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """`obj` (a function or Module) unchanged; usable as a decorator."""
    return obj


def trace(func, example_inputs=None, *args, **kwargs):
    """`func` unchanged: ddp records its graph on every call anyway."""
    return func


def ignore(drop=False, **kwargs):
    """Decorator marking a function the compiler should leave alone: nothing to leave here."""
    if callable(drop):  # used bare: @ignore
        return drop
    return lambda fn: fn


def unused(fn):
    """Decorator marking a method the compiler should skip: `fn` unchanged."""
    return fn


def export(fn):
    """Decorator marking a method to compile: `fn` unchanged."""
    return fn


def is_scripting():
    """False: code never runs under TorchScript here."""
    return False


def is_tracing():
    """False: code never runs under the tracer here."""
    return False


def annotate(the_type, the_value):
    """`the_value`: a type hint for the compiler."""
    return the_value


def save(m, f, _extra_files=None):
    raise NotImplementedError("ddp.jit.save: ddp has no TorchScript archive; save the weights with "
                              "ddp.save(model.state_dict(), path) and rebuild the model to load them")


def load(f, map_location=None, _extra_files=None):
    raise NotImplementedError("ddp.jit.load: ddp cannot read TorchScript archives; load a state dict saved "
                              "with ddp.save (or torch.save) into the model instead")
