"""ddp.testing: assert_close (tolerances by dtype, nesting, NaN, dtype checks, the mismatch report, msg),
make_tensor and the deprecated assert_allclose, checked against torch.testing where torch is installed."""
import math

import numpy as np
import pytest

import ddp
from ddp.testing import assert_allclose, assert_close, make_tensor


def _outcome(fn, *args, **kwargs):
    """The exception type fn raises (None when it passes)."""
    try:
        fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e)
    return None


def _to_torch(torch, x):
    if isinstance(x, ddp.Tensor):
        return torch.from_numpy(np.array(x.numpy()))
    if isinstance(x, (list, tuple)):
        return type(x)(_to_torch(torch, v) for v in x)
    if isinstance(x, dict):
        return {k: _to_torch(torch, v) for k, v in x.items()}
    return x


CASES = [
    (ddp.tensor([1.0, 2.0]), ddp.tensor([1.0, 2.0 + 1e-6]), {}),
    (ddp.tensor([1.0, 2.0]), ddp.tensor([1.0, 2.001]), {}),
    (ddp.tensor([1.0, 2.0], dtype=ddp.float64), ddp.tensor([1.0, 2.0 + 1e-6], dtype=ddp.float64), {}),
    (ddp.tensor([1.0, 2.0], dtype=ddp.float16), ddp.tensor([1.0, 2.001], dtype=ddp.float16), {}),
    (ddp.tensor([1, 2]), ddp.tensor([1, 3]), {}),
    (ddp.tensor([1, 2]), ddp.tensor([1, 2], dtype=ddp.int32), {}),
    (ddp.tensor([1, 2]), ddp.tensor([1.0, 2.0]), {"check_dtype": False}),
    (ddp.tensor([1.0]), ddp.tensor([1.0], dtype=ddp.float64), {}),
    (ddp.tensor([1.0, 2.0]), ddp.tensor([1.0, 2.0, 3.0]), {}),
    (ddp.tensor([math.nan]), ddp.tensor([math.nan]), {}),
    (ddp.tensor([math.nan]), ddp.tensor([math.nan]), {"equal_nan": True}),
    (ddp.tensor([math.inf]), ddp.tensor([math.inf]), {}),
    (ddp.tensor([math.inf]), ddp.tensor([-math.inf]), {}),
    (ddp.tensor([1.0]), ddp.tensor([1.1]), {"rtol": 0.2, "atol": 0.0}),
    (ddp.tensor([True, False]), ddp.tensor([True, True]), {}),
    ([ddp.tensor(1.0)], (ddp.tensor(1.0),), {}),
    ({"a": [ddp.tensor(1.0), ddp.tensor(2.0)]}, {"a": [ddp.tensor(1.0), ddp.tensor(3.0)]}, {}),
    ({"a": ddp.tensor(1.0)}, {"b": ddp.tensor(1.0)}, {}),
    ([1, 2], [1, 2, 3], {}),
    (1.0, 1.0 + 1e-9, {}),
    (1.0, 1.1, {}),
    (1.0, 1, {}),
    (None, None, {}),
    (ddp.tensor(1.0), 1.0, {}),
    (ddp.tensor([1.0]), [1.0], {}),
    ("a", "a", {}),
    (ddp.zeros(0), ddp.zeros(0), {}),
]


@pytest.mark.parametrize("actual, expected, kwargs", CASES)
def test_outcome_matches_torch(actual, expected, kwargs):
    torch = pytest.importorskip("torch")
    got = _outcome(assert_close, actual, expected, **kwargs)
    want = _outcome(torch.testing.assert_close, _to_torch(torch, actual), _to_torch(torch, expected), **kwargs)
    assert got is want


def test_defaults_are_torchs_per_dtype():
    for dtype, rtol, atol in [(ddp.float16, 1e-3, 1e-5), (ddp.float32, 1.3e-6, 1e-5), (ddp.float64, 1e-7, 1e-7)]:
        base = ddp.tensor([100.0], dtype=dtype)
        inside = ddp.tensor([100.0 * (1 + rtol * 0.5)], dtype=dtype)
        assert_close(inside, base)
        assert_close(ddp.tensor([atol * 0.5], dtype=dtype), ddp.tensor([0.0], dtype=dtype))
    with pytest.raises(AssertionError, match="not equal"):
        assert_close(ddp.tensor([2**62 + 1]), ddp.tensor([2**62]))  # integers stay exact, even large ones


