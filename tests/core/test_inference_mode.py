"""inference_mode as PyTorch's: no recording, inference tensors (is_inference) that may not be saved for
backward, written in place or made to require grad outside it; inference_mode(False) records again."""
import pytest

from tests.core.op_helpers import each_library


@each_library
def test_flags_inside_and_out(lib):
    with lib.inference_mode():
        y = lib.ones(2) * 2
        assert lib.is_inference_mode_enabled() and y.is_inference() and not lib.is_grad_enabled()
        with lib.inference_mode(False):
            assert not lib.is_inference_mode_enabled() and lib.is_grad_enabled()
            assert not lib.ones(1).is_inference()
    assert not lib.is_inference_mode_enabled() and lib.is_grad_enabled()
    assert y.is_inference() and y.view(2).is_inference() and not y.clone().is_inference()

    @lib.inference_mode()
    def made():
        return lib.ones(1)

    assert made().is_inference()


@each_library
def test_inference_tensors_stay_out_of_autograd(lib):
    with lib.inference_mode():
        y = lib.ones(2) * 2
    p = lib.ones(2, requires_grad=True)
    assert (p + y).requires_grad  # an add saves nothing: allowed
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        p * y
    (p * y.clone()).sum().backward()  # a clone is a normal tensor
    assert p.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="Inplace update to inference tensor outside InferenceMode"):
        y.add_(1)
    with pytest.raises(RuntimeError, match="Setting requires_grad=True on inference tensor outside InferenceMode"):
        y.requires_grad_()


@each_library
def test_normal_tensors_inside(lib):
    x = lib.ones(3)
    with lib.inference_mode():
        view = x[:2]
        x.add_(1)
        assert not view.is_inference() and x.tolist() == [2.0, 2.0, 2.0]
    view.mul_(3)
    assert x.tolist() == [6.0, 6.0, 2.0]
