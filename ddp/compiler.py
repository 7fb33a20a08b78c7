"""`ddp.compiler` (torch.compiler) for programs that steer the compiler: ddp runs eagerly and has none, so
`compile` is `ddp.compile` (a Module comes back in an `OptimizedModule`), `disable` and the other decorators
return what they are given, and nothing is ever being compiled."""
from .core.runtime import compile  # noqa: A004,F401

__all__ = ["compile", "disable", "is_compiling", "is_dynamo_compiling", "is_exporting", "reset", "allow_in_graph",
           "assume_constant_result", "list_backends"]


def disable(fn=None, recursive=True, *, reason=None):
    """`fn` unchanged, as a decorator too (`@disable`, `@disable(recursive=False)`): it runs eagerly anyway."""
    if fn is None:
        return lambda f: f
    return fn


def is_compiling():
    """False: code never runs inside a compiled graph here."""
    return False


is_dynamo_compiling = is_exporting = is_compiling


def reset():
    """Drop compiled code: there is none."""


def allow_in_graph(fn):
    return fn


def assume_constant_result(fn):
    return fn


def list_backends(exclude_tags=("debug", "experimental")):
    """The compiler backends: none, since ddp does not compile."""
    return []
