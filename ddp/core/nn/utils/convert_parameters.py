"""All parameters as one flat vector and back (torch.nn.utils.parameters_to_vector / vector_to_parameters)."""
from ...shape_functional import cat
from ...tensor import Tensor


def _check_tensor(op, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, but got: {type(x).__name__}")


def parameters_to_vector(parameters):
    """The parameters flattened and concatenated into one 1-d Tensor (differentiable: a new tensor, not a view).

    Example:
        >>> vec = parameters_to_vector(model.parameters())
    """
    flat = []
    for p in parameters:
        _check_tensor("parameters_to_vector", p)
        flat.append(p.reshape(-1))
    return cat(flat)


def vector_to_parameters(vec, parameters):
    """Set the parameters' values from consecutive slices of the 1-d Tensor `vec` (as PyTorch, each
    parameter's `.data` becomes a view of `vec`).

    Raises:
        TypeError when vec is not a Tensor; ValueError when its length differs from the parameters' total.
    """
    _check_tensor("vector_to_parameters", vec)
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != total:
        raise ValueError(f"vector_to_parameters: vec has shape {tuple(vec.shape)}, expected ({total},) (the "
                         f"number of elements in the {len(params)} parameters)")
    flat, start = vec.detach()._data, 0
    for p in params:
        n = p.numel()
        p.data = flat[start:start + n].reshape(p.shape).astype(p.dtype, copy=False)
        start += n
