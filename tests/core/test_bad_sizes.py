"""Ragged lists, negative sizes and impossible ranges give PyTorch's exception type and a ddp message that
names the call, what it expected and what it was given (never numpy's)."""
import numpy as np
import pytest

import ddp

# (call taking the library, ddp's exception type, a part of ddp's message)
CASES = {
    "tensor ragged": (lambda L: L.tensor([[1, 2], [3]]), ValueError,
                      r"tensor\(\): expected sequence of length 2 at dim 1 \(got 1\)"),
    "tensor ragged deep": (lambda L: L.tensor([[[1], [2]], [[3]]]), ValueError,
                           r"tensor\(\): expected sequence of length 2 at dim 1 \(got 1\)"),
    "tensor ragged inner": (lambda L: L.tensor([[1], [2, 3]]), ValueError,
                            r"expected sequence of length 1 at dim 1 \(got 2\)"),
    "tensor number for a list": (lambda L: L.tensor([[1, 2], 3]), TypeError,
                                 r"tensor\(\): expected a sequence of length 2 at dim 1, got int \(3\)"),
    "tensor list for a number": (lambda L: L.tensor([1, [2, 3]]), TypeError,
                                 r"tensor\(\): expected a number at dim 1"),
    "new_tensor ragged": (lambda L: L.ones(2).new_tensor([[1, 2], [3]]), ValueError,
                          r"new_tensor\(\): expected sequence of length 2 at dim 1 \(got 1\)"),
    "tensor string": (lambda L: L.tensor([1, "a"]), TypeError, r"tensor\(\): invalid data type 'str'"),
    "tensor None": (lambda L: L.tensor([1, None]), RuntimeError, r"tensor\(\): could not infer a numeric dtype"),
    "zeros negative": (lambda L: L.zeros(-1), RuntimeError, r"zeros\(\): .*negative dimension -1: \[-1\]"),
    "zeros tuple negative": (lambda L: L.zeros((2, -1)), RuntimeError,
                             r"zeros\(\): .*negative dimension -1: \[2, -1\]"),
    "ones negative": (lambda L: L.ones(2, -3), RuntimeError, r"ones\(\): .*negative dimension -3: \[2, -3\]"),
    "empty negative": (lambda L: L.empty((2, -1)), RuntimeError, r"empty\(\): .*negative dimension -1"),
    "full negative": (lambda L: L.full((-2,), 1.0), RuntimeError, r"full\(\): .*negative dimension -2"),
    "randn negative": (lambda L: L.randn(2, -3), RuntimeError, r"randn\(\): .*negative dimension -3: \[2, -3\]"),
    "rand negative": (lambda L: L.rand(-1), RuntimeError, r"rand\(\): .*negative dimension -1"),
    "randint negative": (lambda L: L.randint(0, 5, (-1,)), RuntimeError, r"randint\(\): .*negative dimension -1"),
    "randperm negative": (lambda L: L.randperm(-1), RuntimeError,
                          r"randperm\(\): n must be greater or equal to 0, got -1"),
    "new_zeros negative": (lambda L: L.ones(2).new_zeros(-1), RuntimeError, r"new_zeros\(\): .*negative dimension -1"),
    "new_full negative": (lambda L: L.ones(2).new_full((2, -4), 1.0), RuntimeError, r"new_full\(\): .*dimension -4"),
    "new_empty negative": (lambda L: L.ones(2).new_empty((-1,)), RuntimeError, r"new_empty\(\): .*dimension -1"),
    "zeros float size": (lambda L: L.zeros(2.5), TypeError, r"zeros\(\): size must be ints .*float \(2.5\)"),
    "ones None size": (lambda L: L.ones((2, None)), TypeError, r"ones\(\): size must be ints .*NoneType"),
    "zeros bool size": (lambda L: L.zeros(True), TypeError, r"zeros\(\): size must be ints .*bool"),
    "full list value": (lambda L: L.full((2,), [1, 2]), TypeError, r"full\(\): fill_value must be a number, not list"),
    "arange step 0": (lambda L: L.arange(0, 5, 0), RuntimeError,
                      r"arange\(\): step must be nonzero, got start=0, end=5"),
    "arange wrong sign": (lambda L: L.arange(5, 0, 1), RuntimeError,
                          r"arange\(\): upper bound and lower bound inconsistent with step sign, got start=5"),
    "arange wrong sign down": (lambda L: L.arange(0.0, 1.0, -0.1), RuntimeError, r"inconsistent with step sign"),
    "arange infinite": (lambda L: L.arange(0, float("inf")), RuntimeError, r"arange\(\): unsupported range: 0 -> inf"),
    "linspace negative": (lambda L: L.linspace(0, 1, -1), RuntimeError,
                          r"linspace\(\): number of steps must be non-negative, got -1"),
    "logspace negative": (lambda L: L.logspace(0, 1, -2), RuntimeError,
                          r"logspace\(\): number of steps must be non-negative"),
    "eye negative": (lambda L: L.eye(-1), RuntimeError, r"eye\(\): n must be greater or equal to 0, got -1"),
    "eye negative m": (lambda L: L.eye(2, -1), RuntimeError, r"eye\(\): m must be greater or equal to 0, got -1"),
    "eye float": (lambda L: L.eye(2.5), TypeError, r"eye\(\): argument 'n' must be int, not float"),
    "view -2": (lambda L: L.ones(2, 3).view(-2), RuntimeError,
                r"view: invalid shape dimension -2 at index 0 of shape \[-2\]"),
    "reshape -3": (lambda L: L.ones(2, 3).reshape(3, -3), RuntimeError,
                   r"reshape: invalid shape dimension -3 at index 1"),
    "view two -1": (lambda L: L.ones(2, 3).view(-1, -1), RuntimeError, r"view: only one dimension can be inferred"),
    "view does not fit": (lambda L: L.ones(2, 3).view(4, -1), RuntimeError,
                          r"view: shape '\[4, -1\]' is invalid for input of size 6"),
    "view ambiguous": (lambda L: L.zeros(0, 3).view(-1, 0), RuntimeError,
                       r"view: cannot reshape tensor of 0 elements into shape \[-1, 0\] .* ambiguous"),
    "flatten start after end": (lambda L: L.ones(2, 3, 4).flatten(2, 1), RuntimeError,
                                r"flatten\(\) has invalid args: start_dim .*cannot come after end_dim"),
    "unflatten": (lambda L: L.ones(1, 2, 2).unflatten(1, (-1, 3)), RuntimeError,
                  r"unflatten: Provided sizes \[-1, 3\] don't multiply up to the size of dim 1 \(2\)"),
    "repeat negative": (lambda L: L.ones(2, 3).repeat(-1, 1), RuntimeError,
                        r"repeat: repeats must be non-negative, got \[-1, 1\]"),
    "split 0": (lambda L: L.ones(2, 3).split(0), RuntimeError,
                r"split: split_size must be positive .*got 0 for dim 0 of size 2"),
    "split negative": (lambda L: L.ones(2, 3).split(-1), RuntimeError, r"split: split_size must be positive"),
    "chunk 0": (lambda L: L.ones(2, 3).chunk(0), RuntimeError, r"chunk: expects `chunks` to be greater than 0, got: 0"),
    "chunk negative": (lambda L: L.ones(2, 3).chunk(-1), RuntimeError,
                       r"chunk: expects `chunks` to be greater than 0, got: -1"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_ddp_raises_its_message(name):
    call, kind, match = CASES[name]
    with pytest.raises(kind, match=match):
        call(ddp)


@pytest.mark.parametrize("name", sorted(CASES))
def test_torch_raises_the_same_type(name):
    torch = pytest.importorskip("torch")
    call, kind, _ = CASES[name]
    with pytest.raises(Exception) as caught:
        call(torch)
    assert type(caught.value) is kind, f"torch raised {type(caught.value).__name__}: {caught.value}"


def test_regular_data_and_zero_sizes_still_work():
    assert ddp.tensor([[1, 2], [3, 4]]).shape == (2, 2) and ddp.tensor([[], []]).shape == (2, 0)
    assert ddp.tensor([np.ones(2), np.zeros(2)]).shape == (2, 2)
    assert ddp.zeros(0, 3).shape == (0, 3) and ddp.randn(np.int64(2), 0).shape == (2, 0)
    assert ddp.zeros(ddp.tensor(3)).shape == (3,)
    assert ddp.arange(0, 0).shape == (0,) and ddp.arange(3, 3, -1).shape == (0,) and ddp.linspace(0, 1, 0).shape == (0,)
    assert ddp.eye(0).shape == (0, 0) and ddp.randperm(0).shape == (0,)
    assert ddp.zeros(0, 3).view(-1, 3).shape == (0, 3)
    assert len(ddp.zeros(0, 3).split(0)) == 1 and ddp.ones(2, 3).repeat(0, 1).shape == (0, 3)
    assert ddp.ones(2).new_zeros(0, 2).shape == (0, 2)
