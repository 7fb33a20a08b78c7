"""Tensor attributes PyTorch scripts read (`nbytes`, `data_ptr`, `storage_offset`, `dim_order`, `H`, flags),
the legacy constructor `new`, `resize_`, `retain_grad`/`retains_grad`, and the per-element Python fills."""
import numpy as np
import pytest

import ddp


def _views(lib):
    """The same views in torch and ddp: a slice, a row, a transpose, a broadcast, a permute, a size-1 dim."""
    base = lib.arange(24.0).reshape(2, 3, 4)
    return [base, base[1], base[:, 1:, 2:], base.transpose(0, 2), base[0].t(), lib.ones(3).expand(4, 3),
            base.permute(2, 0, 1), lib.ones(2, 1, 3), lib.ones(1, 1), lib.ones(4, 1).expand(4, 5),
            lib.ones(3, 1, 2).permute(1, 2, 0), lib.zeros(())]


def test_memory_facts_match_torch():
    torch = pytest.importorskip("torch")
    for d, t in zip(_views(ddp), _views(torch)):
        assert (d.nbytes, d.itemsize, d.ndimension()) == (t.nbytes, t.itemsize, t.ndimension())
        assert d.storage_offset() == t.storage_offset(), tuple(t.shape)
        assert d.dim_order() == t.dim_order(), (tuple(t.shape), t.stride())
    x = ddp.arange(6.0)
    assert x[2:].data_ptr() - x.data_ptr() == 2 * x.itemsize
    assert ddp.empty(0).data_ptr() == 0
    assert ddp.ones(2, 3, dtype=ddp.float64).nbytes == 48


def test_dim_order_ambiguity_check():
    assert ddp.ones(2, 3).dim_order(ambiguity_check=True) == (0, 1)
    with pytest.raises(RuntimeError, match="dim_order"):
        ddp.ones(2, 1, 3).dim_order(ambiguity_check=True)


def test_flags_and_layout():
    torch = pytest.importorskip("torch")
    x, t = ddp.ones(2), torch.ones(2)
    for flag in ("is_cpu", "is_sparse", "is_sparse_csr", "is_quantized", "is_meta", "is_mkldnn", "is_nested",
                 "output_nr", "name"):
        assert getattr(x, flag) == getattr(t, flag), flag
    assert x.layout == ddp.strided
    assert not x.is_shared() and x.share_memory_() is x and x.is_shared()


def test_retains_grad():
    leaf = ddp.ones(2, requires_grad=True)
    mid = leaf * 2
    assert not leaf.retains_grad and not mid.retains_grad
    mid.retain_grad()
    mid.retain_grad()  # a second call keeps one hook: the gradient is not doubled
    leaf.retain_grad()
    assert mid.retains_grad and not leaf.retains_grad
    (mid * 3).sum().backward()
    assert mid.grad.tolist() == [3.0, 3.0] and leaf.grad.tolist() == [6.0, 6.0]
    with pytest.raises(RuntimeError, match="retain_grad"):
        ddp.ones(2).retain_grad()


def test_legacy_new():
    x = ddp.arange(6.0, dtype=ddp.float64)
    assert x.new(2, 3).shape == (2, 3) and x.new(2, 3).dtype == np.float64
    assert x.new(ddp.Size([4])).shape == (4,)
    assert x.new([1, 2]).tolist() == [1.0, 2.0] and x.new((2, 3)).tolist() == [2.0, 3.0]
    assert x.new().shape == (0,) and x.new().dtype == np.float64
    y = ddp.tensor([1.0, 2.0], dtype=ddp.float64)
    alias = x.new(y)
    assert alias is not y and alias.data_ptr() == y.data_ptr()
    assert ddp.ones(2, dtype=ddp.int64).new([1.7]).dtype == np.int64
    for bad in ((ddp.tensor([1, 2]),), (2.5,)):
        with pytest.raises(TypeError, match="new"):
            x.new(*bad)
    with pytest.raises(RuntimeError):
        x.new(-1)


