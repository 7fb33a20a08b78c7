"""Idioms from real programs (Dive into Deep Learning, library code) that depend on PyTorch details beyond
the ops: the version string scripts compare, reversed(x), a scheduler's module, arange's values, and
outputs changed in place after ops that do not need them for backward."""
import numpy as np
import pytest

import ddp
from ddp.optim import lr_scheduler


def test_version_compares_as_pytorchs():
    v = ddp.__version__
    assert isinstance(v, str) and v.split("+")[0] == ddp.version.TORCH_API
    assert v >= "2.0" and v > "1.13.1" and v >= (2, 0) and v < (3,) and v > "2.9"  # "2.13" > "2.9" as versions
    assert v < "2.14.0a0" and v > "2.13.0rc1" and v != "2.13.0" and v == f"2.13.0+ddp.{ddp.version.ddp_version}"
    assert ddp.version.__version__ == v and v < "parrot"  # not a version: plain string order, as PyTorch's


def test_version_compares_like_pytorchs_own():
    torch = pytest.importorskip("torch")
    theirs = type(torch.__version__)(f"{ddp.version.TORCH_API}+cpu")
    for other in ("2.0", "1.13.1", (2, 13), "2.13.0", "2.14.0a0", "2.13.0.dev20260101", "2.13.0.post1", "parrot"):
        assert (ddp.__version__ > other, ddp.__version__ < other) == (theirs > other, theirs < other), other


def test_reversed_flips_dim_0():
    x = ddp.arange(6).reshape(3, 2)
    assert isinstance(reversed(x), ddp.Tensor) and reversed(x).tolist() == [[4, 5], [2, 3], [0, 1]]
    assert reversed(ddp.tensor(3.0)).item() == 3.0


def test_builtin_schedulers_belong_to_lr_scheduler():
    opt = ddp.optim.SGD([ddp.nn.Parameter(ddp.zeros(1))], lr=0.1)
    for s in (lr_scheduler.MultiStepLR(opt, [1]), lr_scheduler.CosineAnnealingLR(opt, 3)):
        assert s.__module__ == lr_scheduler.__name__  # d2l's train(): built-in schedulers step()

    class Mine(lr_scheduler.LRScheduler):
        pass
    assert Mine.__module__ != lr_scheduler.__name__


def test_float_arange_is_start_plus_i_step_rounded_once():
    x = ddp.arange(-8.0, 8.0, 0.1)
    exact = -8.0 + np.arange(160) * 0.1
    assert x.dtype == ddp.float32 and len(x) == 160
    np.testing.assert_array_equal(x.numpy(), exact.astype(np.float32))
    assert ddp.arange(0.0, 1.0, 0.3).tolist() == pytest.approx([0.0, 0.3, 0.6, 0.9])
    assert ddp.arange(1.0, 0.0, -0.25).tolist() == [1.0, 0.75, 0.5, 0.25]
    assert ddp.arange(0, 5, 2, dtype=ddp.float64).tolist() == [0.0, 2.0, 4.0]


def test_float_arange_within_one_ulp_of_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for _ in range(200):
        a, step = float(rng.uniform(-10, 10)), float(rng.choice([0.1, 0.01, 0.3, 0.05, 1 / 3]))
        b = a + float(rng.uniform(0, 20))
        ours, theirs = ddp.arange(a, b, step).numpy(), torch.arange(a, b, step).numpy()
        assert ours.shape == theirs.shape
        near_zero = max(abs(a), abs(b)) * 2.0 ** -22  # PyTorch's float32 sums round at the operands' scale
        np.testing.assert_array_less(np.abs(ours - theirs), np.spacing(np.abs(theirs)) * 1.01 + near_zero)


def test_outputs_changed_in_place_after_ops_that_keep_no_output():
    """pow with a number keeps its input, not its output; batch norm without affine returns a copy of what
    it keeps: changing the output in place before backward is fine, as in PyTorch."""
    x = ddp.tensor([0.7, 1.3], requires_grad=True)
    y = x ** 2
    y += 1
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.4, 2.6], rtol=1e-6)
    z = ddp.tensor([[1.0, 2.0], [3.0, 5.0], [0.0, 1.0]], requires_grad=True)
    out = ddp.nn.BatchNorm1d(2, affine=False)(z)
    out += 1
    (out * ddp.tensor([1.0, 2.0])).sum().backward()
    assert np.isfinite(z.grad.numpy()).all()
    e = ddp.tensor([2.0, 3.0], requires_grad=True)
    w = ddp.tensor([0.7, 1.3]) ** e  # d/de needs the output: writing it must still be refused
    w += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.sum().backward()


