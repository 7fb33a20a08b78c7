"""nn.utils.parametrize (register / remove / cached, original and original0..n keys), the
parametrizations weight_norm and spectral_norm, and the older hook forms weight_norm / spectral_norm;
values and gradients (float64) against torch where installed."""
import copy

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.utils.parametrize as P
from ddp.nn.utils import parametrizations, remove_spectral_norm, remove_weight_norm, spectral_norm, weight_norm


def _np(t):
    return np.array(t.detach().numpy())


def _load_from_torch(module, tmodule):
    module.load_state_dict({k: _np(v) for k, v in tmodule.state_dict().items()})


def _parametrizations(lib):
    """The same three parametrizations written for ddp and for torch."""

    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(0, 1)

        def right_inverse(self, A):
            return A.triu()

    class Scale(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.s = lib.nn.Parameter(lib.tensor(2.0, dtype=lib.float64))

        def forward(self, X):
            return X * self.s

        def right_inverse(self, X):
            return X / self.s

    class Sum(lib.nn.Module):  # two originals: original0, original1
        def forward(self, a, b):
            return a + b

        def right_inverse(self, X):
            return X * 0.25, X * 0.75

    return Symmetric, Scale, Sum


class _Square(nn.Module):
    """A layer whose forward reads self.weight (as a parametrized module must)."""

    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(ddp.randn(n, n, dtype=ddp.float64))
        self.register_buffer("shift", ddp.zeros(n, dtype=ddp.float64))

    def forward(self, x):
        return x @ self.weight.T + self.shift


def test_register_state_dict_and_values_match_torch():
    torch = pytest.importorskip("torch")
    m, tm = _Square(3), torch.nn.Linear(3, 3, bias=False, dtype=torch.float64)
    with torch.no_grad():
        tm.weight.copy_(torch.from_numpy(_np(m.weight)))
    for (d_cls, t_cls) in zip(_parametrizations(ddp)[:2], _parametrizations(torch)[:2]):
        P.register_parametrization(m, "weight", d_cls())
        torch.nn.utils.parametrize.register_parametrization(tm, "weight", t_cls())
    assert type(m).__name__ == "Parametrized_Square" and P.type_before_parametrizations(m) is _Square
    assert [k for k in m.state_dict() if k != "shift"] == list(tm.state_dict())
    assert list(m.state_dict()) == ["shift", "parametrizations.weight.original", "parametrizations.weight.1.s"]
    np.testing.assert_allclose(_np(m.weight), _np(tm.weight), rtol=1e-12)
    np.testing.assert_allclose(_np(m.parametrizations.weight.original), _np(tm.parametrizations.weight.original))
    assert P.is_parametrized(m) and P.is_parametrized(m, "weight") and not P.is_parametrized(m, "shift")
    # gradients reach the original and the parametrization's own parameter
    x = ddp.randn(4, 3, dtype=ddp.float64)
    (m(x) ** 2).sum().backward()
    (torch.nn.functional.linear(torch.from_numpy(_np(x)), tm.weight) ** 2).sum().backward()
    np.testing.assert_allclose(_np(m.parametrizations.weight.original.grad),
                               _np(tm.parametrizations.weight.original.grad), rtol=1e-10)
    np.testing.assert_allclose(m.parametrizations.weight[1].s.grad.item(), tm.parametrizations.weight[1].s.grad.item(),
                               rtol=1e-10)


def test_assignment_uses_right_inverse_and_keeps_the_original_object():
    Symmetric, Scale, _ = _parametrizations(ddp)
    m = _Square(3)
    original = m.weight
    P.register_parametrization(m, "weight", Scale())
    assert m.parametrizations.weight.original is original  # optimizers built before still hold it
    m.weight = ddp.eye(3, dtype=ddp.float64)
    np.testing.assert_allclose(_np(m.weight), np.eye(3))
    np.testing.assert_allclose(_np(original), np.eye(3) / 2)
    P.register_parametrization(m, "weight", Symmetric())
    m.weight = ddp.ones(3, 3, dtype=ddp.float64)
    np.testing.assert_allclose(_np(m.weight), np.ones((3, 3)))


def test_several_originals_and_removal_match_torch():
    torch = pytest.importorskip("torch")
    m, tm = _Square(2), torch.nn.Linear(2, 2, bias=False, dtype=torch.float64)
    with torch.no_grad():
        tm.weight.copy_(torch.from_numpy(_np(m.weight)))
    P.register_parametrization(m, "weight", _parametrizations(ddp)[2]())
    torch.nn.utils.parametrize.register_parametrization(tm, "weight", _parametrizations(torch)[2]())
    assert [k for k in m.state_dict() if k != "shift"] == list(tm.state_dict())
    np.testing.assert_allclose(_np(m.parametrizations.weight.original1), _np(tm.parametrizations.weight.original1))
    with pytest.raises(ValueError, match="leave_parametrized=True"):
        P.remove_parametrizations(m, "weight", leave_parametrized=False)
    value = _np(m.weight)
    P.remove_parametrizations(m, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(tm, "weight")
    assert type(m) is _Square and not hasattr(m, "parametrizations") and isinstance(m.weight, nn.Parameter)
    assert list(m.state_dict()) == ["weight", "shift"]  # parameters before buffers, as in torch
    np.testing.assert_allclose(_np(m.weight), value)


def test_remove_keeps_the_original_when_asked():
    _, Scale, _ = _parametrizations(ddp)
    m = _Square(2)
    before = _np(m.weight)
    P.register_parametrization(m, "weight", Scale())
    P.remove_parametrizations(m, "weight", leave_parametrized=False)
    np.testing.assert_allclose(_np(m.weight), before / 2)  # right_inverse ran at registration


def test_buffers_can_be_parametrized():
    _, Scale, _ = _parametrizations(ddp)
    m = _Square(2)
    m.shift = ddp.ones(2, dtype=ddp.float64)
    P.register_parametrization(m, "shift", Scale())
    assert "parametrizations.shift.original" in m.state_dict()
    assert not isinstance(m.parametrizations.shift.original, nn.Parameter)
    np.testing.assert_allclose(_np(m.shift), [1.0, 1.0])


def test_cached_computes_once():
    calls = []

    class Counting(nn.Module):
        def forward(self, X):
            calls.append(1)
            return X * 1

    m = P.register_parametrization(_Square(2), "weight", Counting())
    calls.clear()
    with P.cached():
        a, b = m.weight, m.weight
        with P.cached():
            assert m.weight is a
    assert a is b and len(calls) == 1
    assert m.weight is not m.weight


def test_deepcopy_gets_its_own_class():
    _, Scale, _ = _parametrizations(ddp)
    m = P.register_parametrization(_Square(2), "weight", Scale())
    c = copy.deepcopy(m)
    assert type(c) is not type(m) and type(c).__name__ == type(m).__name__
    P.remove_parametrizations(c, "weight")
    assert type(c) is _Square and P.is_parametrized(m, "weight")
    np.testing.assert_allclose(_np(c.weight), _np(m.weight))


def test_errors():
    Symmetric, _, _ = _parametrizations(ddp)
    with pytest.raises(ValueError, match="no parameter or buffer named 'nothere'"):
        P.register_parametrization(_Square(2), "nothere", Symmetric())

    class Shrink(nn.Module):
        def forward(self, X):
            return X[0]

    with pytest.raises(ValueError, match="must keep the dtype and shape"):
        P.register_parametrization(_Square(2), "weight", Shrink())
    P.register_parametrization(_Square(2), "weight", Shrink(), unsafe=True)
    with pytest.raises(ValueError, match="has no parametrization on 'weight'"):
        P.remove_parametrizations(_Square(2), "weight")

    class NoInverse(nn.Module):
        def forward(self, X):
            return X * 2

    m = P.register_parametrization(_Square(2), "weight", NoInverse())
    with pytest.raises(RuntimeError, match="no right_inverse"):
        m.weight = ddp.zeros(2, 2, dtype=ddp.float64)


@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_parametrization_matches_torch(dim):
    torch = pytest.importorskip("torch")
    conv, tconv = nn.Conv1d(3, 4, 2).double(), torch.nn.Conv1d(3, 4, 2).double()
    _load_from_torch(conv, tconv)
    parametrizations.weight_norm(conv, dim=dim)
    torch.nn.utils.parametrizations.weight_norm(tconv, dim=dim)
    assert list(conv.state_dict()) == list(tconv.state_dict())
    for key, value in tconv.state_dict().items():
        np.testing.assert_allclose(_np(conv.state_dict()[key]), _np(value), rtol=1e-12, err_msg=key)
    x = np.random.default_rng(0).standard_normal((2, 3, 5))
    out, tout = conv(ddp.tensor(x)), tconv(torch.from_numpy(x))
    np.testing.assert_allclose(_np(out), _np(tout), rtol=1e-10)
    (out ** 2).sum().backward()
    (tout ** 2).sum().backward()
    for i in range(2):
        np.testing.assert_allclose(_np(getattr(conv.parametrizations.weight, f"original{i}").grad),
                                   _np(getattr(tconv.parametrizations.weight, f"original{i}").grad), rtol=1e-9)


@pytest.mark.parametrize("cls", ["Conv1d", "ConvTranspose1d"])
def test_spectral_norm_parametrization_matches_torch(cls):
    torch = pytest.importorskip("torch")
    m, tm = getattr(nn, cls)(3, 4, 2).double(), getattr(torch.nn, cls)(3, 4, 2).double()
    _load_from_torch(m, tm)
    parametrizations.spectral_norm(m)
    torch.nn.utils.parametrizations.spectral_norm(tm)
    assert list(m.state_dict()) == list(tm.state_dict())
    _load_from_torch(m, tm)  # the same u, v (drawn at random on each side)
    x = np.random.default_rng(1).standard_normal((2, 3, 5))
    for training in (True, False):
        m.train(training)
        tm.train(training)
        out, tout = m(ddp.tensor(x)), tm(torch.from_numpy(x))
        np.testing.assert_allclose(_np(out), _np(tout), rtol=1e-9)
        np.testing.assert_allclose(_np(m.parametrizations.weight[0]._u), _np(tm.parametrizations.weight[0]._u),
                                   rtol=1e-9)
    (out ** 2).sum().backward()
    (tout ** 2).sum().backward()
    np.testing.assert_allclose(_np(m.parametrizations.weight.original.grad),
                               _np(tm.parametrizations.weight.original.grad), rtol=1e-8)


def test_hook_weight_norm_matches_torch():
    torch = pytest.importorskip("torch")
    conv, tconv = nn.Conv1d(3, 4, 2).double(), torch.nn.Conv1d(3, 4, 2).double()
    _load_from_torch(conv, tconv)
    with pytest.warns(FutureWarning):
        weight_norm(conv)
    with pytest.warns(FutureWarning):
        torch.nn.utils.weight_norm(tconv)
    assert list(conv.state_dict()) == list(tconv.state_dict()) == ["bias", "weight_g", "weight_v"]
    np.testing.assert_allclose(_np(conv.weight_g), _np(tconv.weight_g), rtol=1e-12)
    x = np.random.default_rng(2).standard_normal((2, 3, 5))
    with torch.no_grad():
        tconv.weight_g.mul_(1.5)
    conv.weight_g.data = ddp.tensor(_np(tconv.weight_g))
    out, tout = conv(ddp.tensor(x)), tconv(torch.from_numpy(x))  # the hook recomputes weight from g and v
    np.testing.assert_allclose(_np(out), _np(tout), rtol=1e-10)
    (out ** 2).sum().backward()
    (tout ** 2).sum().backward()
    np.testing.assert_allclose(_np(conv.weight_g.grad), _np(tconv.weight_g.grad), rtol=1e-9)
    np.testing.assert_allclose(_np(conv.weight_v.grad), _np(tconv.weight_v.grad), rtol=1e-9)
    with pytest.raises(RuntimeError, match="already has a weight_norm hook"), pytest.warns(FutureWarning):
        weight_norm(conv)
    remove_weight_norm(conv)
    torch.nn.utils.remove_weight_norm(tconv)
    assert list(conv.state_dict()) == list(tconv.state_dict()) and not conv._forward_pre_hooks
    np.testing.assert_allclose(_np(conv.weight), _np(tconv.weight), rtol=1e-10)
    with pytest.raises(ValueError, match="no weight_norm"):
        remove_weight_norm(conv)


def test_hook_spectral_norm_matches_torch():
    torch = pytest.importorskip("torch")
    conv, tconv = nn.Conv1d(3, 4, 2).double(), torch.nn.Conv1d(3, 4, 2).double()
    _load_from_torch(conv, tconv)
    spectral_norm(conv, n_power_iterations=2)
    torch.nn.utils.spectral_norm(tconv, n_power_iterations=2)
    assert list(conv.state_dict()) == list(tconv.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    _load_from_torch(conv, tconv)
    x = np.random.default_rng(3).standard_normal((2, 3, 5))
    out, tout = conv(ddp.tensor(x)), tconv(torch.from_numpy(x))
    np.testing.assert_allclose(_np(out), _np(tout), rtol=1e-9)
    np.testing.assert_allclose(_np(conv.weight_u), _np(tconv.weight_u), rtol=1e-9)
    (out ** 2).sum().backward()
    (tout ** 2).sum().backward()
    np.testing.assert_allclose(_np(conv.weight_orig.grad), _np(tconv.weight_orig.grad), rtol=1e-8)
    remove_spectral_norm(conv)
    torch.nn.utils.remove_spectral_norm(tconv)
    assert list(conv.state_dict()) == list(tconv.state_dict())
    np.testing.assert_allclose(_np(conv.weight), _np(tconv.weight), rtol=1e-9)


def test_linear_uses_the_parametrized_weight():
    lin = parametrizations.weight_norm(nn.Linear(3, 2))
    x = ddp.randn(4, 3)
    np.testing.assert_allclose(_np(lin(x)), _np(x @ lin.weight.T + lin.bias), rtol=1e-6)
    with pytest.warns(FutureWarning):
        hooked = weight_norm(nn.Linear(3, 2))
    hooked(x)
