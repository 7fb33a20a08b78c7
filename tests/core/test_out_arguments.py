"""PyTorch's out= keyword on the top-level functions (out_arguments.py), as the tensor tutorial uses it."""
import warnings

import pytest

from tests.core.op_helpers import each_library


@each_library
def test_results_are_written_into_out(lib):
    t = lib.arange(16.0).reshape(4, 4)
    y = lib.rand(4, 4)
    assert lib.matmul(t, t.T, out=y) is y and y[0].tolist() == [14.0, 38.0, 62.0, 86.0]
    z = lib.rand_like(t)
    lib.mul(t, t, out=z)
    assert z[1].tolist() == [16.0, 25.0, 36.0, 49.0]
    values, indices = lib.empty(4), lib.empty(4, dtype=lib.long)
    lib.max(t, 1, out=(values, indices))
    assert values.tolist() == [3.0, 7.0, 11.0, 15.0] and indices.tolist() == [3, 3, 3, 3]
    s = lib.empty(4)
    lib.sum(t, 0, out=s)
    assert s.tolist() == [24.0, 28.0, 32.0, 36.0]
    r = lib.empty(3)
    lib.arange(3, out=r)
    assert r.tolist() == [0.0, 1.0, 2.0] and r.dtype == lib.float32


@each_library
def test_an_empty_out_is_resized_quietly_and_a_full_one_with_a_warning(lib):
    t = lib.ones(2, 2)
    empty = lib.empty(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lib.cat([t, t], out=empty)
    assert tuple(empty.shape) == (4, 2)
    full = lib.empty(3)
    with pytest.warns(UserWarning, match="was resized since it had shape"):
        lib.add(lib.ones(2), 1, out=full)
    assert full.tolist() == [2.0, 2.0]


@each_library
def test_out_refuses_autograd_and_narrowing_casts(lib):
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        lib.add(lib.ones(2, requires_grad=True), 1, out=lib.empty(2))
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        lib.add(lib.ones(2), 1.5, out=lib.empty(2, dtype=lib.long))
    wide = lib.empty(2, dtype=lib.float64)
    lib.add(lib.ones(2), 1, out=wide)
    assert wide.dtype == lib.float64 and wide.tolist() == [2.0, 2.0]


@each_library
def test_an_expanded_out_refuses_even_when_it_would_be_resized(lib):
    expanded = lib.zeros(1).expand(3)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        lib.add(lib.ones(2), 1, out=expanded)