def test_a_weight_changed_after_forward_on_an_input_without_grad():
    """Linear keeps the weight only for the input's gradient: with an input that needs none, changing the
    weight under no_grad before backward is fine (as in PyTorch); with one that does, it is refused."""
    m = ddp.nn.Linear(2, 2)
    out = m(ddp.ones(1, 2))
    with ddp.no_grad():
        m.weight.add_(1.0)
    out.sum().backward()
    assert m.weight.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    out = m(ddp.ones(1, 2, requires_grad=True))
    with ddp.no_grad():
        m.weight.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_parameter_containers_schedulers_and_adam_print_and_save_as_pytorchs():
    pl = ddp.nn.ParameterList([ddp.nn.Parameter(ddp.ones(2, 3)), ddp.nn.Parameter(ddp.ones(1))])
    pd = ddp.nn.ParameterDict({"b": ddp.nn.Parameter(ddp.ones(2, dtype=ddp.float64))})
    assert repr(pl) == ("ParameterList(\n    (0): Parameter containing: [ddp.float32 of size 2x3]\n"
                        "    (1): Parameter containing: [ddp.float32 of size 1]\n)")
    assert repr(pd) == "ParameterDict(  (b): Parameter containing: [ddp.DoubleTensor of size 2])"  # PyTorch's, too
    opt = ddp.optim.Adam([ddp.nn.Parameter(ddp.ones(1))])
    assert list(opt.state_dict()["param_groups"][0])[-2:] == ["decoupled_weight_decay", "params"]
    state = lr_scheduler.StepLR(opt, 2).state_dict()
    assert state["_get_lr_called_within_step"] is False


def test_float_of_a_tensor_requiring_grad_warns_as_pytorchs():
    x = ddp.tensor(2.0, requires_grad=True) * 2
    with pytest.warns(UserWarning, match="Converting a tensor with requires_grad=True to a scalar"):
        assert float(x) == 4.0
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.item() == 4.0 and int(x) == 4 and float(x.detach()) == 4.0


def test_pytorchs_keyword_names_input_and_other():
    t = ddp.tensor([[1.0, -2.0], [3.0, 4.0]])
    F = ddp.nn.functional
    assert ddp.sum(input=t).item() == 6.0 and ddp.matmul(input=t, other=t).tolist() == [[-5.0, -10.0], [15.0, 10.0]]
    assert ddp.where(t > 2, input=t, other=ddp.zeros(2, 2)).tolist() == [[0.0, 0.0], [3.0, 4.0]]
    assert ddp.gather(input=t, dim=1, index=ddp.tensor([[0], [1]])).tolist() == [[1.0], [4.0]]
    assert ddp.exp(input=ddp.zeros(1)).item() == 1.0 and ddp.add(input=t, other=t, alpha=2).tolist()[0] == [3.0, -6.0]
    assert F.relu(input=t).tolist() == [[1.0, 0.0], [3.0, 4.0]] and F.softmax(input=t, dim=-1).sum().item() == 2.0
    assert F.layer_norm(input=t, normalized_shape=(2,)).shape == (2, 2) and F.dropout(input=t, p=0.0) is t


def test_a_model_copy_has_no_gradients_and_nan_sorts_as_largest():
    import copy
    m = ddp.nn.Linear(2, 1)
    m(ddp.ones(3, 2)).sum().backward()
    assert copy.deepcopy(m).weight.grad is None and m.weight.grad is not None  # PyTorch's Parameter copies
    t = ddp.ones(2, requires_grad=True)
    (t * 2).sum().backward()
    assert copy.deepcopy(t).grad.tolist() == [2.0, 2.0]  # a plain tensor keeps it, as PyTorch's
    x = ddp.tensor([1.0, float("nan"), 2.0, 0.5, float("inf"), float("nan")])
    assert x.topk(3).indices.tolist() == [1, 5, 4] and x.sort(descending=True).indices.tolist() == [1, 5, 4, 2, 0, 3]
    assert x.sort().indices.tolist() == [3, 0, 2, 4, 1, 5] and x.argsort(descending=True).tolist()[:2] == [1, 5]
