"""ddp.autograd.functional (jacobian, vjp, jvp, hessian, hvp, vhp; create_graph) in float64 against
torch.autograd.functional where installed, and a central-difference check of the Jacobian."""
import numpy as np
import pytest

import ddp
import ddp.autograd.functional as AF
from ddp.autograd.functional import jacobian, jvp, vjp


def _np(t):
    return np.array(t.detach().numpy())


def _close(got, want):
    if isinstance(want, (tuple, list)):  # torch's forward-mode jacobian nests in lists; ddp always in tuples
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _close(g, w)
    else:
        assert isinstance(got, ddp.Tensor) and not got.requires_grad and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(_np(got), want.detach().numpy(), rtol=1e-10, atol=1e-12)


X = np.random.default_rng(0).uniform(0.5, 1.5, 3)
Y = np.random.default_rng(1).uniform(0.5, 1.5, (2, 3))


def _case(lib, name):
    """(function, inputs) for ddp or torch."""
    x, y = lib.tensor(X, dtype=lib.float64), lib.tensor(Y, dtype=lib.float64)
    return {
        "tensor-tensor": (lambda a: a.exp() * a[1], x),
        "tensor-scalar": (lambda a: (a ** 2).sum(), x),
        "scalar-scalar": (lambda a: a.sin() * 3, lib.tensor(0.7, dtype=lib.float64)),
        "tuple-tensor": (lambda a, b: b @ a.tanh(), (x, y)),
        "tuple-tuple": (lambda a, b: (a * b, (a * 2).sum()), (x, y)),
        "one-tuple": (lambda a: (a * a,), (x,)),
        "unused": (lambda a, b: a.sum() * 2, (x, y)),
        "constant": (lambda a: lib.ones(2, dtype=lib.float64), x),
    }[name]


NAMES = ["tensor-tensor", "tensor-scalar", "scalar-scalar", "tuple-tensor", "tuple-tuple", "one-tuple", "unused",
         "constant"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
def test_jacobian_matches_torch(name, strategy):
    torch = pytest.importorskip("torch")
    f, inputs = _case(ddp, name)
    tf, tinputs = _case(torch, name)
    _close(jacobian(f, inputs, strategy=strategy, vectorize=True), torch.autograd.functional.jacobian(
        tf, tinputs, strategy=strategy, vectorize=True))


def _vectors(lib, like, seed):
    rng = np.random.default_rng(seed)
    items = like if isinstance(like, tuple) else (like,)
    vs = tuple(lib.tensor(rng.standard_normal(tuple(t.shape)), dtype=lib.float64) for t in items)
    return vs if isinstance(like, tuple) else vs[0]


@pytest.mark.parametrize("name", NAMES)
def test_vjp_and_jvp_match_torch(name):
    torch = pytest.importorskip("torch")
    f, inputs = _case(ddp, name)
    tf, tinputs = _case(torch, name)
    tout = tf(*tinputs) if isinstance(tinputs, tuple) else tf(tinputs)
    v, tv = _vectors(ddp, _as_ddp(tout), 3), _vectors(torch, tout, 3)
    _close(vjp(f, inputs, v), torch.autograd.functional.vjp(tf, tinputs, tv))
    u, tu = _vectors(ddp, inputs, 4), _vectors(torch, tinputs, 4)
    _close(jvp(f, inputs, u), torch.autograd.functional.jvp(tf, tinputs, tu))


def _as_ddp(t):
    if isinstance(t, tuple):
        return tuple(_as_ddp(x) for x in t)
    return ddp.tensor(t.detach().numpy())


def test_jacobian_by_central_differences():
    def f(a, b):
        return (b @ a.sin()) * a[0]

    x, y = ddp.tensor(X, dtype=ddp.float64), ddp.tensor(Y, dtype=ddp.float64)
    jx, jy = jacobian(f, (x, y))
    for j, arg in ((jx, 0), (jy, 1)):
        base = [X.copy(), Y.copy()]
        numeric = np.zeros(tuple(j.shape))
        for idx in np.ndindex(base[arg].shape):
            hi, lo = [b.copy() for b in base], [b.copy() for b in base]
            hi[arg][idx] += 1e-6
            lo[arg][idx] -= 1e-6
            diff = _np(f(ddp.tensor(hi[0]), ddp.tensor(hi[1]))) - _np(f(ddp.tensor(lo[0]), ddp.tensor(lo[1])))
            numeric[(slice(None),) + idx] = diff / 2e-6
        np.testing.assert_allclose(_np(j), numeric, rtol=1e-6, atol=1e-8)


def test_defaults_v_none_and_strict():
    x = ddp.tensor(X, dtype=ddp.float64)
    out, g = vjp(lambda a: (a ** 2).sum(), x)  # one-element output: v may be omitted
    np.testing.assert_allclose(_np(g), 2 * X)
    _, t = jvp(lambda a: a * 3, ddp.tensor(2.0, dtype=ddp.float64))
    assert t.item() == 3.0
    with pytest.raises(RuntimeError, match="v may be None only"):
        vjp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="v may be None only"):
        jvp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match=r"v\[0\] has shape \(2,\)"):
        vjp(lambda a: a * 2, x, ddp.ones(2, dtype=ddp.float64))
    with pytest.raises(RuntimeError, match="output 0 of the user-provided function does not depend on input 1"):
        jacobian(lambda a, b: a.sum(), (x, x), strict=True)
    with pytest.raises(RuntimeError, match="do not depend on input 1"):
        vjp(lambda a, b: a.sum(), (x, x), strict=True)
    assert not x.requires_grad


