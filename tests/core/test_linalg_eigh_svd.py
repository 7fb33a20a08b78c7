"""linalg.eigh, eigvalsh, svd, svdvals and pinv: values, float64 gradient checks (symmetrised inputs for eigh,
sign-invariant losses for eigenvectors and singular vectors), float32, batches, torch; the full non-square
svd is forward-only and its backward raises (pinv's gradients: test_linalg_double_backward.py)."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, leaf, sample


def spd(shape, seed=0):
    """Symmetric matrices with well-separated eigenvalues (a rotation of diag(1, 3, 5, ...))."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal(shape))
    w = 1.0 + 2.0 * np.arange(shape[-1])
    return (q * w) @ np.swapaxes(q, -1, -2)


def sym(A):
    return (A + A.mT) / 2


def gauge_free(v):
    """Eigenvectors with the sign fixed (largest-magnitude entry of each column positive), so that a loss on
    them is a function of A."""
    idx = v.abs().argmax(dim=-2, keepdim=True)
    sign = v.gather(-2, idx).sign()
    return v * sign


SHAPES = [(3, 3), (2, 3, 3), (2, 1, 4, 4), (1, 1)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_eigh(shape):
    a = spd(shape)
    w, v = ddp.linalg.eigh(ddp.tensor(a))
    wn, vn = np.linalg.eigh(a)
    np.testing.assert_allclose(w.numpy(), wn, rtol=1e-10)
    np.testing.assert_allclose(np.abs(v.numpy()), np.abs(vn), atol=1e-10)
    assert gradcheck(lambda A: ddp.linalg.eigh(sym(A)).eigenvalues, a)
    assert gradcheck(lambda A: gauge_free(ddp.linalg.eigh(sym(A)).eigenvectors), a)
    assert gradcheck(lambda A: ddp.linalg.eigvalsh(sym(A)), a)


def test_eigh_reads_one_triangle_and_names_its_outputs():
    a = spd((3, 3))
    noisy_upper = np.tril(a) + np.triu(np.full((3, 3), 50.0), 1)
    r = ddp.linalg.eigh(ddp.tensor(noisy_upper))
    assert type(r).__name__ == "linalg_eigh"
    np.testing.assert_allclose(r.eigenvalues.numpy(), np.linalg.eigvalsh(a), rtol=1e-10)
    noisy_lower = np.triu(a) + np.tril(np.full((3, 3), 50.0), -1)
    np.testing.assert_allclose(ddp.linalg.eigvalsh(ddp.tensor(noisy_lower), UPLO="U").numpy(),
                               np.linalg.eigvalsh(a), rtol=1e-10)
    with pytest.raises(RuntimeError, match="UPLO"):
        ddp.linalg.eigh(ddp.tensor(a), UPLO="X")


def test_float32():
    A = leaf(spd((2, 3, 3)), np.float32)
    w, v = ddp.linalg.eigh(A)
    assert w.dtype == v.dtype == ddp.float32
    (w.sum() + gauge_free(v).sum()).backward()
    assert A.grad.dtype == ddp.float32
    for fn in (ddp.linalg.svdvals, ddp.linalg.pinv, lambda t: ddp.linalg.svd(t).U):
        assert fn(ddp.tensor(A.detach().numpy())).dtype == ddp.float32


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 5), (2, 3, 2)], ids=str)
@pytest.mark.parametrize("full", [True, False])
def test_svd_forward(shape, full):
    a = sample(shape)
    U, S, Vh = ddp.linalg.svd(ddp.tensor(a), full_matrices=full)
    u, s, vh = np.linalg.svd(a, full_matrices=full)
    assert U.shape == u.shape and S.shape == s.shape and Vh.shape == vh.shape
    np.testing.assert_allclose(S.numpy(), s, rtol=1e-10)
    k = s.shape[-1]
    recon = (U.numpy()[..., :, :k] * S.numpy()[..., None, :]) @ Vh.numpy()[..., :k, :]
    np.testing.assert_allclose(recon, a, atol=1e-10)


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 5), (2, 3, 2)], ids=str)
def test_svdvals_and_pinv(shape):
    a = sample(shape)
    np.testing.assert_allclose(ddp.linalg.svdvals(ddp.tensor(a)).numpy(), np.linalg.svd(a, compute_uv=False),
                               rtol=1e-10)
    assert gradcheck(ddp.linalg.svdvals, a)
    np.testing.assert_allclose(ddp.linalg.pinv(ddp.tensor(a)).numpy(), np.linalg.pinv(a), rtol=1e-9, atol=1e-12)


