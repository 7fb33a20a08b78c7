"""ddp.func results stay in the caller's graph (PyTorch's levels): their backward reaches the tensors they
close over or are given that require grad outside, checked against torch.func where installed and
against central differences of the transforms' own values everywhere."""
import importlib

import numpy as np
import pytest

import ddp
import ddp.func as F
from ddp.core.func_pytree import flatten

RNG = np.random.default_rng(3)
W0, B0 = RNG.uniform(-1, 1, (2, 2)), RNG.uniform(-1, 1, (2,))
X0, XS0, V0 = RNG.uniform(-1, 1, (2,)), RNG.uniform(-1, 1, (3, 2)), RNG.uniform(-1, 1, (2,))
NAMES = ("w", "b", "x", "xs")


def _case(lib, name, w, b, x, xs):
    """The transform `name` applied to small functions closing over w and b."""
    func = importlib.import_module(lib.__name__ + ".func")
    nnf = importlib.import_module(lib.__name__ + ".nn.functional")
    v = lib.tensor(V0, dtype=lib.float64)

    def vec(a):
        return lib.tanh(w @ a + b)

    def sca(a):
        return (nnf.softplus(w @ a) ** 2).sum() + (a.sin() * b).exp().mean()

    out, vjp_fn = func.vjp(vec, x) if name == "vjp" else (None, None)
    return {
        "grad": lambda: func.grad(sca)(x),
        "grad_and_value": lambda: func.grad_and_value(sca)(x),
        "vmap_grad": lambda: func.vmap(func.grad(sca))(xs),
        "jacrev": lambda: func.jacrev(vec)(x),
        "jacfwd": lambda: func.jacfwd(vec)(x),
        "hessian": lambda: func.hessian(sca)(x),
        "jvp": lambda: func.jvp(vec, (x,), (v,)),
        "vjp": lambda: (out, vjp_fn(v)[0]),
        "vmap_jacrev": lambda: func.vmap(func.jacrev(vec))(xs),
        "argnums": lambda: func.jacrev(lambda a, m: lib.tanh(m @ a + b), argnums=(0, 1))(x, w),
        "has_aux": lambda: func.grad(lambda a: (sca(a), w @ a), has_aux=True)(x),
        "grad_of_grad": lambda: func.grad(lambda a: func.grad(sca)(a).sin().sum())(x),
        "jacrev_of_vmap": lambda: func.jacrev(func.vmap(vec))(xs),
    }[name]()


CASES = ["grad", "grad_and_value", "vmap_grad", "jacrev", "jacfwd", "hessian", "jvp", "vjp", "vmap_jacrev",
         "argnums", "has_aux", "grad_of_grad", "jacrev_of_vmap"]


def _scalar(lib, result):
    """A fixed weighted sum of every Tensor in the result (the weights do not depend on the library)."""
    leaves = flatten(result)[0]
    rng = np.random.default_rng(9)
    total = 0
    for t in leaves:
        total = total + (t * lib.tensor(rng.standard_normal(tuple(t.shape)), dtype=lib.float64)).sum()
    return total, leaves


def _outer_gradients(lib, name):
    values = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in (W0, B0, X0, XS0)]
    total, leaves = _scalar(lib, _case(lib, name, *values))
    assert all(t.requires_grad for t in leaves), name
    total.backward()
    return [None if t.grad is None else t.grad.numpy().copy() for t in values]


@pytest.mark.parametrize("name", CASES)
def test_backward_through_a_transform_matches_torch(name):
    torch = pytest.importorskip("torch")
    mine, theirs = _outer_gradients(ddp, name), _outer_gradients(torch, name)
    for key, got, want in zip(NAMES, mine, theirs):
        assert (got is None) == (want is None), (name, key)
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=f"{name}: d/d{key}")


@pytest.mark.parametrize("name", CASES)
def test_backward_through_a_transform_matches_central_differences(name):
    mine = _outer_gradients(ddp, name)
    base = [W0, B0, X0, XS0]

    def value(arrays):
        return _scalar(ddp, _case(ddp, name, *[ddp.tensor(a, dtype=ddp.float64) for a in arrays]))[0].item()

    for k, (key, got) in enumerate(zip(NAMES, mine)):
        numeric = np.zeros(base[k].shape)
        for idx in np.ndindex(base[k].shape):
            step = np.zeros(base[k].shape)
            step[idx] = 1e-6
            plus, minus = list(base), list(base)
            plus[k], minus[k] = base[k] + step, base[k] - step
            numeric[idx] = (value(plus) - value(minus)) / 2e-6
        got = np.zeros(base[k].shape) if got is None else got
        np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-7, err_msg=f"{name}: d/d{key}")


