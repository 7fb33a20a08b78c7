"""numpy's `axis` for `dim` and `keepdims` for `keepdim`: ddp takes them exactly where PyTorch does (its natively
bound functions and Tensor methods) and refuses them where PyTorch does (its functions written in Python).

Each case is (alias call, the same call spelled with dim / keepdim), both `fn(m, x, i)` for m = ddp or torch,
x a 3 x 4 float tensor and i a 3 x 4 index tensor; a canonical call of None says PyTorch raises TypeError.
Without torch the alias call is checked against ddp's canonical spelling; with torch, against torch.
"""
import inspect

import numpy as np
import pytest

import ddp

X = (np.arange(1, 13, dtype=np.float32).reshape(3, 4) / 7 + 0.05) * np.array([1, -1, 1, 1], dtype=np.float32)
IDX = np.array([[0, 1, 2, 0], [2, 1, 0, 1], [1, 1, 2, 0]])
PICK = [0, 2]


def _pick(m):
    return m.tensor(PICK)


def _y(m, x):
    return x.flip(0) * 0.5


ACCEPTED = {
    # reductions, as functions and as methods
    "sum": (lambda m, x, i: m.sum(x, axis=1, keepdims=True), lambda m, x, i: m.sum(x, dim=1, keepdim=True)),
    "Tensor.sum_tuple": (lambda m, x, i: x.sum(axis=(0, 1)), lambda m, x, i: x.sum(dim=(0, 1))),
    "Tensor.sum_keepdims_only": (lambda m, x, i: x.sum(1, keepdims=True), lambda m, x, i: x.sum(1, keepdim=True)),
    "mean_tuple": (lambda m, x, i: m.mean(x, axis=(0, 1)), lambda m, x, i: m.mean(x, dim=(0, 1))),
    "Tensor.mean": (lambda m, x, i: x.mean(axis=0, keepdims=True), lambda m, x, i: x.mean(dim=0, keepdim=True)),
    "Tensor.prod": (lambda m, x, i: x.prod(axis=1, keepdims=True), lambda m, x, i: x.prod(dim=1, keepdim=True)),
    "prod": (lambda m, x, i: m.prod(x, axis=0), lambda m, x, i: m.prod(x, dim=0)),
    "Tensor.nansum": (lambda m, x, i: x.nansum(axis=1), lambda m, x, i: x.nansum(dim=1)),
    "nanmean": (lambda m, x, i: m.nanmean(x, axis=0, keepdims=True), lambda m, x, i: m.nanmean(x, 0, True)),
    "Tensor.max": (lambda m, x, i: x.max(axis=1), lambda m, x, i: x.max(dim=1)),
    "max": (lambda m, x, i: m.max(x, axis=0, keepdims=True), lambda m, x, i: m.max(x, 0, True)),
    "Tensor.min": (lambda m, x, i: x.min(axis=0, keepdims=True), lambda m, x, i: x.min(0, True)),
    "amax": (lambda m, x, i: m.amax(x, axis=1), lambda m, x, i: m.amax(x, dim=1)),
    "Tensor.amin": (lambda m, x, i: x.amin(axis=(0, 1), keepdims=True), lambda m, x, i: x.amin((0, 1), True)),
    "Tensor.aminmax": (lambda m, x, i: x.aminmax(axis=0), lambda m, x, i: x.aminmax(dim=0)),
    "Tensor.argmax": (lambda m, x, i: x.argmax(axis=1), lambda m, x, i: x.argmax(dim=1)),
    "argmin": (lambda m, x, i: m.argmin(x, axis=0, keepdims=True), lambda m, x, i: m.argmin(x, 0, True)),
    "Tensor.argmax_keepdims_all": (lambda m, x, i: x.argmax(keepdims=True), lambda m, x, i: x.argmax(keepdim=True)),
    "Tensor.var": (lambda m, x, i: x.var(axis=1, keepdims=True), lambda m, x, i: x.var(dim=1, keepdim=True)),
    "var_correction": (lambda m, x, i: m.var(x, axis=0, correction=0), lambda m, x, i: m.var(x, 0, correction=0)),
    "std": (lambda m, x, i: m.std(x, axis=1), lambda m, x, i: m.std(x, dim=1)),
    "Tensor.std": (lambda m, x, i: x.std(axis=0, keepdims=True), lambda m, x, i: x.std(0, keepdim=True)),
    "var_mean": (lambda m, x, i: m.var_mean(x, axis=1, keepdims=True), lambda m, x, i: m.var_mean(x, 1, keepdim=True)),
    "std_mean": (lambda m, x, i: m.std_mean(x, axis=0), lambda m, x, i: m.std_mean(x, dim=0)),
    "Tensor.all": (lambda m, x, i: (x > 0).all(axis=1), lambda m, x, i: (x > 0).all(dim=1)),
    "any": (lambda m, x, i: m.any(x > 1, axis=0, keepdims=True), lambda m, x, i: m.any(x > 1, 0, True)),
    "count_nonzero": (lambda m, x, i: m.count_nonzero(i, axis=0), lambda m, x, i: m.count_nonzero(i, dim=0)),
    "Tensor.count_nonzero": (lambda m, x, i: i.count_nonzero(axis=1), lambda m, x, i: i.count_nonzero(1)),
    "logsumexp": (lambda m, x, i: m.logsumexp(x, axis=1), lambda m, x, i: m.logsumexp(x, dim=1)),
    "Tensor.logsumexp": (lambda m, x, i: x.logsumexp(axis=0, keepdims=True), lambda m, x, i: x.logsumexp(0, True)),
    "softmax": (lambda m, x, i: m.softmax(x, axis=1), lambda m, x, i: m.softmax(x, dim=1)),
    "Tensor.softmax": (lambda m, x, i: x.softmax(axis=0), lambda m, x, i: x.softmax(0)),
    "Tensor.log_softmax": (lambda m, x, i: x.log_softmax(axis=1), lambda m, x, i: x.log_softmax(1)),
    "log_softmax_dtype": (lambda m, x, i: m.log_softmax(x, axis=0, dtype=m.float64),
                          lambda m, x, i: m.log_softmax(x, 0, m.float64)),
    "special.softmax": (lambda m, x, i: m.special.softmax(x, axis=1), lambda m, x, i: m.special.softmax(x, 1)),
    "special.logsumexp": (lambda m, x, i: m.special.logsumexp(x, axis=1, keepdims=True),
                          lambda m, x, i: m.special.logsumexp(x, 1, True)),
    "linalg.vector_norm": (lambda m, x, i: m.linalg.vector_norm(x, axis=1, keepdims=True),
                           lambda m, x, i: m.linalg.vector_norm(x, dim=1, keepdim=True)),
    "linalg.matrix_norm": (lambda m, x, i: m.linalg.matrix_norm(x, axis=(1, 0)),
                           lambda m, x, i: m.linalg.matrix_norm(x, dim=(1, 0))),
    "frobenius_norm": (lambda m, x, i: m.frobenius_norm(x, axis=(0, 1), keepdims=True),
                       lambda m, x, i: m.frobenius_norm(x, (0, 1), True)),
    "nuclear_norm": (lambda m, x, i: m.nuclear_norm(x, axis=(0, 1), keepdims=True),
                     lambda m, x, i: m.nuclear_norm(x, (0, 1), True)),
    # running reductions, orderings and order statistics
    "Tensor.cumsum": (lambda m, x, i: x.cumsum(axis=0), lambda m, x, i: x.cumsum(0)),
    "cumprod": (lambda m, x, i: m.cumprod(x, axis=1), lambda m, x, i: m.cumprod(x, 1)),
    "logcumsumexp": (lambda m, x, i: m.logcumsumexp(x, axis=1), lambda m, x, i: m.logcumsumexp(x, 1)),
    "Tensor.cummax": (lambda m, x, i: x.cummax(axis=0), lambda m, x, i: x.cummax(0)),
    "cummin": (lambda m, x, i: m.cummin(x, axis=1), lambda m, x, i: m.cummin(x, 1)),
    "diff": (lambda m, x, i: m.diff(x, axis=0), lambda m, x, i: m.diff(x, dim=0)),
    "Tensor.diff": (lambda m, x, i: x.diff(axis=1), lambda m, x, i: x.diff(dim=1)),
    "Tensor.sort": (lambda m, x, i: x.sort(axis=0), lambda m, x, i: x.sort(0)),
    "argsort": (lambda m, x, i: m.argsort(x, axis=0, descending=True), lambda m, x, i: m.argsort(x, 0, True)),
    "Tensor.argsort": (lambda m, x, i: x.argsort(axis=1), lambda m, x, i: x.argsort(1)),
    "Tensor.topk": (lambda m, x, i: x.topk(2, axis=0), lambda m, x, i: x.topk(2, 0)),
    "topk": (lambda m, x, i: m.topk(x, 1, axis=1), lambda m, x, i: m.topk(x, 1, 1)),
    "Tensor.median": (lambda m, x, i: x.median(axis=0), lambda m, x, i: x.median(0)),
    "nanmedian": (lambda m, x, i: m.nanmedian(x, axis=1, keepdims=True), lambda m, x, i: m.nanmedian(x, 1, True)),
    "Tensor.kthvalue": (lambda m, x, i: x.kthvalue(2, axis=0, keepdims=True), lambda m, x, i: x.kthvalue(2, 0, True)),
    "quantile": (lambda m, x, i: m.quantile(x, 0.5, axis=1), lambda m, x, i: m.quantile(x, 0.5, 1)),
    "Tensor.nanquantile": (lambda m, x, i: x.nanquantile(0.25, axis=0, keepdims=True),
                           lambda m, x, i: x.nanquantile(0.25, 0, True)),
    "Tensor.mode": (lambda m, x, i: i.mode(axis=0), lambda m, x, i: i.mode(0)),
    "mode": (lambda m, x, i: m.mode(i, axis=1, keepdims=True), lambda m, x, i: m.mode(i, 1, True)),
    "Tensor.renorm": (lambda m, x, i: x.renorm(2, axis=0, maxnorm=1.0), lambda m, x, i: x.renorm(2, 0, 1.0)),
    "renorm": (lambda m, x, i: m.renorm(x, p=2, axis=1, maxnorm=0.5), lambda m, x, i: m.renorm(x, 2, 1, 0.5)),
    # joins, splits and views
    "cat": (lambda m, x, i: m.cat([x, x], axis=1), lambda m, x, i: m.cat([x, x], 1)),
    "concat": (lambda m, x, i: m.concat((x, x), axis=1), lambda m, x, i: m.concat((x, x), 1)),
    "concatenate": (lambda m, x, i: m.concatenate([x, x], axis=1), lambda m, x, i: m.concatenate([x, x], 1)),
    "stack": (lambda m, x, i: m.stack([x, x], axis=1), lambda m, x, i: m.stack([x, x], 1)),
    "chunk": (lambda m, x, i: m.chunk(x, 2, axis=1), lambda m, x, i: m.chunk(x, 2, 1)),
    "Tensor.chunk": (lambda m, x, i: x.chunk(2, axis=1), lambda m, x, i: x.chunk(2, 1)),
    "Tensor.unbind": (lambda m, x, i: x.unbind(axis=1), lambda m, x, i: x.unbind(1)),
    "unbind": (lambda m, x, i: m.unbind(x, axis=0), lambda m, x, i: m.unbind(x, 0)),
    "Tensor.squeeze": (lambda m, x, i: x[None].squeeze(axis=0), lambda m, x, i: x[None].squeeze(0)),
    "squeeze": (lambda m, x, i: m.squeeze(x[:, None], axis=1), lambda m, x, i: m.squeeze(x[:, None], 1)),
    "Tensor.unsqueeze": (lambda m, x, i: x.unsqueeze(axis=1), lambda m, x, i: x.unsqueeze(1)),
    "unsqueeze": (lambda m, x, i: m.unsqueeze(x, axis=-1), lambda m, x, i: m.unsqueeze(x, -1)),
    "unflatten": (lambda m, x, i: m.unflatten(x, axis=1, sizes=(2, 2)), lambda m, x, i: m.unflatten(x, 1, (2, 2))),
    "Tensor.narrow": (lambda m, x, i: x.narrow(axis=1, start=1, length=2), lambda m, x, i: x.narrow(1, 1, 2)),
    "narrow_copy": (lambda m, x, i: m.narrow_copy(x, axis=0, start=0, length=2),
                    lambda m, x, i: m.narrow_copy(x, 0, 0, 2)),
    "Tensor.select": (lambda m, x, i: x.select(axis=1, index=0), lambda m, x, i: x.select(1, 0)),
    "select_scatter": (lambda m, x, i: m.select_scatter(x, x[:, 1], axis=1, index=0),
                       lambda m, x, i: m.select_scatter(x, x[:, 1], 1, 0)),
    "Tensor.slice_scatter": (lambda m, x, i: x.slice_scatter(x[:, 2:], axis=1, start=0, end=2),
                             lambda m, x, i: x.slice_scatter(x[:, 2:], 1, 0, 2)),
    "tensor_split": (lambda m, x, i: m.tensor_split(x, 2, axis=1), lambda m, x, i: m.tensor_split(x, 2, 1)),
    "Tensor.tensor_split": (lambda m, x, i: x.tensor_split([1], axis=0), lambda m, x, i: x.tensor_split([1], 0)),
    "Tensor.split_with_sizes": (lambda m, x, i: x.split_with_sizes([1, 3], axis=1),
                                lambda m, x, i: x.split_with_sizes([1, 3], 1)),
    "repeat_interleave": (lambda m, x, i: m.repeat_interleave(x, 2, axis=0),
                          lambda m, x, i: m.repeat_interleave(x, 2, 0)),
    "Tensor.repeat_interleave": (lambda m, x, i: x.repeat_interleave(2, axis=1), lambda m, x, i: x.repeat_interleave(2, 1)),
    # picking and placing elements
    "Tensor.gather": (lambda m, x, i: x.gather(axis=1, index=i), lambda m, x, i: x.gather(1, i)),
    "gather": (lambda m, x, i: m.gather(x, axis=0, index=i), lambda m, x, i: m.gather(x, 0, i)),
    "take_along_dim": (lambda m, x, i: m.take_along_dim(x, i, axis=1), lambda m, x, i: m.take_along_dim(x, i, 1)),
    "Tensor.index_select": (lambda m, x, i: x.index_select(axis=0, index=_pick(m)),
                            lambda m, x, i: x.index_select(0, _pick(m))),
    "index_select": (lambda m, x, i: m.index_select(x, axis=1, index=_pick(m)),
                     lambda m, x, i: m.index_select(x, 1, _pick(m))),
    "Tensor.scatter": (lambda m, x, i: x.scatter(axis=1, index=i, value=0.5), lambda m, x, i: x.scatter(1, i, 0.5)),
    "scatter_add": (lambda m, x, i: m.scatter_add(x, axis=1, index=i, src=_y(m, x)),
                    lambda m, x, i: m.scatter_add(x, 1, i, _y(m, x))),
    "Tensor.scatter_reduce": (lambda m, x, i: x.scatter_reduce(axis=1, index=i, src=_y(m, x), reduce="amax"),
                              lambda m, x, i: x.scatter_reduce(1, i, _y(m, x), "amax")),
    "index_fill": (lambda m, x, i: m.index_fill(x, axis=0, index=_pick(m), value=0.5),
                   lambda m, x, i: m.index_fill(x, 0, _pick(m), 0.5)),
    "Tensor.index_add": (lambda m, x, i: x.index_add(axis=0, index=_pick(m), source=x[:2]),
                         lambda m, x, i: x.index_add(0, _pick(m), x[:2])),
    "index_copy": (lambda m, x, i: m.index_copy(x, axis=0, index=_pick(m), source=x[1:]),
                   lambda m, x, i: m.index_copy(x, 0, _pick(m), x[1:])),
    "Tensor.index_reduce": (lambda m, x, i: x.index_reduce(axis=0, index=_pick(m), source=x[:2], reduce="prod"),
                            lambda m, x, i: x.index_reduce(0, _pick(m), x[:2], "prod")),
    # in-place forms
    "Tensor.scatter_": (lambda m, x, i: x.clone().scatter_(axis=1, index=i, value=0.5),
                        lambda m, x, i: x.clone().scatter_(1, i, value=0.5)),
    "Tensor.scatter_add_": (lambda m, x, i: x.clone().scatter_add_(axis=1, index=i, src=_y(m, x)),
                            lambda m, x, i: x.clone().scatter_add_(1, i, _y(m, x))),
    "Tensor.scatter_reduce_": (lambda m, x, i: x.clone().scatter_reduce_(axis=1, index=i, src=_y(m, x), reduce="sum"),
                               lambda m, x, i: x.clone().scatter_reduce_(1, i, _y(m, x), "sum")),
    "Tensor.index_fill_": (lambda m, x, i: x.clone().index_fill_(axis=1, index=_pick(m), value=-1.0),
                           lambda m, x, i: x.clone().index_fill_(1, _pick(m), -1.0)),
    "Tensor.index_add_": (lambda m, x, i: x.clone().index_add_(axis=0, index=_pick(m), source=x[1:]),
                          lambda m, x, i: x.clone().index_add_(0, _pick(m), x[1:])),
    "Tensor.index_copy_": (lambda m, x, i: x.clone().index_copy_(axis=0, index=_pick(m), source=x[1:]),
                           lambda m, x, i: x.clone().index_copy_(0, _pick(m), x[1:])),
    "Tensor.index_reduce_": (lambda m, x, i: x.clone().index_reduce_(axis=0, index=_pick(m), source=x[1:],
                                                                     reduce="amax"),
                             lambda m, x, i: x.clone().index_reduce_(0, _pick(m), x[1:], "amax")),
    "Tensor.squeeze_": (lambda m, x, i: x[None].clone().squeeze_(axis=0), lambda m, x, i: x[None].clone().squeeze_(0)),
    "Tensor.unsqueeze_": (lambda m, x, i: x.clone().unsqueeze_(axis=2), lambda m, x, i: x.clone().unsqueeze_(2)),
    "Tensor.renorm_": (lambda m, x, i: x.clone().renorm_(2, axis=1, maxnorm=0.5),
                       lambda m, x, i: x.clone().renorm_(2, 1, 0.5)),
    # calculus, products, distances and sizes
    "trapezoid": (lambda m, x, i: m.trapezoid(x, axis=0), lambda m, x, i: m.trapezoid(x, dim=0)),
    "trapz": (lambda m, x, i: m.trapz(x, axis=1), lambda m, x, i: m.trapz(x, dim=1)),
    "cumulative_trapezoid": (lambda m, x, i: m.cumulative_trapezoid(x, axis=0),
                             lambda m, x, i: m.cumulative_trapezoid(x, dim=0)),
    "gradient": (lambda m, x, i: m.gradient(x, axis=1), lambda m, x, i: m.gradient(x, dim=1)),
    "cross": (lambda m, x, i: m.cross(x[:, :3], x[:, 1:], axis=1), lambda m, x, i: m.cross(x[:, :3], x[:, 1:], 1)),
    "Tensor.cross": (lambda m, x, i: x.cross(_y(m, x), axis=0), lambda m, x, i: x.cross(_y(m, x), 0)),
    "cosine_similarity": (lambda m, x, i: m.cosine_similarity(x, _y(m, x), axis=0),
                          lambda m, x, i: m.cosine_similarity(x, _y(m, x), 0)),
    "pairwise_distance": (lambda m, x, i: m.pairwise_distance(x, _y(m, x), keepdims=True),
                          lambda m, x, i: m.pairwise_distance(x, _y(m, x), keepdim=True)),
    "Tensor.size": (lambda m, x, i: x.size(axis=1), lambda m, x, i: x.size(1)),
    "Tensor.stride": (lambda m, x, i: x.stride(axis=0), lambda m, x, i: x.stride(0)),
}

