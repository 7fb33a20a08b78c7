"""set_printoptions: precision, profiles, scientific notation and elision change how tensors print, as in
PyTorch; every test puts the default back."""
import pytest

import ddp


@pytest.fixture(autouse=True)
def default_options():
    yield
    ddp.set_printoptions(profile="default")


X = [1.23456, 2.5]


def test_precision_and_profiles():
    ddp.set_printoptions(precision=2)
    assert repr(ddp.tensor(X)) == "tensor([1.23, 2.50])"
    ddp.set_printoptions(profile="short")
    assert repr(ddp.tensor(X)) == "tensor([1.23, 2.50])"
    ddp.set_printoptions(profile="default")
    assert repr(ddp.tensor(X)) == "tensor([1.2346, 2.5000])"


def test_scientific_notation_on_and_back_to_automatic():
    ddp.set_printoptions(sci_mode=True)
    assert repr(ddp.tensor(X)) == "tensor([1.2346e+00, 2.5000e+00])"
    ddp.set_printoptions(precision=4)  # a call without sci_mode sets it back to automatic, as PyTorch
    assert repr(ddp.tensor(X)) == "tensor([1.2346, 2.5000])"
    assert repr(ddp.tensor([1, 2])) == "tensor([1, 2])"  # integers are never scientific


def test_threshold_and_edgeitems_elide_the_middle():
    ddp.set_printoptions(threshold=5, edgeitems=1)
    assert repr(ddp.arange(10.0)).replace("  ", " ") == "tensor([0., ..., 9.])"
    ddp.set_printoptions(profile="full")
    assert "..." not in repr(ddp.arange(2000))


def test_an_unknown_profile_changes_nothing_as_in_pytorch():
    ddp.set_printoptions(profile="nonsense")
    assert repr(ddp.tensor(X)) == "tensor([1.2346, 2.5000])"


def test_matches_torch():
    torch = pytest.importorskip("torch")
    for kwargs in (dict(precision=2), dict(sci_mode=True), dict(profile="short"), dict(precision=6)):
        torch.set_printoptions(**kwargs)
        ddp.set_printoptions(**kwargs)
        try:
            assert repr(ddp.tensor(X)) == repr(torch.tensor(X)), kwargs
        finally:
            torch.set_printoptions(profile="default")
            ddp.set_printoptions(profile="default")
