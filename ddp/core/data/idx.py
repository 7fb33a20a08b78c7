"""The IDX file format (MNIST's): read and write, gzipped or raw, with checked headers.

Layout: two zero bytes, a type code, the number of dims, each dim as a big-endian uint32, then the data in
C order, big-endian. The magic number is the first four bytes read as one big-endian integer (2051 for
MNIST images: uint8 with 3 dims; 2049 for labels: uint8 with 1 dim).
"""
import gzip
import zlib
from pathlib import Path

import numpy as np

from .dataset import DatasetError
from .files import atomic_write

_DTYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
           0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_CODES = {dt.newbyteorder("="): code for code, dt in _DTYPES.items()}


def _is_gzip(path):
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _read_header(f, path, magic, hint):
    head = f.read(4)
    if len(head) < 4 or head[:2] != b"\0\0" or head[2] not in _DTYPES or head[3] == 0:
        raise DatasetError(f"{path} is not an IDX file (first bytes {head.hex() or 'empty'}). {hint}")
    found = int.from_bytes(head, "big")
    if magic is not None and found != magic:
        raise DatasetError(f"{path}: magic number {found}, expected {magic}; wrong or damaged file. {hint}")
    dims = f.read(4 * head[3])
    if len(dims) < 4 * head[3]:
        raise DatasetError(f"{path} is truncated inside its header. {hint}")
    return _DTYPES[head[2]], tuple(int(d) for d in np.frombuffer(dims, ">u4"))


def read_idx(path, magic=None, hint=""):
    """Read an IDX file (gzip detected from its content) into a native-endian numpy array.

    Args:
        path: the file.
        magic: the expected magic number (e.g. 2051), or None to accept any IDX type.
        hint: a sentence appended to error messages saying how to fix the file.
    Returns:
        ndarray of the header's shape and type.
    Raises:
        FileNotFoundError: if the file is missing.
        DatasetError: for a wrong magic number, a truncated or corrupt file, or data that does not match the
            header's counts; the message names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found. {hint}".strip())
    try:
        with (gzip.open if _is_gzip(path) else open)(path, "rb") as f:
            dtype, shape = _read_header(f, path, magic, hint)
            out = np.empty(shape, dtype)
            buf, got = out.reshape(-1).view(np.uint8), 0
            while got < buf.size and (n := f.readinto(buf[got:])):
                got += n
            extra = len(f.read(1))
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise DatasetError(f"{path} is truncated or corrupt ({e}). {hint}") from e
    if got < buf.size:
        raise DatasetError(f"{path} is truncated: its header says shape {shape} ({buf.size} bytes of data) "
                           f"but it holds only {got}. {hint}")
    if extra:
        raise DatasetError(f"{path} holds more data than its header's shape {shape} says. {hint}")
    return out.astype(dtype.newbyteorder("="), copy=False)


def write_idx(path, array):
    """Write `array` as an IDX file, gzipped if `path` ends in `.gz`, atomically (temp file + rename)."""
    path, array = Path(path), np.asarray(array)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"write_idx: dtype {array.dtype} has no IDX type code (use one of {sorted(map(str, _CODES))})")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    payload = header + np.ascontiguousarray(array, _DTYPES[code]).tobytes()
    if path.suffix == ".gz":
        payload = gzip.compress(payload, compresslevel=6, mtime=0)
    atomic_write(path, payload)
    return path