def test_pinv_cutoffs():
    a = np.diag([4.0, 1e-3, 0.0])
    np.testing.assert_allclose(ddp.linalg.pinv(ddp.tensor(a)).numpy(), np.diag([0.25, 1e3, 0.0]))
    np.testing.assert_allclose(ddp.linalg.pinv(ddp.tensor(a), atol=0.01).numpy(), np.diag([0.25, 0.0, 0.0]))
    np.testing.assert_allclose(ddp.linalg.pinv(ddp.tensor(a), rtol=0.5).numpy(), np.diag([0.25, 0.0, 0.0]))


def test_forward_only_outputs_raise_in_backward():
    A = leaf(sample((3, 2)))
    for out in ddp.linalg.svd(A, full_matrices=True):
        assert out.requires_grad
        with pytest.raises(NotImplementedError, match="linalg.svd.*full_matrices"):
            out.sum().backward()


def _svd_loss(A, full=False):
    """A loss on all three SVD outputs that does not depend on the singular vectors' signs."""
    U, S, Vh = ddp.linalg.svd(A, full_matrices=full)
    m, n = A.shape[-2:]
    M = ddp.tensor(np.random.default_rng(1).standard_normal((m, m)))
    N = ddp.tensor(np.random.default_rng(2).standard_normal((n, n)))
    return (U * (M @ U)).sum() + (Vh * (Vh @ N)).sum() + (S * S).sum()


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 5), (2, 4, 3)], ids=str)
def test_svd_gradient(shape):
    assert gradcheck(_svd_loss, sample(shape))
    assert gradcheck(lambda A: ddp.linalg.svd(A, full_matrices=False).S, sample(shape))
    if shape[-1] == shape[-2]:
        assert gradcheck(lambda A: _svd_loss(A, True), sample(shape))


def test_svd_gradient_against_torch():
    torch = pytest.importorskip("torch")
    a = sample((2, 4, 3))
    A, T = leaf(a), torch.tensor(a, requires_grad=True)
    _svd_loss(A).backward()
    u, s, vh = torch.linalg.svd(T, full_matrices=False)
    M = torch.tensor(np.random.default_rng(1).standard_normal((4, 4)))
    N = torch.tensor(np.random.default_rng(2).standard_normal((3, 3)))
    ((u * (M @ u)).sum() + (vh * (vh @ N)).sum() + (s * s).sum()).backward()
    np.testing.assert_allclose(A.grad.numpy(), T.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_against_torch():
    torch = pytest.importorskip("torch")
    a = spd((2, 4, 4))
    wt = np.random.default_rng(5).standard_normal((2, 4))
    vt = np.random.default_rng(6).standard_normal((2, 4, 4))
    A, T = leaf(a), torch.tensor(a, requires_grad=True)
    w, v = ddp.linalg.eigh(A)
    tw, tv = torch.linalg.eigh(T)
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-10)
    # a loss on V that does not depend on the eigenvectors' signs: sum of w_i * (v_i^T M v_i)
    m = ddp.tensor(vt)
    loss = (w * ddp.tensor(wt)).sum() + ((v * (m @ v)).sum(-2) * ddp.tensor(wt)).sum()
    tm = torch.tensor(vt)
    tloss = (tw * torch.tensor(wt)).sum() + ((tv * (tm @ tv)).sum(-2) * torch.tensor(wt)).sum()
    loss.backward()
    tloss.backward()
    np.testing.assert_allclose(A.grad.numpy(), T.grad.numpy(), rtol=1e-8, atol=1e-10)
    b = sample((2, 3, 5))
    B, TB = leaf(b), torch.tensor(b, requires_grad=True)
    ddp.linalg.svdvals(B).sum().backward()
    torch.linalg.svdvals(TB).sum().backward()
    np.testing.assert_allclose(B.grad.numpy(), TB.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ddp.linalg.pinv(ddp.tensor(b)).numpy(), torch.linalg.pinv(torch.tensor(b)).numpy(),
                               rtol=1e-9, atol=1e-12)
