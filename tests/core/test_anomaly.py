"""Anomaly detection, grad_fn.next_functions and autograd.Variable."""
import numpy as np
import pytest

import ddp

pytestmark = pytest.mark.filterwarnings("ignore:(invalid value|divide by zero):RuntimeWarning")


def _nan_backward():
    x = ddp.tensor([0.0, 1.0], requires_grad=True)
    y = ddp.sqrt(x)  # the line the error must name: d sqrt(x)/dx at 0 is inf, times 0 is nan
    (y * 0).sum().backward()
    return x


def test_off_by_default_and_silent():
    assert not ddp.autograd.is_anomaly_enabled()
    x = _nan_backward()
    assert np.isnan(x.grad.numpy()[0])


def test_detect_anomaly_names_the_op_and_its_forward():
    with ddp.autograd.detect_anomaly():
        assert ddp.autograd.is_anomaly_enabled()
        with pytest.raises(RuntimeError, match=r"Function 'SqrtBackward0' returned nan values in its 0th output") as e:
            _nan_backward()
    assert "y = ddp.sqrt(x)" in str(e.value) and "test_anomaly.py" in str(e.value)
    assert not ddp.autograd.is_anomaly_enabled()


def test_set_detect_anomaly_as_a_call_and_context():
    ddp.autograd.set_detect_anomaly(True)
    try:
        with pytest.raises(RuntimeError, match="returned nan values"):
            _nan_backward()
    finally:
        ddp.autograd.set_detect_anomaly(False)
    assert not ddp.autograd.is_anomaly_enabled()
    with ddp.autograd.set_detect_anomaly(True):
        assert ddp.autograd.is_anomaly_enabled()
    assert not ddp.autograd.is_anomaly_enabled()


def test_inf_and_decorator():
    @ddp.autograd.detect_anomaly()
    def run():
        x = ddp.tensor([0.0], requires_grad=True)
        ddp.log(x).sum().backward()

    with pytest.raises(RuntimeError, match=r"Function 'LogBackward0' returned inf values in its 0th output"):
        run()
    with ddp.autograd.detect_anomaly(check_nan=False):
        _nan_backward()  # check_nan=False records call sites but does not raise


def test_anomaly_mode_keeps_gradients():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    with ddp.autograd.detect_anomaly():
        (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_next_functions():
    a = ddp.ones(2, requires_grad=True)
    b = ddp.ones(2)
    y = (a * b).sum()
    (mul, _), = y.grad_fn.next_functions
    assert mul is y.grad_fn.next_functions[0][0] and mul.name() == "MulBackward0"
    (acc, i), (none, j) = mul.next_functions
    assert acc.name() == "AccumulateGrad" and acc.variable is a and none is None and i == j == 0
    assert acc.next_functions == ()


def test_variable():
    x = ddp.ones(2)
    v = ddp.autograd.Variable(x, requires_grad=True)
    assert v is not x and v.requires_grad and not x.requires_grad and isinstance(x, ddp.autograd.Variable)
    v.data[0] = 5
    assert x.tolist() == [5.0, 1.0]  # shares memory, as PyTorch's
    assert not ddp.autograd.Variable(x).requires_grad
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        ddp.autograd.Variable([1, 2])


def test_same_message_as_torch():
    torch = pytest.importorskip("torch")
    with torch.autograd.detect_anomaly(), pytest.warns(UserWarning):
        x = torch.tensor([0.0, 1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match=r"Function 'SqrtBackward0' returned nan values in its 0th output"):
            (torch.sqrt(x) * 0).sum().backward()
    y = (torch.ones(2, requires_grad=True) * torch.ones(2)).sum()
    ours = (ddp.ones(2, requires_grad=True) * ddp.ones(2)).sum()
    assert [n is None for n, _ in y.grad_fn.next_functions[0][0].next_functions] == \
        [n is None for n, _ in ours.grad_fn.next_functions[0][0].next_functions]


def test_an_error_inside_backward_names_its_forward():
    class Broken(ddp.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            raise ValueError("broken backward")

    x = ddp.ones(2, requires_grad=True)
    with ddp.autograd.detect_anomaly():
        y = Broken.apply(x)  # the forward the note must name
        with pytest.raises(ValueError, match="broken backward") as e:
            y.sum().backward()
    notes = "\n".join(getattr(e.value, "__notes__", []))
    if hasattr(e.value, "add_note"):
        assert "Error detected in BrokenBackward" in notes and "y = Broken.apply(x)" in notes
