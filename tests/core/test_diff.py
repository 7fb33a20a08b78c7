"""diff (function and method): numpy's np.diff as the forward reference, n, dim, prepend/append, bools and
integers, float64 gradient checks, float32, errors, and torch where installed."""
import numpy as np
import pytest

import ddp
from op_helpers import forward32, gradcheck, sample


@pytest.mark.parametrize("n", [0, 1, 2, 3, 6])
@pytest.mark.parametrize("shape, dim", [((5,), -1), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), -2), ((0, 3), 1)],
                         ids=str)
def test_matches_numpy(shape, dim, n):
    x = sample(shape)
    out = ddp.diff(ddp.tensor(x), n=n, dim=dim)
    expected = np.diff(x, n=n, axis=dim)
    assert out.shape == expected.shape and out.dtype == np.float64
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ddp.tensor(x).diff(n, dim).numpy(), expected, rtol=1e-12, atol=1e-12)


def test_prepend_and_append():
    x = sample((2, 4))
    pre, app = sample((2, 1), seed=1), sample((2, 3), seed=2)
    out = ddp.diff(ddp.tensor(x), prepend=ddp.tensor(pre), append=ddp.tensor(app))
    np.testing.assert_allclose(out.numpy(), np.diff(x, prepend=pre, append=app), rtol=1e-12)
    row = sample((1, 4), seed=3)
    out = ddp.diff(ddp.tensor(x), n=2, dim=0, append=ddp.tensor(row))
    np.testing.assert_allclose(out.numpy(), np.diff(x, n=2, axis=0, append=row), rtol=1e-12)


@pytest.mark.parametrize("n, dim", [(1, -1), (2, 0), (3, 1)])
def test_gradcheck(n, dim):
    assert gradcheck(lambda x: ddp.diff(x, n=n, dim=dim) ** 2, sample((4, 5)))
    assert gradcheck(lambda x, p, a: x.diff(n, dim, prepend=p, append=a) ** 2,
                     sample((4, 5)), sample((4, 5), seed=1), sample((4, 5), seed=2))


def test_float32_ints_bools_and_n0():
    forward32(lambda x: ddp.diff(x, 2), lambda x: np.diff(x, 2), sample((3, 6)))
    assert ddp.diff(ddp.tensor([1, 5, 2])).tolist() == [4, -3] and ddp.diff(ddp.tensor([1, 5, 2])).dtype == np.int64
    b = ddp.diff(ddp.tensor([True, False, False, True]))
    assert b.dtype == np.bool_ and b.tolist() == [True, False, True]
    x = ddp.zeros(3)
    assert ddp.diff(x, 0) is x
    assert ddp.diff(ddp.zeros(2, 3), n=5).shape == (2, 0)


def test_errors():
    x = ddp.zeros(2, 4)
    cases = [
        (lambda: ddp.diff(ddp.tensor(1.0)), RuntimeError, "at least one-dimensional"),
        (lambda: ddp.diff(x, n=-1), RuntimeError, "non-negative"),
        (lambda: ddp.diff(x, n=1.5), TypeError, "must be int"),
        (lambda: ddp.diff(x, prepend=ddp.zeros(1)), RuntimeError, "same dimension"),
        (lambda: ddp.diff(x, append=ddp.zeros(3, 1)), RuntimeError, "except along the differencing"),
        (lambda: ddp.diff(x, prepend=1.0), TypeError, "must be Tensor"),
        (lambda: ddp.diff(x, dim=2), IndexError, "out of range"),
    ]
    for fn, error, message in cases:
        with pytest.raises(error, match=message):
            fn()


def test_matches_torch():
    torch = pytest.importorskip("torch")
    x, pre = sample((3, 5)), sample((3, 2), seed=4)
    for kwargs in [{"prepend": pre}, {"n": 2, "prepend": pre}, {"n": 2, "dim": 0}, {"n": 3, "dim": 1, "append": pre}]:
        ours, theirs = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        a = ddp.diff(ours, **{k: ddp.tensor(v) if k.endswith("pend") else v for k, v in kwargs.items()})
        b = torch.diff(theirs, **{k: torch.tensor(v) if k.endswith("pend") else v for k, v in kwargs.items()})
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)
        (a * a).sum().backward()
        (b * b).sum().backward()
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)
    t = torch.tensor([True, False, False, True])
    assert ddp.diff(ddp.tensor([True, False, False, True]), 2).tolist() == torch.diff(t, 2).tolist()
    for fn in [lambda m: m.diff(m.zeros(2, 4), prepend=m.zeros(1)), lambda m: m.diff(m.tensor(1.0))]:
        with pytest.raises(RuntimeError):
            fn(torch)
        with pytest.raises(RuntimeError):
            fn(ddp)
