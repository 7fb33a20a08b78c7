"""Pytrees for ddp.func: nested tuples, lists (namedtuples too) and dicts whose leaves are the values
inside, flattened to a list and rebuilt from one (`flatten`, `unflatten`)."""
from .tensor import Tensor


def flatten(tree):
    """(leaves, spec): the non-container values of nested tuples, lists and dicts, depth first."""
    if isinstance(tree, (tuple, list)):
        leaves, specs = [], []
        for item in tree:
            sub, spec = flatten(item)
            leaves += sub
            specs.append(spec)
        return leaves, (type(tree), None, specs)
    if isinstance(tree, dict):
        leaves, specs = [], []
        for key in tree:
            sub, spec = flatten(tree[key])
            leaves += sub
            specs.append(spec)
        return leaves, (dict, list(tree), specs)
    return [tree], None


def unflatten(leaves, spec):
    """The inverse of flatten: rebuild the tree of `spec` from an iterable of leaves."""
    leaves = iter(leaves)

    def build(spec):
        if spec is None:
            return next(leaves)
        kind, keys, children = spec
        items = [build(child) for child in children]
        if kind is dict:
            return dict(zip(keys, items))
        return kind(*items) if hasattr(kind, "_fields") else kind(items)  # a namedtuple takes fields

    return build(spec)


def tree_map(fn, tree):
    """The tree of `tree`'s shape whose leaves are fn(leaf)."""
    leaves, spec = flatten(tree)
    return unflatten([fn(x) for x in leaves], spec)


def detach(tree):
    """`tree` with every Tensor leaf detached."""
    return tree_map(lambda x: x.detach() if isinstance(x, Tensor) else x, tree)
