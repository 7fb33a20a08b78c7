"""nn.Bilinear and F.bilinear: numpy reference, float64 gradient check, errors, and PyTorch parity."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from tests.core.op_helpers import gradcheck, sample


def reference(x1, x2, w, b=None):
    y = np.einsum("...i,oij,...j->...o", x1, w, x2)
    return y if b is None else y + b


@pytest.mark.parametrize("lead", [(), (5,), (2, 3)])
def test_bilinear_matches_numpy_in_float32(lead):
    x1, x2 = sample(lead + (4,), seed=1), sample(lead + (3,), seed=2)
    w, b = sample((2, 4, 3), seed=3), sample((2,), seed=4)
    out = F.bilinear(*(ddp.tensor(a, dtype=ddp.float32) for a in (x1, x2, w, b)))
    assert out.dtype == ddp.float32 and out.shape == lead + (2,)
    np.testing.assert_allclose(out.numpy(), reference(x1, x2, w, b), rtol=1e-5, atol=1e-5)


def test_bilinear_gradcheck():
    x1, x2 = sample((3, 4), seed=1), sample((3, 2), seed=2)
    w, b = sample((5, 4, 2), seed=3), sample((5,), seed=4)
    assert gradcheck(F.bilinear, x1, x2, w, b)
    assert gradcheck(lambda a, c, v: F.bilinear(a, c, v), x1, x2, w)


def test_module_parameters_init_and_repr():
    ddp.manual_seed(0)
    m = nn.Bilinear(4, 3, 2)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    assert m.weight.shape == (2, 4, 3) and m.bias.shape == (2,) and m.weight.dtype == ddp.float32
    assert float(m.weight.abs().max()) <= 0.5 and float(m.bias.abs().max()) <= 0.5  # U(-1/sqrt(4), 1/sqrt(4))
    assert nn.Bilinear(4, 3, 2, bias=False).bias is None
    assert repr(m) == "Bilinear(in1_features=4, in2_features=3, out_features=2, bias=True)"
    x1, x2 = ddp.randn(6, 4), ddp.randn(6, 3)
    np.testing.assert_allclose(m(x1, x2).detach().numpy(),
                               reference(x1.numpy(), x2.numpy(), m.weight.detach().numpy(), m.bias.detach().numpy()),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shapes, match", [
    (((5, 4), (6, 3)), "batch dimensions do not match at dim 0: got 5 and 6"),
    (((5, 4), (5, 2)), "input2 size does not match weight size: got 2 but expected 3"),
    (((5, 5), (5, 3)), "input1 size does not match weight size: got 5 but expected 4"),
    (((5, 4), (5,)), "input dimensions do not match: got 2 and 1"),
])
def test_bilinear_errors_name_the_op(shapes, match):
    with pytest.raises(RuntimeError, match=match):
        F.bilinear(ddp.zeros(*shapes[0]), ddp.zeros(*shapes[1]), ddp.zeros(2, 4, 3), ddp.zeros(2))


def test_bilinear_bias_error():
    with pytest.raises(RuntimeError, match="bias size does not match weight size: got 3 but expected 2"):
        F.bilinear(ddp.zeros(5, 4), ddp.zeros(5, 3), ddp.zeros(2, 4, 3), ddp.zeros(3))


def test_bilinear_matches_torch_with_the_same_weights():
    torch = pytest.importorskip("torch")
    x1, x2 = sample((2, 3, 4), seed=1).astype(np.float32), sample((2, 3, 3), seed=2).astype(np.float32)
    ours, theirs = nn.Bilinear(4, 3, 5), torch.nn.Bilinear(4, 3, 5)
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters()):
            q.copy_(torch.from_numpy(p.detach().numpy()))
    a1, a2 = ddp.tensor(x1, requires_grad=True), ddp.tensor(x2, requires_grad=True)
    t1, t2 = torch.tensor(x1, requires_grad=True), torch.tensor(x2, requires_grad=True)
    y, ty = ours(a1, a2), theirs(t1, t2)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    for got, want in [(a1.grad, t1.grad), (a2.grad, t2.grad), (ours.weight.grad, theirs.weight.grad),
                      (ours.bias.grad, theirs.bias.grad)]:
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-4, atol=1e-5)
