"""SparseAdam on dense gradients: torch.optim.SparseAdam with the matching sparse gradients, step by step;
rows without a gradient stay put; the documented difference for all-zero rows; PyTorch's argument errors."""
import numpy as np
import pytest

import ddp
from ddp.core.tensor import Tensor


def _sparse_rows(rng, rows, width):
    """Indices (possibly repeated, as an embedding lookup gives) and values of a row-sparse gradient."""
    index = rng.choice(rows, size=rng.integers(0, 4), replace=True)
    return index, rng.standard_normal((len(index), width)).astype(np.float32)


@pytest.mark.parametrize("kwargs", [dict(), dict(lr=0.05, betas=(0.5, 0.9), eps=1e-6, maximize=True),
                                    dict(lr=0.01, betas=(0.0, 0.99))])
def test_steps_match_torch_with_sparse_gradients(kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w, b = rng.standard_normal((6, 3)).astype(np.float32), rng.standard_normal(4).astype(np.float32)
    ours = [Tensor(w.copy(), requires_grad=True), Tensor(b.copy(), requires_grad=True)]
    theirs = [torch.tensor(w.copy(), requires_grad=True), torch.tensor(b.copy(), requires_grad=True)]
    opt, ref = ddp.optim.SparseAdam(ours, **kwargs), torch.optim.SparseAdam(theirs, **kwargs)
    for step in range(8):
        index, values = _sparse_rows(rng, 6, 3)
        dense = np.zeros((6, 3), np.float32)
        np.add.at(dense, index, values)  # what ddp's dense embedding gradient holds
        entries = rng.choice(4, size=2, replace=False)
        entry_values = rng.standard_normal(2).astype(np.float32)
        dense_b = np.zeros(4, np.float32)
        dense_b[entries] = entry_values
        ours[0].grad, ours[1].grad = Tensor(dense), Tensor(dense_b)
        theirs[0].grad = torch.sparse_coo_tensor(torch.tensor(index)[None], torch.tensor(values), (6, 3),
                                                 check_invariants=True)
        theirs[1].grad = torch.sparse_coo_tensor(torch.tensor(entries)[None], torch.tensor(entry_values), (4,),
                                                 check_invariants=True)
        opt.step()
        ref.step()
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-6, atol=1e-7, err_msg=f"step {step}")
    for p, q in zip(ours, theirs):
        assert opt.state[p]["step"] == ref.state[q]["step"] == 8
        for key in ("exp_avg", "exp_avg_sq"):
            np.testing.assert_allclose(opt.state[p][key].numpy(), ref.state[q][key].numpy(), rtol=1e-6, atol=1e-7)


def test_only_rows_with_a_gradient_move():
    w = Tensor(np.ones((4, 2), np.float32), requires_grad=True)
    opt = ddp.optim.SparseAdam([w], lr=0.1)
    w.grad = Tensor(np.array([[1, 2], [0, 0], [0, -3], [0, 0]], np.float32))
    opt.step()
    # the first step of Adam moves every updated entry by lr * g / (|g| + eps): a whole row moves
    np.testing.assert_allclose(w.numpy(), [[0.9, 0.9], [1, 1], [1, 1.1], [1, 1]], rtol=1e-6)
    w.grad = Tensor(np.array([[0, 0], [1, 0], [0, 0], [0, 0]], np.float32))
    opt.step()
    # row 0's momentum would move it again under Adam; SparseAdam leaves rows without a gradient alone
    np.testing.assert_allclose(w.numpy()[[0, 2, 3]], [[0.9, 0.9], [1, 1.1], [1, 1]], rtol=1e-6)
    assert w.numpy()[1, 0] < 1 and w.numpy()[1, 1] == 1  # a row's zero entry moves by its momentum: none yet
    w.grad = Tensor(np.zeros((4, 2), np.float32))
    before = w.numpy().copy()
    opt.step()
    np.testing.assert_array_equal(w.numpy(), before)
    assert opt.state[w]["step"] == 3  # counted although nothing moved, as PyTorch's empty sparse gradient


