"""ddp.func (grad, grad_and_value, vjp, jacrev, jacfwd, jvp, vmap, functional_call) and
nn.utils.stateless.functional_call, in float64 against torch.func where installed."""
import numpy as np
import pytest

import ddp
import ddp.func as F
import ddp.nn as nn
from ddp.nn.utils.stateless import functional_call as stateless_call


def _np(t):
    return np.array(t.detach().numpy())


def _close(got, want, rtol=1e-10, atol=1e-12):
    """Compare ddp and torch results nested alike (tuples, lists, dicts of tensors)."""
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want)
        for g, w in zip(got, want):
            _close(g, w, rtol, atol)
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want)
        for k in want:
            _close(got[k], want[k], rtol, atol)
    else:
        assert isinstance(got, ddp.Tensor) and tuple(got.shape) == tuple(want.shape)
        assert not got.requires_grad
        np.testing.assert_allclose(_np(got), want.detach().numpy(), rtol=rtol, atol=atol)


RNG = np.random.default_rng(0)
X = RNG.uniform(0.5, 1.5, (3,))
Y = RNG.uniform(0.5, 1.5, (2, 3))


def _funcs(lib):
    """Small functions written once for ddp and once for torch."""
    return {
        "scalar": lambda x: (x.sin() * x.exp()).sum(),
        "two": lambda x, y: ((y * x).tanh() ** 2).sum(),
        "vector": lambda x: x.log() * x[0],
        "matrix": lambda x, y: y @ x,
        "pair": lambda x, y: (x * 2, (y * x).sum()),
        "dict": lambda d: (d["a"] * d["b"].sum()).sum(),
        "aux": lambda x: ((x ** 3).sum(), x * 2),
    }


def _inputs(lib):
    return lib.tensor(X, dtype=lib.float64), lib.tensor(Y, dtype=lib.float64)


@pytest.mark.parametrize("name, argnums, has_aux", [
    ("scalar", 0, False), ("two", 0, False), ("two", 1, False), ("two", (0, 1), False), ("aux", 0, True),
])
def test_grad_and_value_match_torch(name, argnums, has_aux):
    torch = pytest.importorskip("torch")
    f, tf = _funcs(ddp)[name], _funcs(torch)[name]
    args, targs = _inputs(ddp), _inputs(torch)
    n = 1 if name in ("scalar", "aux") else 2
    _close(F.grad(f, argnums, has_aux)(*args[:n]), torch.func.grad(tf, argnums, has_aux)(*targs[:n]))
    _close(F.grad_and_value(f, argnums, has_aux)(*args[:n]),
           torch.func.grad_and_value(tf, argnums, has_aux)(*targs[:n]))


def test_grad_of_pytree_and_unused_arguments():
    torch = pytest.importorskip("torch")
    x, _ = _inputs(ddp)
    tx, _ = _inputs(torch)
    _close(F.grad(_funcs(ddp)["dict"])({"a": x, "b": x * 2}),
           torch.func.grad(_funcs(torch)["dict"])({"a": tx, "b": tx * 2}))
    _close(F.grad(lambda a, b: b.sum())(x, x), torch.func.grad(lambda a, b: b.sum())(tx, tx))  # zeros
    assert not x.requires_grad  # the caller's tensors are left as they were


@pytest.mark.parametrize("name", ["vector", "matrix", "pair"])
def test_vjp_matches_torch(name):
    torch = pytest.importorskip("torch")
    f, tf = _funcs(ddp)[name], _funcs(torch)[name]
    n = 1 if name == "vector" else 2
    args, targs = _inputs(ddp)[:n], _inputs(torch)[:n]
    out, fn = F.vjp(f, *args)
    tout, tfn = torch.func.vjp(tf, *targs)
    _close(out, tout)
    touts = tout if isinstance(tout, tuple) else (tout,)
    cot = [np.random.default_rng(5).standard_normal(tuple(o.shape)) for o in touts]
    dcot = tuple(ddp.tensor(c) for c in cot)
    tcot = tuple(torch.tensor(c) for c in cot)
    if not isinstance(tout, tuple):
        dcot, tcot = dcot[0], tcot[0]
    _close(fn(dcot), tfn(tcot))
    _close(fn(dcot), tfn(tcot))  # vjp_fn may be called again