# PyTorch writes these in Python, without the aliases: TypeError
REFUSED = {
    "split": lambda m, x, i: m.split(x, 2, axis=1),
    "Tensor.split": lambda m, x, i: x.split(2, axis=1),
    "norm": lambda m, x, i: m.norm(x, axis=1),
    "Tensor.norm": lambda m, x, i: x.norm(axis=1),
    "Tensor.norm_keepdims": lambda m, x, i: x.norm(dim=1, keepdims=True),
    "Tensor.unflatten": lambda m, x, i: x.unflatten(axis=1, sizes=(2, 2)),
    "unique": lambda m, x, i: m.unique(x, axis=0),
    "Tensor.unique": lambda m, x, i: x.unique(axis=0),
    "unique_consecutive": lambda m, x, i: m.unique_consecutive(x, axis=0),
    "nn.functional.softmax": lambda m, x, i: m.nn.functional.softmax(x, axis=1),
    "nn.functional.log_softmax": lambda m, x, i: m.nn.functional.log_softmax(x, axis=1),
    "nn.functional.normalize": lambda m, x, i: m.nn.functional.normalize(x, axis=1),
    "cdist": lambda m, x, i: m.cdist(x, x, axis=0),
    "atleast_1d": lambda m, x, i: m.atleast_1d(x, axis=0),
    "flip": lambda m, x, i: m.flip(x, axis=0),  # its dims are `dims`, which has no alias
    # both spellings at once
    "sum_dim_and_axis": lambda m, x, i: m.sum(x, dim=1, axis=1),
    "Tensor.sum_positional_and_axis": lambda m, x, i: x.sum(1, axis=1),
    "Tensor.mean_keepdim_and_keepdims": lambda m, x, i: x.mean(1, keepdim=True, keepdims=True),
    "Tensor.cumsum_dim_and_axis": lambda m, x, i: x.cumsum(0, axis=0),
    "Tensor.gather_dim_and_axis": lambda m, x, i: x.gather(1, i, axis=1),
    "Tensor.size_dim_and_axis": lambda m, x, i: x.size(1, axis=1),
}


