"""PyTorch's deprecated scalar-first overloads (`p.data.add_(-lr, p.grad)`, `v.addcmul_(1 - b, g, g)`,
`ddp.add(x, 2, y)`) give the modern form's result with PyTorch's UserWarning, and `ddp.add` / `ddp.sub`
take `alpha=` as PyTorch's do."""
import warnings

import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, sample

X, Y = sample((2, 3), seed=1), sample((2, 3), seed=2, avoid=(0.0,))
Z = sample((3,), domain="pos", seed=3)  # broadcast divisor for addcdiv

# name: (call on a backend module m and tensors x, y, z; the same numbers from numpy)
CASES = {
    "add": (lambda m, x, y, z: x.add(-0.5, y), lambda x, y, z: x - 0.5 * y),
    "add_": (lambda m, x, y, z: x.clone().add_(-0.5, y), lambda x, y, z: x - 0.5 * y),
    "sub": (lambda m, x, y, z: x.sub(2, y), lambda x, y, z: x - 2 * y),
    "sub_": (lambda m, x, y, z: x.clone().sub_(2, y), lambda x, y, z: x - 2 * y),
    "addcmul": (lambda m, x, y, z: x.addcmul(0.1, y, z), lambda x, y, z: x + 0.1 * y * z),
    "addcmul_": (lambda m, x, y, z: x.clone().addcmul_(0.1, y, z), lambda x, y, z: x + 0.1 * y * z),
    "addcdiv": (lambda m, x, y, z: x.addcdiv(-3, y, z), lambda x, y, z: x - 3 * y / z),
    "addcdiv_": (lambda m, x, y, z: x.clone().addcdiv_(-3, y, z), lambda x, y, z: x - 3 * y / z),
    "torch.add": (lambda m, x, y, z: m.add(x, 4, y), lambda x, y, z: x + 4 * y),
    "torch.sub": (lambda m, x, y, z: m.sub(x, 4, y), lambda x, y, z: x - 4 * y),
    "torch.addcmul": (lambda m, x, y, z: m.addcmul(x, 2, y, z), lambda x, y, z: x + 2 * y * z),
    "torch.addcdiv": (lambda m, x, y, z: m.addcdiv(x, 2, y, z), lambda x, y, z: x + 2 * y / z),
}


@pytest.mark.parametrize("name", CASES)
def test_scalar_first_form_computes_the_modern_form_and_warns(name):
    call, ref = CASES[name]
    x, y, z = (ddp.tensor(a) for a in (X, Y, Z))
    with pytest.warns(UserWarning, match=f"This overload of {name.split('.')[-1]} is deprecated"):
        out = call(ddp, x, y, z)
    np.testing.assert_allclose(out.numpy(), ref(X, Y, Z), rtol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_scalar_first_form_matches_torch(name):
    torch = pytest.importorskip("torch")
    call, _ = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = call(ddp, *(ddp.tensor(a) for a in (X, Y, Z)))
        theirs = call(torch, *(torch.tensor(a) for a in (X, Y, Z)))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_modern_forms_do_not_warn_and_two_numbers_are_not_swapped():
    x, y = ddp.tensor(X), ddp.tensor(Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(x.add(y, alpha=2).numpy(), X + 2 * Y)
        np.testing.assert_allclose(x.clone().add_(2, 3).numpy(), X + 6)  # other=2, alpha=3
        np.testing.assert_allclose(x.sub(1.5).numpy(), X - 1.5)
        np.testing.assert_allclose(x.addcmul(y, y, value=0.5).numpy(), X + 0.5 * Y * Y)


def test_the_update_of_a_hand_written_sgd_step():
    """`p.data.add_(-lr, p.grad.data)` (PyTorch's word_language_model example) updates the parameter."""
    p = ddp.nn.Parameter(ddp.tensor(X))
    (p * ddp.tensor(Y)).sum().backward()
    with pytest.warns(UserWarning):
        p.data.add_(-0.1, p.grad.data)
    np.testing.assert_allclose(p.detach().numpy(), X - 0.1 * Y, rtol=1e-12)


@pytest.mark.parametrize("op", ["add", "sub"])
def test_functional_alpha_keyword(op):
    sign = 1 if op == "add" else -1
    out = getattr(ddp, op)(ddp.tensor(X), ddp.tensor(Y[0]), alpha=2.5)  # broadcasting (3,) over (2, 3)
    np.testing.assert_allclose(out.numpy(), X + sign * 2.5 * Y[0], rtol=1e-12)
    assert gradcheck(lambda a, b: getattr(ddp, op)(a, b, alpha=2.5), X, Y[0])
    assert gradcheck(lambda a, b: getattr(ddp, op)(a, b, alpha=-1), X, Y)
    float32 = getattr(ddp, op)(ddp.ones(2, dtype=ddp.float32), ddp.ones(2, dtype=ddp.float32), alpha=3)
    assert float32.dtype == ddp.float32


@pytest.mark.parametrize("op", ["add", "sub"])
def test_functional_alpha_keyword_matches_torch(op):
    torch = pytest.importorskip("torch")
    ours = getattr(ddp, op)(ddp.tensor(X), ddp.tensor(Y), alpha=-0.75)
    theirs = getattr(torch, op)(torch.tensor(X), torch.tensor(Y), alpha=-0.75)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    ints = getattr(ddp, op)(ddp.tensor([1, 2]), ddp.tensor([3, 4]), alpha=2)
    assert ints.dtype == ddp.int64 and ints.tolist() == getattr(torch, op)(
        torch.tensor([1, 2]), torch.tensor([3, 4]), alpha=2).tolist()


def test_sub_of_bool_tensors_still_refused():
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with a bool tensor"):
        ddp.sub(ddp.tensor([True]), ddp.tensor([False]), alpha=1)