def test_errors_match_torch_types():
    torch = pytest.importorskip("torch")
    x, tx = ddp.tensor(X), torch.tensor(X)
    calls = [
        (lambda lib, t: lib.autograd.functional.jacobian(lambda a: a, [t])),
        (lambda lib, t: lib.autograd.functional.jacobian(lambda a: 3, t)),
        (lambda lib, t: lib.autograd.functional.jacobian(lambda a: a, t, strategy="sideways")),
        (lambda lib, t: lib.autograd.functional.vjp(lambda a: a * 2, t)),
    ]
    for call in calls:
        assert _raised(call, ddp, x) is _raised(call, torch, tx)


def _raised(call, lib, t):
    try:
        call(lib, t)
    except Exception as e:  # noqa: BLE001 - the type is compared
        return ValueError if type(e) is AssertionError else type(e)  # torch asserts where ddp raises ValueError
    return None


SECOND_ORDER = {
    "one": (lambda a: (a.tanh() ** 3).sum() * a[0], lambda lib: lib.tensor(X, dtype=lib.float64)),
    "pair": (lambda a, b: (b @ a.sin()).exp().sum() * a[1], lambda lib: (lib.tensor(X, dtype=lib.float64),
                                                                         lib.tensor(Y, dtype=lib.float64))),
    "unused": (lambda a, b: (a ** 3).sum(), lambda lib: (lib.tensor(X, dtype=lib.float64),
                                                         lib.tensor(Y, dtype=lib.float64))),
    "linear": (lambda a: (a * 2).sum(), lambda lib: lib.tensor(X, dtype=lib.float64)),
}


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_hessian_hvp_vhp_match_torch(name):
    torch = pytest.importorskip("torch")
    f, make = SECOND_ORDER[name]
    inputs, tinputs = make(ddp), make(torch)
    _close(AF.hessian(f, inputs), torch.autograd.functional.hessian(f, tinputs))
    v, tv = _vectors(ddp, inputs, 5), _vectors(torch, tinputs, 5)
    _close(AF.vhp(f, inputs, v), torch.autograd.functional.vhp(f, tinputs, tv))
    _close(AF.hvp(f, inputs, v), torch.autograd.functional.hvp(f, tinputs, tv))


def test_hessian_by_central_differences_of_the_gradient():
    def f(a):
        return (a.sin() * a.roll(1)).sum() ** 2

    h = _np(AF.hessian(f, ddp.tensor(X)))
    numeric = np.zeros((3, 3))
    for j in range(3):
        step = np.zeros(3)
        step[j] = 1e-6
        hi, lo = (vjp(f, ddp.tensor(X + s))[1] for s in (step, -step))
        numeric[:, j] = (_np(hi) - _np(lo)) / 2e-6
    np.testing.assert_allclose(h, numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(h, h.T, rtol=1e-12)


def test_create_graph_results_are_differentiable_and_reach_the_inputs():
    torch = pytest.importorskip("torch")
    for lib in (ddp, torch):
        x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
        j = lib.autograd.functional.jacobian(lambda a: a.sin() * a, x, create_graph=True)
        _, hv = lib.autograd.functional.hvp(lambda a: (a ** 4).sum(), x, lib.ones(3, dtype=lib.float64),
                                            create_graph=True)
        _, jv = lib.autograd.functional.jvp(lambda a: a.exp(), x, x, create_graph=True)
        assert j.requires_grad and hv.requires_grad and jv.requires_grad
        (j.sum() + hv.sum() + jv.sum()).backward()
        if lib is ddp:
            got = _np(x.grad)
        else:
            np.testing.assert_allclose(got, x.grad.numpy(), rtol=1e-12)
    h = AF.hessian(lambda a: (a ** 3).sum(), ddp.tensor(X, requires_grad=True))
    assert not h.requires_grad  # without create_graph the result is detached


def test_hessian_errors_and_strict():
    x = ddp.tensor(X)
    with pytest.raises(RuntimeError, match="should contain a single element"):
        AF.hessian(lambda a: a * 2, x)
    with pytest.raises(TypeError, match="should return a single Tensor"):
        AF.vhp(lambda a: (a.sum(), a.sum()), x, x)
    with pytest.raises(RuntimeError, match="strict=True"):
        AF.hessian(lambda a, b: (a ** 3).sum(), (x, x), strict=True)
    with pytest.raises(RuntimeError, match="strict=True"):
        AF.hvp(lambda a: (a * 2).sum(), x, x, strict=True)  # the gradient does not depend on a
    with pytest.raises(RuntimeError, match=r"v\[0\] has shape"):
        AF.hvp(lambda a: (a ** 3).sum(), x, ddp.ones(2))


def test_import_paths():
    import ddp.core.autograd as autograd_module
    from ddp.autograd import functional

    assert functional is AF is autograd_module.functional is ddp.autograd.functional