def test_complex_views_of_real_tensors():
    torch = pytest.importorskip("torch")
    x = ddp.arange(6.0).reshape(2, 3)
    for name in ("conj", "resolve_conj", "resolve_neg", "conj_physical"):
        assert getattr(x, name)() is x
    assert x.real is x
    with pytest.raises(RuntimeError, match="imag"):
        x.imag
    assert x.H.tolist() == x.t().tolist() and x.mH.tolist() == x.t().tolist()
    assert ddp.ones(2, 3, 4).adjoint().shape == torch.ones(2, 3, 4).adjoint().shape == (2, 4, 3)
    assert ddp.ones(2, 3, 4).mH.shape == (2, 4, 3)
    for call in (lambda m: m.ones(3).adjoint(), lambda m: m.ones(3).H, lambda m: m.ones(3).mH,
                 lambda m: m.ones(2, 3, 4).H):
        with pytest.raises(RuntimeError):
            call(torch)
        with pytest.raises(RuntimeError):
            call(ddp)
    with pytest.warns(UserWarning, match="conj"):
        assert ddp.tensor(2.0).H.item() == 2.0
    leaf = ddp.ones(2, 3, requires_grad=True)
    leaf.mH.sum().backward()
    assert leaf.grad.shape == (2, 3)


def test_complex_tensors():
    z = ddp.tensor(np.array([1 + 2j, 3 - 1j]))
    assert z.conj().tolist() == [1 - 2j, 3 + 1j] and z.real.tolist() == [1.0, 3.0] and z.imag.tolist() == [2.0, -1.0]
    z.imag[0] = 5.0  # a view, as in PyTorch
    assert z.tolist()[0] == 1 + 5j


def test_resize():
    torch = pytest.importorskip("torch")
    d, t = ddp.arange(6.0), torch.arange(6.0)
    assert d.resize_(2, 2) is d and d.tolist() == t.resize_(2, 2).tolist()
    assert d.resize_((3,)).tolist() == [0.0, 1.0, 2.0]
    grown = ddp.arange(4.0).resize_(2, 3)
    assert grown.shape == (2, 3) and grown.numpy().reshape(-1)[:4].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert ddp.arange(6.0).resize_as_(ddp.ones(3, 2)).shape == (3, 2)
    with pytest.raises(RuntimeError, match="grad"):
        ddp.ones(2, requires_grad=True).resize_(3)
    with pytest.raises(RuntimeError):
        ddp.ones(2).resize_(-1)
    x = ddp.ones(4)
    version = x._version
    x.resize_(2)
    assert x._version == version + 1


def test_python_fills():
    torch = pytest.importorskip("torch")
    seen = []
    d = ddp.tensor([1.0, 2.0, 3.0])
    assert d.apply_(lambda v: seen.append(type(v)) or v * 2) is d and d.tolist() == [2.0, 4.0, 6.0]
    assert seen == [float] * 3
    scale = lambda v: v * 2.7  # noqa: E731
    assert ddp.tensor([1, 2]).apply_(scale).tolist() == torch.tensor([1, 2]).apply_(scale).tolist() == [2, 5]
    assert d.map_(ddp.tensor(10.0), lambda u, v: u + v).tolist() == [12.0, 14.0, 16.0]
    d.map2_(ddp.tensor([1.0, 1.0, 1.0]), ddp.tensor(0.5), lambda a, b, c: a * b + c)
    assert d.tolist() == [12.5, 14.5, 16.5]
    m = ddp.arange(6.0).reshape(2, 3)
    assert m.map_(ddp.tensor([[1.0], [2.0]]), lambda u, v: u * v).tolist() == [[0.0, 1.0, 2.0], [6.0, 8.0, 10.0]]
    assert ddp.tensor(1.0).apply_(lambda v: v + 1).item() == 2.0
    with pytest.raises(RuntimeError, match="map_"):
        d.map_(ddp.ones(2), lambda u, v: u)
    with pytest.raises(RuntimeError, match="apply_"):
        ddp.ones(2, requires_grad=True).apply_(lambda v: v)


def test_storage_offset_counts_from_the_owning_array_through_numpys_stride_tricks():
    """Tensor.unfold is a sliding-window view, whose .base chain passes through a numpy wrapper object: the
    offset still counts from the array that owns the memory (2 here, as PyTorch; it read 0)."""
    x = ddp.arange(10.0)
    assert x[2:].unfold(0, 3, 2).storage_offset() == 2
    assert ddp.as_strided(x, (2,), (1,), 3).storage_offset() == 3


def test_storages_tell_shared_memory_apart():
    """What checkpoint writers ask: do two tensors share memory? (storage data_ptr, as PyTorch's)."""
    x = ddp.arange(6.0)
    view, copy = x[2:].view(2, 2), x.clone()
    assert view.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    assert copy.untyped_storage().data_ptr() != x.untyped_storage().data_ptr()
    assert x.untyped_storage().nbytes() == len(view.untyped_storage()) == 24
    with pytest.warns(UserWarning, match="TypedStorage is deprecated"):
        typed = view.storage()
    assert typed.size() == 6 and typed.element_size() == 4 and typed.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert typed.untyped().nbytes() == 24 and ddp.zeros(0).untyped_storage().data_ptr() == 0