def _inputs(m):
    return m.tensor(X), m.tensor(IDX)


def _plain(out):
    """Results as numpy arrays, tuples and Python numbers, for comparing libraries."""
    if hasattr(out, "detach") and hasattr(out, "numpy"):
        return out.detach().numpy()
    if isinstance(out, (tuple, list)):
        return tuple(_plain(o) for o in out)
    return out


def _assert_same(got, expected, label):
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected), label
        for g, e in zip(got, expected):
            _assert_same(g, e, label)
    elif isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray) and got.shape == expected.shape, (label, got, expected)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6, err_msg=label)
    else:
        assert got == expected, (label, got, expected)


@pytest.mark.parametrize("name", ACCEPTED)
def test_alias_gives_the_canonical_result(name):
    alias, canonical = ACCEPTED[name]
    x, i = _inputs(ddp)
    _assert_same(_plain(alias(ddp, x, i)), _plain(canonical(ddp, x, i)), name)


@pytest.mark.parametrize("name", REFUSED)
def test_alias_refused_where_pytorch_refuses(name):
    x, i = _inputs(ddp)
    with pytest.raises(TypeError):
        REFUSED[name](ddp, x, i)


@pytest.mark.filterwarnings("ignore::UserWarning")  # torch's deprecation and beta notes (frobenius_norm, ...)
@pytest.mark.parametrize("name", ACCEPTED)
def test_alias_matches_torch(name):
    torch = pytest.importorskip("torch")
    alias = ACCEPTED[name][0]
    tx, ti = _inputs(torch)
    x, i = _inputs(ddp)
    _assert_same(_plain(alias(ddp, x, i)), _plain(alias(torch, tx, ti)), name)