def _linear_in_the_vector(lib):
    """jvp's tangent output and vjp_fn's result, differentiated with respect to the vector given."""
    func = importlib.import_module(lib.__name__ + ".func")
    w = lib.tensor(W0, dtype=lib.float64)
    x = lib.tensor(X0, dtype=lib.float64)
    r = lib.tensor(V0[::-1].copy(), dtype=lib.float64)
    grads = []
    for which in ("jvp", "vjp"):
        v = lib.tensor(V0, dtype=lib.float64, requires_grad=True)
        if which == "jvp":
            primal, out = func.jvp(lambda a: lib.tanh(w @ a), (x,), (v,))
        else:
            primal, vjp_fn = func.vjp(lambda a: lib.tanh(w @ a), x)
            (out,) = vjp_fn(v)
        assert out.requires_grad and not primal.requires_grad
        (out * r).sum().backward()
        grads.append(v.grad.numpy().copy())
    return grads


def test_tangents_and_cotangents_that_require_grad_stay_in_the_graph():
    d = 1 - np.tanh(W0 @ X0) ** 2
    jac = d[:, None] * W0  # d tanh(W x) / dx
    r = V0[::-1]
    got_jvp, got_vjp = _linear_in_the_vector(ddp)
    np.testing.assert_allclose(got_jvp, jac.T @ r, rtol=1e-12)  # <J v, r> = <v, J^T r>
    np.testing.assert_allclose(got_vjp, jac @ r, rtol=1e-12)  # <J^T v, r> = <v, J r>


def test_tangents_and_cotangents_that_require_grad_match_torch():
    torch = pytest.importorskip("torch")
    for got, want in zip(_linear_in_the_vector(ddp), _linear_in_the_vector(torch)):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_grad_of_an_input_that_requires_grad_gives_the_second_derivative():
    x = ddp.tensor(X0, requires_grad=True)
    g = F.grad(lambda a: (a ** 3).sum() + a.prod())(x)
    assert g.requires_grad and x.grad is None  # the inner pass did not reach x.grad
    (g * ddp.tensor([1.0, 2.0], dtype=ddp.float64)).sum().backward()
    hess = np.diag(6 * X0) + np.array([[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(x.grad.numpy(), hess @ [1.0, 2.0], rtol=1e-12)


def test_nested_levels_do_not_confuse_their_variables():
    a = ddp.tensor(2.0, dtype=ddp.float64)
    # d/da of [d/db (a b)] = d/da a = 1, not the 2 a single tape would give by mixing the levels
    assert F.grad(lambda s: F.grad(lambda t: s * t)(s))(a).item() == 1.0
    assert F.grad(lambda s: F.grad(lambda t: s * t * t)(s))(a).item() == 8.0  # d/da 2 a^2 = 4 a


def test_results_that_reach_no_outside_tensor_come_back_detached():
    w = ddp.tensor([1.0, 2.0], dtype=ddp.float64, requires_grad=True)
    c = ddp.tensor([0.3, 0.7], dtype=ddp.float64)
    assert not F.grad(lambda a: (a ** 2).sum())(c).requires_grad
    g, value = F.grad_and_value(lambda a: (a ** 2).sum() + w.sum())(c)
    assert not g.requires_grad and value.requires_grad  # the gradient 2a does not depend on w
    _, aux = F.grad(lambda a: ((a ** 2).sum(), w * 2), has_aux=True)(c)
    assert aux.requires_grad
    with ddp.no_grad():  # nothing outside records: the caller's graph cannot reach the results
        assert not F.grad(lambda a: (a * w).sin().sum())(c).requires_grad
    assert not F.hessian(lambda a: (a ** 3).sum())(c).requires_grad
    assert not w.requires_grad or w.grad is None


def test_an_input_whose_history_was_freed_can_still_be_differentiated():
    z = ddp.tensor([0.3, 0.7], dtype=ddp.float64, requires_grad=True)
    y = z.exp()
    y.sum().backward()  # frees exp's saved result
    g = F.grad(lambda a: (a ** 3).sum())(y)  # the inner pass stops at the input's alias
    assert g.requires_grad
    np.testing.assert_allclose(g.detach().numpy(), 3 * np.exp([0.3, 0.7]) ** 2, rtol=1e-12)


def test_an_op_without_a_second_derivative_refuses_instead_of_detaching():
    w = ddp.tensor(W0, dtype=ddp.float64, requires_grad=True)
    a = ddp.tensor(X0, dtype=ddp.float64)

    def f(m, scale):
        return (m * scale).as_strided((2,), (1,)).sin().sum()  # as_strided differentiates only once in ddp

    with pytest.raises(NotImplementedError, match="AsStrided.*cannot be differentiated again"):
        F.grad(f)(a, w)
    plain = F.grad(f)(a, w.detach())  # nothing outside to reach: first order, as before
    assert not plain.requires_grad
    np.testing.assert_allclose(plain.numpy(), (np.cos(X0 * W0[0]) * W0[0]), rtol=1e-12)
