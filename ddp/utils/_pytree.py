"""`ddp.utils._pytree` (torch.utils._pytree, private in PyTorch but imported by libraries): nested tuples,
lists, dicts and namedtuples flattened into their leaves (None among them, as PyTorch 2.13's) and rebuilt,
over ddp.func's pytree code."""
from ..core.func_pytree import flatten, unflatten

__all__ = ["tree_flatten", "tree_unflatten", "tree_leaves", "tree_structure", "tree_map"]


def tree_flatten(tree):
    """(leaves, spec): the tree's leaves in order and what `tree_unflatten` needs to rebuild it."""
    return flatten(tree)


def tree_unflatten(leaves, spec):
    return unflatten(list(leaves), spec)


def tree_leaves(tree):
    return tree_flatten(tree)[0]


def tree_structure(tree):
    return tree_flatten(tree)[1]


def tree_map(fn, tree, *rests):
    """The tree of `tree`'s shape whose leaves are fn(leaf, *the same leaves of `rests`)."""
    leaves, spec = tree_flatten(tree)
    others = [tree_flatten(rest)[0] for rest in rests]
    return unflatten([fn(*args) for args in zip(leaves, *others)], spec)