@pytest.mark.parametrize("name", REFUSED)
def test_torch_refuses_too(name):
    torch = pytest.importorskip("torch")
    tx, ti = _inputs(torch)
    with pytest.raises(TypeError):
        REFUSED[name](torch, tx, ti)


def test_hard_coded_results():
    x = ddp.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.sum(axis=0, keepdims=True).tolist() == [[4.0, 6.0]]
    assert ddp.mean(x, axis=(0, 1)).item() == 2.5
    assert ddp.cat([x, x], axis=1).shape == (2, 4)
    assert x.argmax(axis=1).tolist() == [1, 1]
    assert x.size(axis=1) == 2
    assert [t.tolist() for t in x.unbind(axis=1)] == [[1.0, 3.0], [2.0, 4.0]]
    assert x.cumsum(axis=0).tolist() == [[1.0, 2.0], [4.0, 6.0]]
    assert ddp.gather(x, axis=1, index=ddp.tensor([[1], [0]])).tolist() == [[2.0], [3.0]]
    assert x.argmax(keepdims=True).shape == (1, 1)  # over all elements, every dim kept


def test_alias_records_the_gradient():
    x = ddp.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (x.softmax(axis=1)[:, 0].sum() + x.amax(axis=0).sum()).backward()
    expected = ddp.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (expected.softmax(dim=1)[:, 0].sum() + expected.amax(dim=0).sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), expected.grad.numpy())