def test_all_zero_rows_are_skipped_where_torch_would_update_them():
    # the documented difference: a sparse gradient may list a row with zero values; a dense one cannot
    torch = pytest.importorskip("torch")
    w = np.ones((2, 2), np.float32)
    ours, theirs = Tensor(w.copy(), requires_grad=True), torch.tensor(w.copy(), requires_grad=True)
    opt, ref = ddp.optim.SparseAdam([ours], lr=0.1), torch.optim.SparseAdam([theirs], lr=0.1)
    for values in ([[1.0, 1.0]], [[0.0, 0.0]]):
        ours.grad = Tensor(np.array([values[0], [0, 0]], np.float32))
        theirs.grad = torch.sparse_coo_tensor(torch.tensor([[0]]), torch.tensor(values), (2, 2), check_invariants=True)
        opt.step(), ref.step()
    np.testing.assert_allclose(ours.numpy()[0], 0.9, rtol=1e-6)
    assert (theirs.detach().numpy()[0] < 0.9).all()  # PyTorch's momentum moved the listed row again


def test_scalar_parameter():
    p = Tensor(np.array(2.0, np.float32), requires_grad=True)
    opt = ddp.optim.SparseAdam([p], lr=0.5)
    p.grad = Tensor(np.array(0.0, np.float32))
    opt.step()
    assert p.item() == 2.0
    p.grad = Tensor(np.array(-3.0, np.float32))
    opt.step()
    # step 2 (the zero gradient counted): m = -0.3, v = 0.009, lr sqrt(1 - 0.999^2) / (1 - 0.9^2) m / sqrt(v)
    expected = 2 + 0.5 * np.sqrt(1 - 0.999**2) / (1 - 0.9**2) * 0.3 / (np.sqrt(0.009) + 1e-8)
    np.testing.assert_allclose(p.item(), expected, rtol=1e-6)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(lr=0.0), ValueError, "Invalid learning rate: 0.0"),
    (dict(eps=0.0), ValueError, "Invalid epsilon value: 0.0"),
    (dict(betas=(1.0, 0.9)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    (dict(betas=(0.9, -0.1)), ValueError, "Invalid beta parameter at index 1: -0.1"),
    (dict(lr=Tensor(np.ones(3))), ValueError, "Tensor lr must be 1-element"),
    (dict(lr="0.1"), TypeError, "lr must be a real number"),
])
def test_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        ddp.optim.SparseAdam([Tensor(np.zeros(2, np.float32), requires_grad=True)], **kwargs)


def test_complex_parameters_are_refused_as_torch():
    with pytest.raises(ValueError, match=r"Complex params at indices \[\[0, 1\]\]: SparseAdam does not support"):
        ddp.optim.SparseAdam([Tensor(np.zeros(2, np.float32), requires_grad=True),
                              Tensor(np.zeros(2, np.complex64))])


def test_embedding_with_sparse_true_trains_with_sparse_adam_as_pytorch():
    """Embedding(sparse=True) gives ddp's dense gradient (zero in the rows not looked up); SparseAdam on it
    takes PyTorch's steps from its sparse gradient."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    table = rng.standard_normal((6, 3)).astype(np.float32)
    batches = [rng.integers(0, 6, (4,)) for _ in range(5)]
    results = []
    for lib in (ddp, torch):
        emb = lib.nn.Embedding(6, 3, sparse=True)
        with lib.no_grad():
            emb.weight.copy_(lib.tensor(table))
        opt = lib.optim.SparseAdam(list(emb.parameters()), lr=0.1)
        for idx in batches:
            opt.zero_grad()
            (emb(lib.tensor(idx)) ** 2).sum().backward()
            opt.step()
        results.append(emb.weight.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)