def test_vjp_has_aux():
    torch = pytest.importorskip("torch")
    out, fn, aux = F.vjp(lambda x: (x * 2, x.sum()), _inputs(ddp)[0], has_aux=True)
    tout, tfn, taux = torch.func.vjp(lambda x: (x * 2, x.sum()), _inputs(torch)[0], has_aux=True)
    _close((out, fn(ddp.ones(3, dtype=ddp.float64)), aux), (tout, tfn(torch.ones(3, dtype=torch.float64)), taux))


@pytest.mark.parametrize("jac", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("name, argnums", [("vector", 0), ("matrix", 0), ("matrix", 1), ("matrix", (0, 1)),
                                           ("pair", (0, 1)), ("scalar", 0)])
def test_jacobians_match_torch(jac, name, argnums):
    torch = pytest.importorskip("torch")
    n = 1 if name in ("vector", "scalar") else 2
    got = getattr(F, jac)(_funcs(ddp)[name], argnums)(*_inputs(ddp)[:n])
    _close(got, getattr(torch.func, jac)(_funcs(torch)[name], argnums)(*_inputs(torch)[:n]))


def test_jacrev_pytree_output_and_aux():
    torch = pytest.importorskip("torch")
    x, tx = _inputs(ddp)[0], _inputs(torch)[0]
    _close(F.jacrev(lambda a: {"s": a.sum(), "p": a * 2})(x),
           torch.func.jacrev(lambda a: {"s": a.sum(), "p": a * 2})(tx))
    _close(F.jacrev(lambda d: d["a"] ** 2)({"a": x}), torch.func.jacrev(lambda d: d["a"] ** 2)({"a": tx}))
    _close(F.jacrev(_funcs(ddp)["aux"], has_aux=True)(x), torch.func.jacrev(_funcs(torch)["aux"], has_aux=True)(tx))


def test_jvp_matches_torch():
    torch = pytest.importorskip("torch")
    (x, y), (tx, ty) = _inputs(ddp), _inputs(torch)
    v, w = np.random.default_rng(2).standard_normal(3), np.random.default_rng(3).standard_normal((2, 3))
    got = F.jvp(_funcs(ddp)["pair"], (x, y), (ddp.tensor(v), ddp.tensor(w)))
    _close(got, torch.func.jvp(_funcs(torch)["pair"], (tx, ty), (torch.tensor(v), torch.tensor(w))))
    with pytest.raises(RuntimeError, match="must be tuples"):
        F.jvp(_funcs(ddp)["vector"], x, ddp.ones(3))
    with pytest.raises(RuntimeError, match="structure and shapes"):
        F.jvp(_funcs(ddp)["vector"], (x,), (ddp.ones(2),))


NESTED = {
    "grad of grad": lambda F, f: F.grad(F.grad(lambda a: (a ** 3) * a.sin())),
    "hessian": lambda F, f: F.hessian(f["scalar"]),
    "hessian of two": lambda F, f: F.hessian(f["two"], argnums=(0, 1)),
    "jacfwd of jacrev": lambda F, f: F.jacfwd(F.jacrev(f["vector"])),
    "jacrev of grad": lambda F, f: F.jacrev(F.grad(f["scalar"])),
    "jacrev of vmap of grad": lambda F, f: F.jacrev(F.vmap(F.grad(lambda a: (a.sin() * a).sum()))),
    "grad of vjp": lambda F, f: F.grad(lambda a: F.vjp(f["vector"], a)[1](a.cos())[0].sum()),
    "grad of jvp": lambda F, f: F.grad(lambda a: F.jvp(f["vector"], (a,), (a.exp(),))[1].sum()),
}


@pytest.mark.parametrize("name", list(NESTED))
def test_nested_transforms_match_torch(name):
    torch = pytest.importorskip("torch")
    x, y = _inputs(ddp)
    tx, ty = _inputs(torch)
    args, targs = {"grad of grad": ((x[1],), (tx[1],)), "hessian of two": ((x, y[0]), (tx, ty[0])),
                   "jacrev of vmap of grad": ((y,), (ty,))}.get(name, ((x,), (tx,)))
    _close(NESTED[name](F, _funcs(ddp))(*args), NESTED[name](torch.func, _funcs(torch))(*targs))


def test_grad_of_grad_by_central_differences():
    def first(a):
        return F.grad(lambda b: (b.sin() * b.exp()).sum() ** 2)(a).sum()

    x, _ = _inputs(ddp)
    got = F.grad(first)(x).numpy()
    numeric = np.zeros(3)
    for j in range(3):
        step = np.zeros(3)
        step[j] = 1e-6
        numeric[j] = (first(ddp.tensor(X + step)).item() - first(ddp.tensor(X - step)).item()) / 2e-6
    np.testing.assert_allclose(got, numeric, rtol=1e-6)


def test_results_stay_in_the_callers_graph_and_inputs_untouched():
    """As PyTorch's: a result that depends on an input requiring grad outside can be differentiated again
    (see test_func_outer_graph.py); one that depends on nothing outside comes back detached."""
    x = ddp.tensor(X, requires_grad=True)
    h = F.hessian(lambda a: (a ** 3).sum())(x)
    assert h.requires_grad and x.grad is None
    assert not F.hessian(lambda a: (a ** 3).sum())(x.detach()).requires_grad
    assert F.grad(_funcs(ddp)["scalar"])(x).shape == (3,)


def test_grad_errors():
    x = _inputs(ddp)[0]
    with pytest.raises(RuntimeError, match="0-d Tensor"):
        F.grad(lambda a: a * 2)(x)
    with pytest.raises(RuntimeError, match="pair"):
        F.grad(lambda a: a.sum(), has_aux=True)(x)
    with pytest.raises(ValueError, match="out of range"):
        F.grad(lambda a: a.sum(), argnums=2)(x)
    with pytest.raises(TypeError, match="must be Tensors"):
        F.grad(lambda a: a, argnums=0)(2.0)


@pytest.mark.parametrize("case", range(8))
def test_vmap_matches_torch(case):
    torch = pytest.importorskip("torch")
    b = np.random.default_rng(case).standard_normal((4, 3))
    c = np.random.default_rng(case + 10).standard_normal((3, 4))

    def run(lib, vmap):
        B, C, w = lib.tensor(b), lib.tensor(c), lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
        return [
            lambda: vmap(lambda x: x.sum())(B),
            lambda: vmap(lambda x, v: x * v, in_dims=(0, None))(B, w),
            lambda: vmap(lambda x: x * 2, in_dims=1)(C),
            lambda: vmap(lambda x: (x, x.sum()), out_dims=(1, 0))(B),
            lambda: vmap(lambda x: x, out_dims=-1)(B),
            lambda: vmap(lambda d: d["x"].sum() * d["y"], in_dims=({"x": 0, "y": None},))({"x": B, "y": w}),
            lambda: vmap(lambda x: [x, {"k": x * 2}])(B),
            lambda: vmap(vmap(lambda x, y: x * y), in_dims=(0, 1))(B, C),
        ][case]()

    _close(run(ddp, F.vmap), run(torch, torch.func.vmap))


def test_vmap_of_grad_and_gradients_through_vmap():
    torch = pytest.importorskip("torch")
    b = np.random.default_rng(4).standard_normal((4, 3))
    _close(F.vmap(F.grad(lambda x: (x.sin() ** 2).sum()))(ddp.tensor(b)),
           torch.func.vmap(torch.func.grad(lambda x: (x.sin() ** 2).sum()))(torch.tensor(b)))
    x = ddp.tensor(b, requires_grad=True)
    (F.vmap(lambda r: (r ** 3).sum())(x) * ddp.arange(4.0, dtype=ddp.float64)).sum().backward()
    np.testing.assert_allclose(_np(x.grad), 3 * b ** 2 * np.arange(4.0)[:, None])


def test_vmap_edge_cases_and_errors():
    assert F.vmap(lambda x: x.sum())(ddp.ones(0, 2)).shape == (0,)
    assert F.vmap(lambda x, k: x * k, in_dims=(0, None))(ddp.ones(3), 2).shape == (3,)
    scaled = F.vmap(lambda x, scale=1.0: x * scale)(ddp.ones(3), scale=ddp.ones(3) * 2)
    assert scaled.shape == (3, 3)  # keyword arguments are not mapped, as in torch
    errors = [
        (lambda: F.vmap(lambda x, y: x * y)(ddp.ones(3, 2), ddp.ones(4, 2)), "different sizes"),
        (lambda: F.vmap(lambda x: x, in_dims=None)(ddp.ones(3)), "in_dims must be an int or a tuple"),
        (lambda: F.vmap(lambda x: x.sum(), in_dims=(0, 0))(ddp.ones(3)), "does not match"),
        (lambda: F.vmap(lambda x: x.sum(), in_dims=2)(ddp.ones(3, 2)), "out of range"),
        (lambda: F.vmap(lambda x: 3)(ddp.ones(3)), "must be a Tensor"),
        (lambda: F.vmap(lambda x: x)(), "no positional arguments"),
        (lambda: F.vmap(lambda x: x, in_dims=(None,))(ddp.ones(2)), "every in_dim is None"),
        (lambda: F.vmap(lambda x, k: x * k)(ddp.ones(3), 2), "only Tensors can be mapped"),
        (lambda: F.vmap(lambda x: x, randomness="sometimes"), "randomness"),
    ]
    for call, message in errors:
        with pytest.raises(ValueError, match=message):
            call()


class _Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2)
        self.b = self.a
        self.register_buffer("offset", ddp.zeros(2))

    def forward(self, x):
        return self.b(x) + self.offset


