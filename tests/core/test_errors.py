"""Bad input gets a clear error naming the op and the shapes, never a numpy traceback from deep inside."""
import pytest

import ddp

CASES = {
    "broadcast": (lambda: ddp.ones(2, 3) + ddp.ones(4), RuntimeError, r"add: shapes \(2, 3\) and \(4,\)"),
    "broadcast_mul": (lambda: ddp.ones(2, 3) * ddp.ones(2), RuntimeError, r"mul: shapes \(2, 3\) and \(2,\)"),
    "matmul": (lambda: ddp.ones(2, 3) @ ddp.ones(2, 3), RuntimeError, r"matmul: shapes \(2, 3\) and \(2, 3\)"),
    "matmul_batch": (lambda: ddp.ones(2, 2, 3) @ ddp.ones(3, 3, 4), RuntimeError, r"matmul: batch dimensions"),
    "matmul_scalar": (lambda: ddp.matmul(ddp.tensor(1.0), ddp.ones(2)), RuntimeError, "at least 1D"),
    "mm": (lambda: ddp.mm(ddp.ones(2), ddp.ones(2, 2)), RuntimeError, "mm: expected 2-D"),
    "linear": (lambda: ddp.linear(ddp.ones(2, 3), ddp.ones(4, 5)), RuntimeError, r"linear: input of shape \(2, 3\)"),
    "cat": (lambda: ddp.cat([ddp.ones(2, 3), ddp.ones(2, 4)]), RuntimeError, r"cat: sizes .* \(2, 3\) .* \(2, 4\)"),
    "cat_empty": (lambda: ddp.cat([]), RuntimeError, "non-empty"),
    "stack": (lambda: ddp.stack([ddp.ones(2), ddp.ones(3)]), RuntimeError, r"stack: .*\(2,\).*\(3,\)"),
    "view": (lambda: ddp.ones(2, 3).view(4), RuntimeError, r"view: shape '\[4\]' is invalid for input of size 6"),
    "reshape_two_minus_one": (lambda: ddp.ones(6).reshape(-1, -1), RuntimeError, "only one dimension"),
    "expand": (lambda: ddp.ones(2, 3).expand(4, 3), RuntimeError, "expand"),
    "permute": (lambda: ddp.ones(2, 3).permute(0, 0), RuntimeError, "permute"),
    "dim_range": (lambda: ddp.ones(2, 3).sum(dim=2), IndexError, r"sum: Dimension out of range"),
    "softmax_dim": (lambda: ddp.softmax(ddp.ones(2), dim=1), IndexError, "softmax: Dimension out of range"),
    "split_sizes": (lambda: ddp.split(ddp.ones(5), [2, 2]), RuntimeError, "split: sizes"),
    "gather_ndim": (lambda: ddp.gather(ddp.ones(2, 2), 1, ddp.tensor([0])), RuntimeError, "gather"),
    "where_cond": (lambda: ddp.where(ddp.ones(2), ddp.ones(2), ddp.ones(2)), TypeError, "where: condition"),
    "where_shapes": (lambda: ddp.where(ddp.ones(3, dtype=ddp.bool), ddp.ones(1), ddp.ones(4)), RuntimeError, "where"),
    "clamp_none": (lambda: ddp.clamp(ddp.ones(2)), RuntimeError, "clamp"),
    "item": (lambda: ddp.ones(2).item(), RuntimeError, "a Tensor with 2 elements cannot be converted to Scalar"),
    "bool": (lambda: bool(ddp.ones(2)), RuntimeError, "ambiguous"),
    "float_index": (lambda: ddp.ones(3)[ddp.tensor([1.0])], IndexError, "long, int or bool"),
    "mean_int": (lambda: ddp.tensor([1, 2]).mean(), RuntimeError, "mean"),
    "max_empty": (lambda: ddp.zeros(0).max(), RuntimeError, "max"),
    "create_graph": (lambda: ddp.autograd.grad((ddp.ones(1, requires_grad=True) * 2).sum(), ddp.ones(1)),
                     RuntimeError, "does not require grad"),
}


@pytest.mark.parametrize("name", CASES)
def test_error(name):
    fn, kind, message = CASES[name]
    with pytest.raises(kind, match=message):
        fn()


def test_backward_of_a_non_scalar_needs_a_gradient():
    x = ddp.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()


def test_backward_of_a_tensor_without_grad():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"):
        ddp.ones(1).sum().backward()


def test_backward_gradient_of_the_wrong_shape():
    x = ddp.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of \(3,\)"):
        (x * 2).backward(ddp.ones(3))


def test_second_backward_message():
    x = ddp.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_grad_of_unused_input_message():
    x, u = ddp.ones(1, requires_grad=True), ddp.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        ddp.autograd.grad((x * 2).sum(), [u])


def test_create_graph_through_an_op_without_a_differentiable_backward_names_it():
    class Cube(ddp.autograd.Function):  # an op of ddp's own kind: on arrays, no differentiable_backward
        on_tensors = False

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    x = ddp.ones(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match="create_graph=True.*CubeBackward"):
        ddp.autograd.grad(Cube.apply(x * 2).sum(), x, create_graph=True)
    (g,) = ddp.autograd.grad(Cube.apply(x * 2).sum(), x)  # first order still works
    assert g.tolist() == [24.0, 24.0]


def test_gather_index_out_of_range_names_the_sizes():
    with pytest.raises(RuntimeError, match="gather: index out of range for dim 1 of size 3"):
        ddp.gather(ddp.randn(2, 3), 1, ddp.tensor([[0, 5], [1, 2]]))


def test_writing_in_place_into_an_expanded_view_raises_pytorchs_runtime_error():
    """numpy's error would be a ValueError about read-only memory; PyTorch says to clone() first."""
    view = ddp.ones(3).expand(2, 3)
    for write in (lambda: view.add_(1), lambda: view.__setitem__(0, 2.0), lambda: view.fill_(1),
                  lambda: view.zero_(), lambda: view.uniform_(), lambda: view.bernoulli_(), lambda: view.relu_(),
                  lambda: view.copy_(ddp.zeros(2, 3))):
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor refers to a "
                                               "single memory location. Please clone"):
            write()
    assert view.tolist() == [[1.0] * 3] * 2
    view.clone().add_(1)  # a clone is writable


def test_bfloat16_method_explains_that_ddp_has_no_bfloat16():
    with pytest.raises(TypeError, match="no bfloat16"):
        ddp.ones(2).bfloat16()
