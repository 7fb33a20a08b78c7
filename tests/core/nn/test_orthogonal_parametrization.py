"""parametrizations.orthogonal (nn/utils/parametrizations_orthogonal.py): orthogonality through optimizer
steps for each map, square, tall, wide and batched; assignment through right_inverse; the default map and
errors; and PyTorch's values, state and gradients from the same initial state."""
import numpy as np
import pytest

import ddp
from ddp.nn.utils.parametrizations import orthogonal

MAPS = ["matrix_exp", "cayley", "householder"]
SHAPES = [(4, 4), (6, 3), (3, 6), (2, 5, 3), (2, 3, 4)]


def _holder(lib, w):
    m = lib.nn.Module()
    m.weight = lib.nn.Parameter(lib.tensor(w))
    return m


def _gram_error(q):
    """|Q^T Q - I| for a tall Q, |Q Q^T - I| for a wide one, over a batch."""
    q = q.detach().numpy().astype(np.float64)
    if q.shape[-2] < q.shape[-1]:
        q = np.swapaxes(q, -1, -2)
    return np.abs(np.swapaxes(q, -1, -2) @ q - np.eye(q.shape[-1])).max()


@pytest.mark.parametrize("trivialize", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", MAPS)
def test_stays_orthogonal_while_training(kind, shape, trivialize):
    ddp.manual_seed(0)
    w = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    m = orthogonal(_holder(ddp, w), orthogonal_map=kind, use_trivialization=trivialize)
    target = ddp.tensor(np.random.default_rng(1).standard_normal(shape).astype(np.float32))
    opt = ddp.optim.Adam(m.parameters(), lr=0.05)
    losses = []
    for _ in range(8):
        opt.zero_grad()
        loss = ((m.weight - target) ** 2).sum()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert m.weight.dtype == ddp.float32 and tuple(m.weight.shape) == shape
    assert _gram_error(m.weight) < 1e-6
    assert losses[-1] < losses[0]  # it learns on the manifold


def test_assignment_and_initial_value():
    rng = np.random.default_rng(3)
    q = np.linalg.qr(rng.standard_normal((5, 5)))[0]
    for kind in MAPS:
        m = orthogonal(_holder(ddp, q.copy()), orthogonal_map=kind)
        np.testing.assert_allclose(m.weight.detach().numpy(), q, atol=1e-14)  # an orthogonal weight is kept
        q2 = np.linalg.qr(rng.standard_normal((5, 5)))[0]
        m.weight = ddp.tensor(q2)
        np.testing.assert_allclose(m.weight.detach().numpy(), q2, atol=1e-14)
        assert sorted(m.state_dict()) == ["parametrizations.weight.0.base", "parametrizations.weight.original"]
    tall = np.linalg.qr(rng.standard_normal((2, 6, 3)))[0]
    for kind in MAPS:  # a rectangular base is completed at random; the weight is still what was assigned
        m = orthogonal(_holder(ddp, rng.standard_normal((2, 6, 3))), orthogonal_map=kind)
        m.weight = ddp.tensor(tall)
        np.testing.assert_allclose(m.weight.detach().numpy(), tall, atol=1e-13)
    wide = orthogonal(_holder(ddp, rng.standard_normal((3, 6))), orthogonal_map="householder",
                      use_trivialization=False)
    qw = np.linalg.qr(rng.standard_normal((6, 3)))[0].T
    wide.weight = ddp.tensor(qw)
    np.testing.assert_allclose(wide.weight.detach().numpy(), qw, atol=1e-13)
    w = rng.standard_normal((4, 4))  # a general weight starts at the Q of its QR (diag R > 0)
    q, r = np.linalg.qr(w)
    m = orthogonal(_holder(ddp, w))
    np.testing.assert_allclose(m.weight.detach().numpy(), q * np.sign(np.diag(r)), atol=1e-14)
    assert np.sign(np.linalg.det(m.weight.detach().numpy())) == np.sign(np.linalg.det(w))


def test_defaults_and_errors():
    assert orthogonal(_holder(ddp, np.eye(3))).parametrizations.weight[0].orthogonal_map == "matrix_exp"
    assert orthogonal(_holder(ddp, np.ones((4, 2)))).parametrizations.weight[0].orthogonal_map == "householder"
    assert type(orthogonal(ddp.nn.Linear(3, 5))).__name__ == "ParametrizedLinear"
    with pytest.raises(ValueError, match="orthogonal_map has to be one of"):
        orthogonal(_holder(ddp, np.eye(3)), orthogonal_map="qr")
    with pytest.raises(ValueError, match="Got a tensor of 1 dimensions"):
        orthogonal(_holder(ddp, np.ones(3)))
    with pytest.raises(ValueError, match="no parameter or buffer with name 'kernel'"):
        orthogonal(_holder(ddp, np.eye(3)), name="kernel")
    m = orthogonal(_holder(ddp, np.eye(3)), orthogonal_map="cayley", use_trivialization=False)
    with pytest.raises(NotImplementedError, match="use_trivialization=False"):
        m.weight = ddp.eye(3, dtype=ddp.float64)
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices of shape"):
        orthogonal(_holder(ddp, np.eye(3))).weight = ddp.eye(4, dtype=ddp.float64)


@pytest.mark.parametrize("trivialize", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", [None] + MAPS)
def test_matches_pytorch(kind, shape, trivialize):
    """From PyTorch's registered state (its random completion of a rectangular base included): the weight,
    the original's gradient, and three SGD steps."""
    torch = pytest.importorskip("torch")
    w = np.random.default_rng(0).standard_normal(shape)
    theirs = torch.nn.utils.parametrizations.orthogonal(_holder(torch, w), orthogonal_map=kind,
                                                        use_trivialization=trivialize)
    ours = orthogonal(_holder(ddp, w), orthogonal_map=kind, use_trivialization=trivialize)
    state = theirs.state_dict()
    assert list(ours.state_dict()) == list(state)
    if shape[-1] == shape[-2] or not trivialize:  # nothing random: the registration itself agrees
        for key, value in state.items():
            np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), atol=1e-13, err_msg=key)
    ours.load_state_dict({k: ddp.tensor(v.numpy()) for k, v in state.items()})
    target = np.random.default_rng(1).standard_normal(shape)
    opts = [torch.optim.SGD(theirs.parameters(), lr=0.1), ddp.optim.SGD(ours.parameters(), lr=0.1)]
    for step in range(3):
        for lib, m, opt in zip((torch, ddp), (theirs, ours), opts):
            opt.zero_grad()
            ((m.weight - lib.tensor(target)) ** 2).sum().backward()
            opt.step()
        pairs = [(ours.weight, theirs.weight),
                 (ours.parametrizations.weight.original, theirs.parametrizations.weight.original)]
        for a, b in pairs:
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-12, err_msg=f"step {step}")
        np.testing.assert_allclose(ours.parametrizations.weight.original.grad.numpy(),
                                   theirs.parametrizations.weight.original.grad.numpy(), atol=1e-12)