def test_report_counts_and_locates_the_greatest_differences():
    actual = ddp.tensor([[1.0, 2.0], [3.0, 4.0]])
    expected = ddp.tensor([[1.0, 2.5], [3.0, 2.0]])
    with pytest.raises(AssertionError) as info:
        assert_close(actual, expected)
    text = str(info.value)
    assert "2 of 4 elements differ (50.0%)" in text
    assert "Greatest absolute difference: 2 at index (1, 1)" in text
    assert "Greatest relative difference: 1 at index (1, 1)" in text
    with pytest.raises(AssertionError, match=r"mismatch is at item \['a'\]\[1\]"):
        assert_close({"a": [ddp.tensor(1.0), ddp.tensor(2.0)]}, {"a": [ddp.tensor(1.0), ddp.tensor(3.0)]})


def test_msg_replaces_or_rewrites_the_report():
    a, b = ddp.tensor([1.0]), ddp.tensor([2.0])
    with pytest.raises(AssertionError, match="^custom$"):
        assert_close(a, b, msg="custom")
    with pytest.raises(AssertionError, match="^prefix: Tensors are not close"):
        assert_close(a, b, msg=lambda report: "prefix: " + report)


def test_argument_errors():
    with pytest.raises(ValueError, match="both rtol and atol"):
        assert_close(ddp.ones(1), ddp.ones(1), rtol=1e-3)
    with pytest.raises(TypeError, match="cannot compare a Tensor with a list"):
        assert_close(ddp.ones(1), [1.0])
    with pytest.raises(TypeError, match="allow_subclasses"):
        assert_close(ddp.nn.Parameter(ddp.ones(1)), ddp.ones(1), allow_subclasses=False)
    assert_close(ddp.nn.Parameter(ddp.ones(1)), ddp.ones(1))
    assert_close(np.ones(2), np.ones(2))


def test_assert_allclose_is_deprecated_and_lenient():
    with pytest.warns(FutureWarning):
        assert_allclose(ddp.tensor([1.0, math.nan]), [1.0, math.nan])
    with pytest.warns(FutureWarning), pytest.raises(AssertionError):
        assert_allclose(ddp.tensor([1.0]), ddp.tensor([2.0]))


def test_make_tensor_ranges_and_dtypes():
    ddp.manual_seed(0)
    x = make_tensor(200, dtype=ddp.float32)
    assert x.shape == (200,) and x.dtype == ddp.float32 and -9 <= x.min().item() and x.max().item() < 9
    y = make_tensor((3, 4), dtype=ddp.float64, low=0, high=1, requires_grad=True)
    assert y.shape == (3, 4) and y.requires_grad and 0 <= y.min().item() and y.max().item() < 1
    ints = make_tensor([500], dtype=ddp.int64, low=0, high=2)
    assert set(np.unique(ints.numpy())) == {0, 1}
    assert make_tensor(50, dtype=ddp.uint8).min().item() >= 0
    assert make_tensor(4, dtype=ddp.bool).dtype == ddp.bool
    assert make_tensor(dtype=ddp.float32).shape == ()
    assert (make_tensor(100, dtype=ddp.int64, low=-1, high=1, exclude_zero=True).numpy() != 0).all()
    ddp.manual_seed(1)
    a = make_tensor(5, dtype=ddp.float32)
    ddp.manual_seed(1)
    assert_close(a, make_tensor(5, dtype=ddp.float32))


def test_make_tensor_errors_match_torch():
    torch = pytest.importorskip("torch")
    for kwargs in [{"low": 2, "high": 1}, {"low": math.nan}]:
        assert _outcome(make_tensor, 3, dtype=ddp.float32, **kwargs) is ValueError
        assert _outcome(torch.testing.make_tensor, 3, dtype=torch.float32, device="cpu", **kwargs) is ValueError
    assert _outcome(make_tensor, 3, dtype=ddp.int64, low=3, high=3) is ValueError
    assert _outcome(torch.testing.make_tensor, 3, dtype=torch.int64, device="cpu", low=3, high=3) is ValueError
    with pytest.warns(FutureWarning):  # floats: a constant tensor, deprecated (as in PyTorch)
        assert (make_tensor(3, dtype=ddp.float32, low=2.0, high=2.0).numpy() == 2.0).all()
    assert _outcome(make_tensor, 3, dtype=ddp.int64, requires_grad=True) is ValueError
    assert _outcome(torch.testing.make_tensor, 3, dtype=torch.int64, device="cpu", requires_grad=True) is ValueError
