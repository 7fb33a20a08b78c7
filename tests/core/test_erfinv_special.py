"""erfinv and logit (with their Tensor methods) and ddp.special: values against torch, gradients against
finite differences, dtypes, and the edges (+-1 for erfinv, eps for logit)."""
import math

import numpy as np
import pytest

import ddp

P = np.array([-0.999, -0.9, -0.3, 0.0, 0.2, 0.75, 0.9999])


def test_erfinv_inverts_erf_and_keeps_the_dtype():
    x = ddp.tensor(P.astype(np.float32))
    y = ddp.erfinv(x)
    assert y.dtype == np.float32 and x.erfinv().dtype == np.float32
    np.testing.assert_allclose(ddp.erf(ddp.erfinv(ddp.tensor(P))).numpy(), P, rtol=1e-12, atol=1e-14)
    edges = ddp.erfinv(ddp.tensor([-1.0, 1.0, 1.5])).numpy()
    assert edges[0] == -np.inf and edges[1] == np.inf and np.isnan(edges[2])
    assert ddp.erfinv(ddp.tensor([1, 0])).dtype == np.float32  # integers give float32
    z = ddp.tensor([0.5, -0.5])
    z.erfinv_()
    np.testing.assert_allclose(z.numpy(), [0.4769362762, -0.4769362762], rtol=1e-6)


def test_logit_inverts_sigmoid_and_clamps_with_eps():
    x = ddp.tensor([0.1, 0.5, 0.9], dtype=ddp.float64)
    np.testing.assert_allclose(ddp.logit(x).numpy(), np.log(x.numpy() / (1 - x.numpy())), rtol=1e-12)
    np.testing.assert_allclose(ddp.sigmoid(x.logit()).numpy(), x.numpy(), rtol=1e-12)
    assert ddp.logit(ddp.tensor([0.0, 1.0], dtype=ddp.float64), eps=1e-6).numpy().tolist() == pytest.approx(
        [math.log(1e-6 / (1 - 1e-6)), math.log((1 - 1e-6) / 1e-6)], rel=1e-4)


def test_gradcheck():
    x = ddp.tensor(P[1:-1], requires_grad=True)
    assert ddp.autograd.gradcheck(ddp.erfinv, (x,))
    u = ddp.tensor([0.2, 0.5, 0.7], dtype=ddp.float64, requires_grad=True)
    assert ddp.autograd.gradcheck(lambda t: ddp.logit(t, eps=0.1), (u,))
    assert ddp.autograd.gradcheck(ddp.special.ndtri, (u,))
    assert ddp.autograd.gradcheck(ddp.special.ndtr, (x,))


def test_special_names():
    for name in ddp.special.__all__:
        assert callable(getattr(ddp.special, name)), name
    assert ddp.special.expit is ddp.sigmoid and ddp.special.erf is ddp.erf


def test_matches_torch():
    torch = pytest.importorskip("torch")
    p = torch.tensor(P)
    np.testing.assert_allclose(ddp.erfinv(ddp.tensor(P)).numpy(), torch.erfinv(p).numpy(), rtol=1e-10)
    q = np.array([0.001, 0.3, 0.5, 0.8, 0.999])
    for name in ("ndtri", "logit", "expit", "ndtr"):
        ours = getattr(ddp.special, name)(ddp.tensor(q)).numpy()
        theirs = getattr(torch.special, name)(torch.tensor(q)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, err_msg=name)
    np.testing.assert_allclose(ddp.logit(ddp.tensor(q), eps=0.01).numpy(), torch.logit(torch.tensor(q), eps=0.01).numpy(),
                               rtol=1e-12)
    x = ddp.tensor(q, requires_grad=True)
    t = torch.tensor(q, requires_grad=True)
    ddp.logit(x, eps=0.01).sum().backward()
    torch.logit(t, eps=0.01).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)  # 0 where eps clamps


def test_ndtr_and_ndtri_hold_far_into_the_tails():
    """ndtr through erfc (no 1 + erf cancellation) and ndtri by Newton steps on log ndtr: exact to the last
    digits where the textbook formulas give rounding noise or -inf, in float32 and float64."""
    xs = [-37.0, -20.0, -10.0, -8.0, -5.0, -1.0, 0.0, 2.0]
    truth = [0.5 * math.erfc(-x / math.sqrt(2)) for x in xs]
    np.testing.assert_allclose(ddp.special.ndtr(ddp.tensor(xs, dtype=ddp.float64)).numpy(), truth, rtol=1e-13)
    np.testing.assert_allclose(ddp.special.ndtr(ddp.tensor(xs[2:])).numpy(), truth[2:], rtol=2e-6)
    ps = [1e-300, 1e-30, 1e-12, 1e-6, 0.01, 0.3, 0.5, 0.99, 1 - 1e-6]
    for dtype, rtol in ((ddp.float64, 1e-13), (ddp.float32, 2e-6)):
        p = ddp.tensor(ps, dtype=ddp.float64).to(dtype)
        x = ddp.special.ndtri(p)
        assert x.dtype == dtype
        back = ddp.special.ndtr(x.double()).numpy()
        finite = p.numpy() > 0
        np.testing.assert_allclose(back[finite], p.double().numpy()[finite], rtol=rtol * 50)
    assert ddp.special.ndtri(ddp.tensor([0.0, 0.5, 1.0, 1.5])).tolist()[:3] == [-math.inf, 0.0, math.inf]
    assert math.isnan(ddp.special.ndtri(ddp.tensor([1.5])).item())
    assert ddp.special.ndtri(ddp.tensor([1e-30], dtype=ddp.float64)).item() == pytest.approx(-11.464024687, rel=1e-9)


def test_ndtri_gradient():
    p = ddp.tensor([1e-6, 0.2, 0.7], dtype=ddp.float64, requires_grad=True)
    assert ddp.autograd.gradcheck(ddp.special.ndtri, (p,))
    assert ddp.autograd.gradgradcheck(ddp.special.ndtri, (p,))
