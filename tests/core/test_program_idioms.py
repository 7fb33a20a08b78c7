"""Small APIs that real PyTorch programs lean on, each checked on ddp and (where installed) PyTorch: Size
arithmetic, gradient assignment checks, collate's strings and errors, torch.utils._pytree, private helpers
libraries import (F._canonical_mask, nn.modules.utils, jit.Final, data._utils.collate), to_dense."""
import importlib

import pytest

from tests.core.op_helpers import each_library


@each_library
def test_slices_and_sums_of_a_size_are_sizes(lib):
    s = lib.Size([2, 3])
    for got, want in ((s[1:], [3]), (s[::-1], [3, 2]), (s + (4,), [2, 3, 4]), ((1,) + s, [1, 2, 3]),
                      (s * 2, [2, 3, 2, 3]), (2 * s, [2, 3, 2, 3]), (s + s, [2, 3, 2, 3])):
        assert type(got) is lib.Size and list(got) == want
    assert type(s[0]) is int and s == (2, 3) and hash(s) == hash((2, 3))
    assert type(lib.ones(2, 3, 4).shape[1:]) is lib.Size


@each_library
def test_an_assigned_gradient_must_fit(lib):
    p = lib.nn.Parameter(lib.ones(2))
    with pytest.raises(RuntimeError, match="size"):
        p.grad = lib.ones(3)
    with pytest.raises(RuntimeError):
        p.grad = lib.ones(2, dtype=lib.float64)
    with pytest.raises(TypeError, match="assigned grad expected to be a Tensor or None"):
        p.grad = [1.0, 2.0]
    p.grad = lib.full((2,), 3.0)
    assert p.grad.tolist() == [3.0, 3.0]
    del p.grad
    assert p.grad is None


@each_library
def test_collate_keeps_strings_as_given_and_refuses_ragged_tensors(lib):
    collate = importlib.import_module(lib.__name__ + ".utils.data._utils.collate").default_collate
    assert collate is lib.utils.data.default_collate
    ints, floats, names = collate([(1, 2.0, "a"), (2, 3.0, "b")])
    assert names == ("a", "b") and ints.tolist() == [1, 2]
    assert collate(["a", "b"]) == ["a", "b"] and collate([{"s": "a"}, {"s": "b"}]) == {"s": ["a", "b"]}
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[2\] at entry 0 "
                                           r"and \[3\] at entry 1"):
        collate([lib.ones(2), lib.ones(3)])


@each_library
def test_linear_gains_are_ints(lib):
    gains = [lib.nn.init.calculate_gain(n) for n in ("linear", "conv2d", "sigmoid", "conv_transpose1d")]
    assert gains == [1, 1, 1, 1] and all(type(g) is int for g in gains)


@each_library
def test_pytree(lib):
    pytree = importlib.import_module(lib.__name__ + ".utils._pytree")
    tree = {"a": [1, (2, None)], "b": 3}
    leaves, spec = pytree.tree_flatten(tree)
    assert leaves == [1, 2, None, 3] and pytree.tree_leaves(tree) == leaves
    assert pytree.tree_unflatten([10, 20, 0, 30], spec) == {"a": [10, (20, 0)], "b": 30}
    assert pytree.tree_map(lambda x, y: x and x + y, tree, {"a": [5, (6, 0)], "b": 7}) == {"a": [6, (8, None)], "b": 10}


@each_library
def test_private_helpers_libraries_import(lib):
    F = lib.nn.functional
    mask = F._canonical_mask(lib.tensor([[True, False]]), "attn_mask", None, "", lib.float32)
    assert mask.tolist() == [[float("-inf"), 0.0]] and mask.dtype == lib.float32
    assert F._canonical_mask(None, "attn_mask", None, "", lib.float32) is None
    with pytest.raises(AssertionError, match="only bool and floating types of attn_mask are supported"):
        F._canonical_mask(lib.zeros(1, 2, dtype=lib.int64), "attn_mask", None, "", lib.float32)
    assert lib.nn.modules.utils._pair(3) == (3, 3)
    assert lib.jit.Final[int] is not None
    x = lib.ones(2)
    assert x.to_dense() is x and x.to_dense(lib.float64).dtype == lib.float64


@each_library
def test_scatter_takes_a_0d_index_as_the_data_tutorial_does(lib):
    one_hot = lib.zeros(10, dtype=lib.float).scatter_(0, lib.tensor(3), value=1)
    assert one_hot.tolist() == [0.0, 0.0, 0.0, 1.0] + [0.0] * 6
    assert lib.zeros(4).scatter(0, lib.tensor(2), lib.tensor(7.0)).tolist() == [0.0, 0.0, 7.0, 0.0]
    assert lib.zeros(4).scatter_add(0, lib.tensor(1), lib.tensor(3.0)).tolist() == [0.0, 3.0, 0.0, 0.0]
    assert lib.zeros(()).scatter(0, lib.tensor(0), 4.0).item() == 4.0


@each_library
def test_step_lr_takes_a_float_step_size(lib):
    opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=1.0)
    sched = lib.optim.lr_scheduler.StepLR(opt, 1.5, gamma=0.1)
    lrs = []
    for _ in range(4):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs == pytest.approx([1.0, 1.0, 0.1, 0.1])


def test_an_optimizer_prints_as_pytorchs():
    torch = pytest.importorskip("torch")
    import ddp

    def make(lib, kind):
        groups = [{"params": [lib.nn.Parameter(lib.ones(1))]}, {"params": [lib.nn.Parameter(lib.ones(1))], "lr": 0.5}]
        return getattr(lib.optim, kind)(groups, lr=0.1)

    for kind in ("SGD", "Adam"):
        assert repr(make(ddp, kind)) == repr(make(torch, kind)), kind