@pytest.mark.parametrize("call, message", [
    (lambda x: x.sum(dim=1, axis=1), "sum() got an unexpected keyword argument 'axis'"),
    (lambda x: ddp.amax(x, 0, keepdim=True, keepdims=True), "amax() got an unexpected keyword argument 'keepdims'"),
    (lambda x: x.softmax(0, axis=0), "softmax() got an unexpected keyword argument 'axis'"),
    (lambda x: x.cumsum(), "cumsum() missing 1 required positional argument: 'dim'"),
    (lambda x: ddp.gather(x, axis=0), "gather() missing 1 required positional argument: 'index'"),
    (lambda x: x.narrow(0, 0), "narrow() missing 1 required positional argument: 'length'"),
    (lambda x: x.clone().scatter_(1, ddp.tensor([[0]]), 1.0, axis=1),
     "scatter_() got an unexpected keyword argument 'axis'"),
])
def test_error_messages(call, message):
    with pytest.raises(TypeError) as info:
        call(ddp.ones(2, 3))
    assert str(info.value) == message


def test_aliases_are_keyword_only():
    """Binding them by position would shift PyTorch's positional arguments: keyword-only everywhere."""
    for fn in (ddp.sum, ddp.cat, ddp.gather, ddp.softmax, ddp.Tensor.sum, ddp.Tensor.scatter_, ddp.Tensor.size):
        params = inspect.signature(fn).parameters
        for alias in ("axis", "keepdims"):
            if alias in params:
                assert params[alias].kind is inspect.Parameter.KEYWORD_ONLY, (fn, alias)
