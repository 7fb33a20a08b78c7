"""Module hooks (module_hooks.py): forward pre-hooks and hooks with kwargs, prepend and always_call, and full
backward pre-hooks and hooks. One scenario runs under ddp and under torch; both must record the same events."""
import warnings

import numpy as np
import pytest

import ddp


def _values(x):
    if x is None:
        return None
    if isinstance(x, tuple):
        return tuple(_values(a) for a in x)
    return np.round(x.detach().numpy().astype(float), 6).tolist()


def _scenario(lib):
    """Every hook kind, their order, what they see, and the replacements they make."""
    nn, log = lib.nn, []

    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)

        def forward(self, x, scale, y):
            h = self.lin(x) * scale
            return h, h * y

    m = Two()
    with lib.no_grad():
        m.lin.weight.copy_(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
        m.lin.bias.copy_(lib.tensor([0.5, -0.5]))
    pre = m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", _values(go))))
    full = m.register_full_backward_hook(lambda mod, gi, go: log.append(("full", _values(gi), _values(go))))
    x, y = lib.tensor([[1.0, -1.0]], requires_grad=True), lib.tensor([[2.0, 3.0]])
    a, b = m(x, 3.0, y)
    (a.sum() + 2 * b.sum()).backward()
    log.append(("x.grad", _values(x.grad)))

    pre.remove()
    full.remove()
    m.register_full_backward_pre_hook(lambda mod, go: tuple(g * 2 for g in go))
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] + 1, None, None))
    x.grad = None
    a, b = m(x, 3.0, y)
    (a.sum() + b.sum()).backward()
    log.append(("replaced", _values(x.grad), _values(m.lin.weight.grad)))

    lin = nn.Linear(2, 1)
    lin.register_full_backward_hook(lambda mod, gi, go: log.append(("no input needs grad", gi, _values(go))))
    with pytest.warns(UserWarning):
        lin(lib.ones(3, 2)).sum().backward()

    order = []

    class Scale(nn.Module):
        def forward(self, x, *, k=1.0, fail=False):
            if fail:
                raise ValueError("boom")
            return x * k

    s = Scale()
    s.register_forward_pre_hook(lambda mod, args: order.append("pre"))
    s.register_forward_pre_hook(lambda mod, args, kwargs: (order.append(("pre kwargs", sorted(kwargs))),
                                                           (args, {**kwargs, "k": 10.0}))[1], with_kwargs=True)
    s.register_forward_pre_hook(lambda mod, args: order.append("pre prepended"), prepend=True)
    s.register_forward_hook(lambda mod, args, out: order.append(("post", _values(out))))
    s.register_forward_hook(lambda mod, args, kwargs, out: (order.append(("post kwargs", sorted(kwargs))), out + 1)[1],
                            with_kwargs=True)
    s.register_forward_hook(lambda mod, args, out: order.append(("always", out is None)), always_call=True)
    s.register_forward_hook(lambda mod, args, out: order.append("post prepended"), prepend=True)
    order.append(("result", _values(s(lib.ones(2), k=2.0))))
    with pytest.raises(ValueError, match="boom"):
        s(lib.ones(2), fail=True)
    log.append(("forward", order))

    calls = []
    lin2 = nn.Linear(1, 1)
    with lin2.register_forward_hook(lambda *args: calls.append(1)):
        lin2(lib.ones(1, 1))
    lin2(lib.ones(1, 1))
    log.append(("handle as a context manager", len(calls)))

    tanh = nn.Tanh()
    tanh.register_full_backward_hook(lambda mod, gi, go: log.append(("tanh", _values(gi), _values(go))))
    z = lib.tensor([0.5, -1.0], requires_grad=True)
    (gz,) = lib.autograd.grad(tanh(z).sum(), z, create_graph=True)
    (ggz,) = lib.autograd.grad(gz.sum(), z)  # through the recorded gradient: no hook runs again
    log.append(("double backward", _values(gz), _values(ggz)))
    return log


def test_hooks_see_and_replace_what_pytorchs_do():
    torch = pytest.importorskip("torch")
    got, want = _scenario(ddp), _scenario(torch)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g == w


def test_hooks_without_torch():
    log = dict((entry[0], entry[1:]) for entry in _scenario(ddp))
    assert log["x.grad"] == ([[78.0, 114.0]],)
    assert log["full"][0][1] is None  # the float argument
    assert log["no input needs grad"][0] == (None,)
    assert log["handle as a context manager"] == (1,)


