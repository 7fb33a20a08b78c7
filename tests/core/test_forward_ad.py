"""autograd.forward_ad: tangents against central differences (float64) and against PyTorch's forward mode,
the module recipes of PyTorch's tutorial, and the errors."""
import importlib

import numpy as np
import pytest

import ddp
import ddp.autograd.forward_ad as fwAD

FUNCTIONS = {
    "polynomial": lambda lib, x, y: x ** 3 * y + y.exp(),
    "matmul and tanh": lambda lib, x, y: lib.tanh(x @ y.T).sum(dim=1),
    "softmax": lambda lib, x, y: lib.softmax(x * y, dim=-1),
    "relu and max": lambda lib, x, y: lib.relu(x - y).amax(dim=0),
    "conv": lambda lib, x, y: lib.nn.functional.conv2d(x.reshape(1, 1, 4, 5), y.reshape(1, 1, 4, 5)[..., :3, :3]),
    "layer norm": lambda lib, x, y: lib.nn.functional.layer_norm(x + y, (5,)),
    "indexing": lambda lib, x, y: (x[1:, ::2] * y[:-1, 2:]).cumsum(0),
}


def _inputs(lib):
    rng = np.random.default_rng(0)
    return [lib.from_numpy(rng.standard_normal((4, 5))) for _ in range(4)]  # x, y, tangent of x, tangent of y


def _tangent(lib, name, with_y_tangent=True):
    ad = importlib.import_module(lib.__name__ + ".autograd.forward_ad")
    x, y, tx, ty = _inputs(lib)
    with ad.dual_level():
        dx = ad.make_dual(x, tx)
        dy = ad.make_dual(y, ty) if with_y_tangent else y
        out = ad.unpack_dual(FUNCTIONS[name](lib, dx, dy))
        return out.primal.detach().numpy(), out.tangent.numpy()


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_tangent_is_the_directional_derivative(name):
    x, y, tx, ty = _inputs(ddp)
    eps = 1e-6
    plus = FUNCTIONS[name](ddp, x + eps * tx, y + eps * ty).numpy()
    minus = FUNCTIONS[name](ddp, x - eps * tx, y - eps * ty).numpy()
    primal, tangent = _tangent(ddp, name)
    np.testing.assert_allclose(primal, FUNCTIONS[name](ddp, x, y).numpy(), rtol=1e-12)
    np.testing.assert_allclose(tangent, (plus - minus) / (2 * eps), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("both", [True, False])
def test_matches_pytorch_forward_mode(name, both):
    torch = pytest.importorskip("torch")
    mine, theirs = _tangent(ddp, name, both), _tangent(torch, name, both)
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-10, atol=1e-12)


def _module_recipes(lib):
    """PyTorch's forward-AD tutorial with modules: dual parameters set on the module, and through
    functional_call; then reverse mode through the primal."""
    ad = importlib.import_module(lib.__name__ + ".autograd.forward_ad")
    func = importlib.import_module(lib.__name__ + ".func")
    rng = np.random.default_rng(1)
    model = lib.nn.Linear(5, 3).double()
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.from_numpy(rng.standard_normal(tuple(p.shape))))
    inp = lib.from_numpy(rng.standard_normal((6, 5)))
    params = dict(model.named_parameters())
    tangents = {n: lib.from_numpy(rng.standard_normal(tuple(p.shape))) for n, p in params.items()}
    with ad.dual_level():
        duals = {n: ad.make_dual(p, tangents[n]) for n, p in params.items()}
        by_call = ad.unpack_dual(func.functional_call(model, duals, (inp,)).sigmoid()).tangent
        for n in params:
            delattr(model, n)
            setattr(model, n, duals[n])
        unpacked = ad.unpack_dual(model(inp).sigmoid())
        unpacked.primal.square().sum().backward()
    return (by_call.detach().numpy(), unpacked.tangent.detach().numpy(), unpacked.primal.requires_grad,
            params["weight"].grad.numpy())


def test_module_recipes_match_pytorch():
    torch = pytest.importorskip("torch")
    mine, theirs = _module_recipes(ddp), _module_recipes(torch)
    assert mine[2] is theirs[2] is True
    for got, want in zip(mine[:2] + mine[3:], theirs[:2] + theirs[3:]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_agrees_with_func_jvp():
    x, y, tx, ty = _inputs(ddp)
    _, want = ddp.func.jvp(lambda a, b: FUNCTIONS["softmax"](ddp, a, b), (x, y), (tx, ty))
    np.testing.assert_allclose(_tangent(ddp, "softmax")[1], want.numpy(), rtol=1e-10, atol=1e-12)


def test_what_has_no_tangent():
    x, y, tx, _ = _inputs(ddp)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, tx)
        assert fwAD.unpack_dual(y * 2).tangent is None  # does not depend on a dual tensor
        assert fwAD.unpack_dual(d).tangent is tx or np.array_equal(fwAD.unpack_dual(d).tangent.numpy(), tx.numpy())
        assert fwAD.unpack_dual(d.argmax()).tangent is None  # integer result
        flat = fwAD.unpack_dual(d * 0 + y)  # depends on d, with a zero derivative
        assert flat.tangent is not None and not flat.tangent.numpy().any()
        primal = fwAD.unpack_dual(d.sin()).primal
        assert not primal.requires_grad  # nothing but the dual input: not recorded, as in PyTorch
        out = d.sin()
    assert fwAD.unpack_dual(out).tangent is None  # the level is closed
    assert isinstance(fwAD.unpack_dual(out), fwAD.UnpackedDualTensor)


def test_errors():
    x = ddp.ones(3)
    with pytest.raises(RuntimeError, match="no level exists"):
        fwAD.make_dual(x, x)
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match="tangent to have the primal's shape"):
            fwAD.make_dual(x, ddp.ones(2))
        with pytest.raises(ValueError, match="floating-point"):
            fwAD.make_dual(ddp.arange(3), ddp.arange(3))
        with pytest.raises(RuntimeError, match="Nested forward mode AD"):
            fwAD.enter_dual_level()
    with pytest.raises(RuntimeError, match="not entered"):
        fwAD.exit_dual_level()
