"""The object collectives of `ddp.distributed`: small picklable Python objects (re-exported there)."""
from .process_group import GroupMember, resolve
from .tensor_io import group_rank


def all_gather_object(object_list, obj, group=None):
    """Fill ``object_list[r]`` with rank r's picklable `obj`."""
    pg = resolve(group, "all_gather_object")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    _check_object_list(object_list, pg.size(), "all_gather_object", "object_list")
    object_list[:] = pg.comm.allgather_object(obj)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace the items of `object_list` with rank `src`'s (same length on every rank)."""
    pg = resolve(group, "broadcast_object_list")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    root = group_rank(pg, 0 if src is None and group_src is None else src, group_src,
                      "broadcast_object_list", "src")
    if not isinstance(object_list, list):
        raise TypeError(f"broadcast_object_list: object_list must be a list, got {type(object_list).__name__}")
    got = pg.comm.broadcast_object(list(object_list), root=root)
    if len(got) != len(object_list):
        raise ValueError(f"broadcast_object_list: rank {pg.ranks[root]} sent {len(got)} objects but this rank's "
                         f"object_list has {len(object_list)}")
    object_list[:] = got


def gather_object(obj, object_gather_list=None, dst=0, group=None, group_dst=None):
    """Collect every rank's `obj` into `object_gather_list` on rank `dst`."""
    pg = resolve(group, "gather_object")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    root = group_rank(pg, dst, group_dst, "gather_object", "dst")
    if root == pg.rank():
        _check_object_list(object_gather_list, pg.size(), "gather_object", "object_gather_list")
    elif object_gather_list is not None:
        raise ValueError("Argument ``object_gather_list`` must NOT be specified on non-destination ranks.")
    got = pg.comm.allgather_object(obj)
    if root == pg.rank():
        object_gather_list[:] = got


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=0, group=None,
                        group_src=None):
    """Set ``scatter_object_output_list[0]`` to item `rank` of rank `src`'s input list."""
    pg = resolve(group, "scatter_object_list")
    if pg is GroupMember.NON_GROUP_MEMBER:
        return None
    root = group_rank(pg, src, group_src, "scatter_object_list", "src")
    if not isinstance(scatter_object_output_list, list) or not scatter_object_output_list:
        raise ValueError("scatter_object_list: scatter_object_output_list must be a list of at least one item")
    if root == pg.rank():
        _check_object_list(scatter_object_input_list, pg.size(), "scatter_object_list", "scatter_object_input_list")
    items = pg.comm.broadcast_object(list(scatter_object_input_list) if root == pg.rank() else None, root=root)
    scatter_object_output_list[0] = items[pg.rank()]


def _check_object_list(items, n, call, name):
    if not isinstance(items, list) or len(items) != n:
        got = f"{len(items)} items" if isinstance(items, list) else type(items).__name__
        raise ValueError(f"{call}: {name} must be a list of {n} items (the group size), got {got}")

