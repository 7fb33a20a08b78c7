"""dtypes: ddp uses numpy's dtypes under PyTorch's names (`ddp.float32 == np.float32`)."""
import builtins

import numpy as np

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
uint8 = np.dtype("uint8")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
bool = np.dtype("bool")  # noqa: A001 - PyTorch's name
float = float32  # noqa: A001
double = float64
long = int64


def as_dtype(dtype):
    """A numpy dtype from anything dtype-like; Python `float` means float32 and `int` int64, as in PyTorch."""
    if dtype is None:
        return None
    if dtype is builtins.float:
        return float32
    if dtype is builtins.int:
        return int64
    return np.dtype(dtype)


def is_floating(dtype):
    return np.dtype(dtype).kind == "f"