def test_functional_call_replaces_for_one_call():
    torch = pytest.importorskip("torch")
    m = _Tied()
    x = ddp.ones(1, 2)
    before = _np(m(x))
    w = ddp.eye(2, requires_grad=True)
    out = stateless_call(m, {"a.weight": w, "offset": ddp.ones(2)}, (x,))
    np.testing.assert_allclose(_np(out), _np(x) + _np(m.a.bias) + 1, rtol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(_np(w.grad), np.ones((2, 2)))
    assert m.a.weight.grad is None and isinstance(m.a.weight, nn.Parameter)
    np.testing.assert_allclose(_np(m(x)), before)  # restored
    out = stateless_call(m, {"a.weight": ddp.eye(2), "b.weight": ddp.zeros(2, 2)}, (x,), tie_weights=False)
    np.testing.assert_allclose(_np(out), _np(m.a.bias)[None], rtol=1e-6)  # b (the one forward uses) took zeros
    tm = torch.nn.Linear(2, 2)
    for strict, names in [(True, {"weight"}), (True, {"weight", "bias", "nothere"}), (False, {"nothere"})]:
        given = {n: ddp.ones(2, 2) if n != "bias" else ddp.ones(2) for n in names}
        tgiven = {n: torch.ones(2, 2) if n != "bias" else torch.ones(2) for n in names}
        lin = nn.Linear(2, 2)
        raised = _raises(lambda: stateless_call(lin, given, x, strict=strict))
        traised = _raises(lambda: torch.func.functional_call(tm, tgiven, torch.ones(1, 2), strict=strict))
        assert raised is traised
        assert not hasattr(lin, "nothere")


def _raises(call):
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the type is compared
        return type(e)
    return None


def test_functional_call_errors_and_func_form():
    m = _Tied()
    with pytest.raises(ValueError, match="tied tensor"):
        stateless_call(m, {"a.weight": ddp.eye(2), "b.weight": ddp.zeros(2, 2)}, (ddp.ones(1, 2),))
    with pytest.raises(RuntimeError, match="Missing: 'a.bias', 'b.bias'"):
        stateless_call(m, {"a.weight": ddp.eye(2), "offset": ddp.zeros(2)}, (ddp.ones(1, 2),), strict=True)
    lin = nn.Linear(2, 2)
    out = F.functional_call(lin, ({"weight": ddp.eye(2)}, {"bias": ddp.zeros(2)}), ddp.ones(1, 2))
    np.testing.assert_allclose(_np(out), [[1.0, 1.0]])
    with pytest.raises(ValueError, match="more than one of the dicts"):
        F.functional_call(lin, ({"weight": ddp.eye(2)}, {"weight": ddp.eye(2)}), ddp.ones(1, 2))


def test_per_sample_gradients_match_torch():
    """The torch.func recipe: vmap(grad(loss of functional_call)) over a batch."""
    torch = pytest.importorskip("torch")
    lin, tlin = nn.Linear(3, 2).double(), torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        tlin.weight.copy_(torch.from_numpy(_np(lin.weight)))
        tlin.bias.copy_(torch.from_numpy(_np(lin.bias)))
    xs = np.random.default_rng(7).standard_normal((5, 3))

    def per_sample(lib, func, module):
        params = {k: v.detach() for k, v in module.named_parameters()}

        def loss(p, x):
            return (func.functional_call(module, p, (x.unsqueeze(0),)) ** 2).sum()

        return func.vmap(func.grad(loss), in_dims=(None, 0))(params, lib.tensor(xs))

    _close(per_sample(ddp, F, lin), per_sample(torch, torch.func, tlin), rtol=1e-9)


def _ensemble(lib, n=3):
    """n small models of one class, with a BatchNorm (buffers), weights from one numpy generator."""
    rng = np.random.default_rng(4)
    models = []
    for _ in range(n):
        m = lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.BatchNorm1d(5), lib.nn.ReLU(), lib.nn.Linear(5, 2)).double()
        with lib.no_grad():
            for t in list(m.parameters()) + [m[1].running_mean, m[1].running_var]:
                t.copy_(lib.from_numpy(rng.standard_normal(tuple(t.shape)) ** 2))
        models.append(m.eval())
    return models