def test_a_hook_that_returns_the_wrong_number_of_gradients_raises():
    lin = ddp.nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    x = ddp.ones(1, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="invalid number of grad_input"):
        lin(x).sum().backward()
    lin = ddp.nn.Linear(2, 2)
    lin.register_full_backward_pre_hook(lambda mod, go: (go[0], go[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_output"):
        lin(x).sum().backward()


def test_a_forward_pre_hook_with_kwargs_must_return_args_and_kwargs():
    lin = ddp.nn.Linear(2, 2)
    lin.register_forward_pre_hook(lambda mod, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match="new_args, new_kwargs"):
        lin(ddp.ones(1, 2))


def test_a_failing_always_call_hook_warns_and_forward_error_wins():
    class Fails(ddp.nn.Module):
        def forward(self, x):
            raise KeyError("forward")

    m = Fails()
    m.register_forward_hook(lambda mod, args, out: 1 / 0, always_call=True)
    with pytest.warns(UserWarning, match="silenced"), pytest.raises(KeyError):
        m(ddp.ones(1))


def test_backward_hooks_fire_per_call_of_a_shared_module():
    lin = ddp.nn.Linear(2, 2, bias=False)
    seen = []
    lin.register_full_backward_hook(lambda mod, gi, go: seen.append(_values(go[0])))
    x = ddp.ones(1, 2, requires_grad=True)
    (lin(lin(x)) * ddp.tensor([[1.0, 2.0]])).sum().backward()
    assert len(seen) == 2 and seen[0] == [[1.0, 2.0]]


def test_no_hooks_under_no_grad_and_forward_is_unchanged():
    lin = ddp.nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda mod, gi, go: pytest.fail("no backward ran"))
    with ddp.no_grad():
        out = lin(ddp.ones(1, 2))
    np.testing.assert_array_equal(out.numpy(), ddp.nn.functional.linear(ddp.ones(1, 2), lin.weight, lin.bias).detach().numpy())


def test_a_module_pickled_without_the_new_hook_dicts_still_runs():
    import pickle
    lin = ddp.nn.Linear(2, 2)
    state = lin.__dict__.copy()
    for name in ("_backward_hooks", "_backward_pre_hooks", "_forward_hooks_with_kwargs"):
        del state[name]
    restored = ddp.nn.Linear.__new__(ddp.nn.Linear)
    restored.__setstate__(state)
    assert restored(ddp.ones(1, 2)).shape == (1, 2)
    assert pickle.loads(pickle.dumps(lin))(ddp.ones(1, 2)).shape == (1, 2)


def _legacy_scenario(lib):
    """The deprecated register_backward_hook on single-op modules, where its grad_input is the module's own:
    what it sees, a replacement it returns, and the refusal to mix it with full backward hooks."""
    log = []
    x = lib.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    sig = lib.nn.Sigmoid()

    def hook(module, grad_input, grad_output):
        log.append((type(module).__name__, _values(grad_input), _values(grad_output)))
        return tuple(g * 2 for g in grad_input)

    handle = sig.register_backward_hook(hook)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = sig(x)
    assert any(issubclass(w.category, FutureWarning) and "non-full backward hook" in str(w.message) for w in caught)
    (out * lib.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    log.append(("x.grad", _values(x.grad)))
    handle.remove()
    x.grad = None
    sig(x).sum().backward()  # removed: the next forward registers nothing
    log.append(("after remove", len(log)))
    with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full backward hooks"):
        sig.register_full_backward_hook(lambda *a: None)
    full = lib.nn.Tanh()
    full.register_full_backward_hook(lambda *a: None)
    with pytest.raises(RuntimeError, match="Cannot use both"):
        full.register_backward_hook(hook)
    return log


def test_legacy_backward_hook_sees_the_last_ops_gradients():
    log = _legacy_scenario(ddp)
    s = 1 / (1 + np.exp(-np.array([0.5, -1.0, 2.0])))
    want = np.round(s * (1 - s) * [1.0, 2.0, 3.0], 6).tolist()
    assert log[0] == ("Sigmoid", ([want],), ([[1.0, 2.0, 3.0]],))
    np.testing.assert_allclose(log[1][1], [[2 * w for w in want]], atol=1e-6)
    assert log[2] == ("after remove", 2)
    torch = pytest.importorskip("torch")
    assert log == _legacy_scenario(torch)


def _global_scenario(lib):
    """torch.nn.modules.module's hooks for every module: their order beside a module's own hooks, the
    registration hooks (one replaces what is registered), and their removal."""
    mm = lib.nn.modules.module
    log, made = [], []

    def replace_bias(module, name, param):
        log.append(("param", name))
        if name == "bias":
            made.append(lib.nn.Parameter(param.detach().clone()))
            return made[-1]
        return None

    handles = [
        mm.register_module_forward_pre_hook(lambda m, a: log.append(("pre", type(m).__name__))),
        mm.register_module_forward_hook(lambda m, a, o: log.append(("post", type(m).__name__))),
        mm.register_module_full_backward_pre_hook(lambda m, go: log.append(("back pre", type(m).__name__))),
        mm.register_module_full_backward_hook(lambda m, gi, go: log.append(("back", type(m).__name__))),
        mm.register_module_parameter_registration_hook(replace_bias),
        mm.register_module_module_registration_hook(lambda m, n, s: log.append(("module", n))),
        mm.register_module_buffer_registration_hook(lambda m, n, b: log.append(("buffer", n))),
    ]
    try:
        net = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2))
        net[0].register_forward_hook(lambda m, a, o: log.append(("own", type(m).__name__)))
        x = lib.ones(3, 2, requires_grad=True)
        net(x).sum().backward()
        log.append(("bias replaced", net[0].bias is made[0] and net[1].bias is made[1]))
    finally:
        for h in handles:
            h.remove()
    net(x)
    return log


def test_global_module_hooks():
    log = _global_scenario(ddp)
    assert log[:9] == [("param", "weight"), ("param", "bias"), ("param", "weight"), ("param", "bias"),
                       ("buffer", "running_mean"), ("buffer", "running_var"), ("buffer", "num_batches_tracked"),
                       ("module", "0"), ("module", "1")]
    assert log[9:16] == [("pre", "Sequential"), ("pre", "Linear"), ("post", "Linear"), ("own", "Linear"),
                         ("pre", "BatchNorm1d"), ("post", "BatchNorm1d"), ("post", "Sequential")]
    assert log[-2:] == [("bias replaced", True), ("own", "Linear")]  # removed hooks are gone
    torch = pytest.importorskip("torch")
    assert log == _global_scenario(torch)