def test_stack_module_state_runs_an_ensemble_under_vmap_as_pytorch():
    torch = pytest.importorskip("torch")
    import torch.func as tf
    x = np.random.default_rng(5).standard_normal((3, 6, 4))
    results = []
    for lib, func in ((ddp, F), (torch, tf)):
        models = _ensemble(lib)
        params, buffers = func.stack_module_state(models)
        base = models[0]

        def call(p, b, inp):
            return func.functional_call(base, (p, b), (inp,))

        shared = func.vmap(call, in_dims=(0, 0, None))(params, buffers, lib.from_numpy(x[0]))
        each = func.vmap(call)(params, buffers, lib.from_numpy(x))
        each.square().sum().backward()
        results.append((list(params), list(buffers), [tuple(v.shape) for v in params.values()],
                        [p.is_leaf and p.requires_grad for p in params.values()],
                        shared.detach().numpy(), each.detach().numpy(), params["0.weight"].grad.numpy(),
                        [m(lib.from_numpy(x[i])).detach().numpy() for i, m in enumerate(models)]))
    mine, theirs = results
    assert mine[:4] == theirs[:4]
    for got, want in zip(mine[4:7], theirs[4:7]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mine[5], np.stack(mine[7]), rtol=1e-10, atol=1e-12)  # same as each model alone


def test_stack_module_state_copies_and_checks_the_models():
    models = _ensemble(ddp)
    params, buffers = F.stack_module_state(models)
    assert sorted(buffers) == ["1.num_batches_tracked", "1.running_mean", "1.running_var"]
    np.testing.assert_array_equal(_np(params["3.bias"][1]), _np(models[1][3].bias))
    with ddp.no_grad():
        params["3.bias"].zero_()
    assert _np(models[1][3].bias).any()  # not tied to the models
    with pytest.raises(RuntimeError, match="at least one model"):
        F.stack_module_state([])
    with pytest.raises(RuntimeError, match="same class"):
        F.stack_module_state([models[0], nn.Linear(4, 5).eval()])
    with pytest.raises(RuntimeError, match="training/eval mode"):
        F.stack_module_state([models[0], _ensemble(ddp, 1)[0].train()])
    models[2][0].weight.requires_grad_(False)
    with pytest.raises(RuntimeError, match="0.weight from each model to have the same .requires_grad"):
        F.stack_module_state(models)
    for m in models:
        m[0].weight.requires_grad_(False)
    frozen, _ = F.stack_module_state(models)
    assert not frozen["0.weight"].requires_grad and frozen["0.bias"].requires_grad
