"""Reading the checkpoints PyTorch's `torch.save` writes (its zip format, PyTorch 1.6+), so that weights
trained with PyTorch load into a ddp model: `netG.load_state_dict(ddp.load("netG_epoch_24.pth"))`.

Such an archive holds `<name>/data.pkl`, a pickle whose persistent ids name raw storages `<name>/data/<key>`
(in the byte order of `<name>/byteorder`), and whose tensors are rebuilt by
`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, ...)`. Only data is read:
the pickle may name the storage types, the tensor and parameter rebuilders and OrderedDict (what PyTorch's
own weights_only loader allows), plus what `add_safe_globals` allows. A whole pickled PyTorch Module cannot
become a ddp one: loading it raises pickle.UnpicklingError, which says to save its state_dict instead.
"""
import collections
import io
import pickle

import numpy as np

from . import pickling
from .device import device
from .dtypes import dtype
from .tensor import Size, Tensor

_STORAGE_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16, "LongStorage": np.int64,
    "IntStorage": np.int32, "ShortStorage": np.int16, "CharStorage": np.int8, "ByteStorage": np.uint8,
    "BoolStorage": np.bool_, "ComplexFloatStorage": np.complex64, "ComplexDoubleStorage": np.complex128,
    "UntypedStorage": np.uint8, "BFloat16Storage": "bfloat16",  # read as float32: ddp has no bfloat16
}


def is_torch_archive(names):
    """Whether the zip member names are those of a `torch.save` archive."""
    return any(n.endswith("/data.pkl") and n.count("/") == 1 for n in names)


class _StorageType:
    """What the pickle's `torch.FloatStorage` (and the like) stands for here: the dtype to read."""

    def __init__(self, name):
        self.name, self.dtype = name, _STORAGE_DTYPES[name]


def _strided(storage, offset, size, stride):
    """A copy of the (size, stride) view at `offset` of a 1-d storage array, with its bounds checked."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if 0 in size:
        return np.empty(size, dtype=storage.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if offset < 0 or min(stride, default=0) < 0 or last >= storage.size:
        raise ValueError(f"a tensor of size {size}, stride {stride} at offset {offset} overruns its storage of "
                         f"{storage.size} elements")
    view = np.lib.stride_tricks.as_strided(storage[offset:], size, [s * storage.itemsize for s in stride])
    return np.array(view)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return Tensor(_strided(storage, int(storage_offset), size, stride))


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    t = _rebuild_tensor(storage, storage_offset, size, stride)
    t.requires_grad = bool(requires_grad) and t.dtype.kind in "fc"
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks, state=None):
    return pickling._parameter_class()(data, requires_grad=bool(requires_grad))


# the data a checkpoint may hold beside tensors: dtypes (torch.float32 is ddp.float32), devices, sizes, complex
_DATA_NAMES = {f"torch.{name}": dtype(name) for name in (
    "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "bool", "complex64", "complex128")}
_DATA_NAMES.update({"torch.device": device, "torch.Size": Size, "builtins.complex": complex,
                    "__builtin__.complex": complex})

_TORCH_NAMES = {
    **_DATA_NAMES,
    "torch._utils._rebuild_tensor": _rebuild_tensor,
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter,
    "collections.OrderedDict": collections.OrderedDict,
}


class _TorchUnpickler(pickle.Unpickler):
    def __init__(self, data, read_storage, weights_only, source, **load_args):
        super().__init__(io.BytesIO(data), **load_args)
        self.read_storage, self.weights_only, self.source = read_storage, weights_only, source

    def find_class(self, module, name):
        full = f"{module}.{name}"
        if module in ("torch", "torch.storage") and name in _STORAGE_DTYPES:
            return _StorageType(name)
        if full in _TORCH_NAMES:
            return _TORCH_NAMES[full]
        allowed = pickling._allowed(full)
        if allowed is not None:
            return allowed
        if module == "torch" or module.startswith("torch."):
            raise pickle.UnpicklingError(
                f"{self.source} is a PyTorch checkpoint that needs {full}, which ddp cannot rebuild (a whole "
                "PyTorch Module or another PyTorch object): save and load its state_dict() instead")
        if self.weights_only:
            raise pickle.UnpicklingError(pickling._refusal(self.source, full))
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType)):
            raise pickle.UnpicklingError(f"{self.source}: unknown persistent id {pid!r} in a PyTorch checkpoint")
        return self.read_storage(pid[1], str(pid[2]), int(pid[4]))


def load_torch_archive(zf, source, weights_only, **load_args):
    """The object in the `torch.save` archive `zf` (an open ZipFile), its tensors as ddp Tensors."""
    pkl = next(n for n in zf.namelist() if n.endswith("/data.pkl") and n.count("/") == 1)
    prefix = pkl[:-len("data.pkl")]
    names = set(zf.namelist())
    order = zf.read(prefix + "byteorder").decode().strip() if prefix + "byteorder" in names else "little"
    if order not in ("little", "big"):
        raise ValueError(f"unknown byte order {order!r}")
    cache = {}

    def read_storage(kind, key, numel):
        if key not in cache:
            raw = zf.read(f"{prefix}data/{key}")
            if kind.dtype == "bfloat16":  # the high half of a float32
                halves = np.frombuffer(raw, dtype=("<" if order == "little" else ">") + "u2")
                cache[key] = (halves.astype(np.uint32) << 16).view(np.float32)
            else:
                dtype = np.dtype(kind.dtype).newbyteorder("<" if order == "little" else ">")
                cache[key] = np.frombuffer(raw, dtype=dtype).astype(kind.dtype)
            if cache[key].size != numel:
                raise ValueError(f"{prefix}data/{key} holds {cache[key].size} elements, the pickle says {numel}")
        return cache[key]

    return _TorchUnpickler(zf.read(pkl), read_storage, weights_only, source, **load_args).load()


# ---------------------------------------------------------------------------------------------- writing
# The same archive, written: PyTorch's `torch.load` (weights_only=True too) reads what ddp.save(format="torch")
# writes. The pickle names PyTorch's own globals (torch._utils._rebuild_tensor_v2, torch.FloatStorage,
# torch.float32, torch.Size, torch.device), which pickle cannot look up without PyTorch installed, so a
# pure-Python pickler writes them as names (_TorchName); each distinct array becomes one raw storage record,
# aligned to 64 bytes as PyTorch aligns them.
_STORAGE_OF = {np.dtype(d): name for name, d in _STORAGE_DTYPES.items()
               if name not in ("UntypedStorage", "BFloat16Storage")}


class _TorchName:
    """A PyTorch global by name, pickled as a GLOBAL opcode (module, name) without importing torch."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle's save_reduce requires a callable; this one is only ever pickled
        raise TypeError(f"{self.module}.{self.name} is PyTorch's: load this archive with torch.load or ddp.load")


class _Storage:
    """One array's raw bytes, pickled as PyTorch's persistent id ('storage', type, key, 'cpu', numel)."""

    def __init__(self, key, array):
        self.key, self.array = key, array


class _TorchPickler(pickle._Pickler):
    def __init__(self, file):
        super().__init__(file, protocol=2)
        self.storages, self._by_array = [], {}

    def _save_name(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("ascii"))
        self.memoize(obj)

    dispatch = dict(pickle._Pickler.dispatch)
    dispatch[_TorchName] = _save_name

    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            kind = _STORAGE_OF[obj.array.dtype]
            return ("storage", _TorchName("torch", kind), obj.key, "cpu", obj.array.size)
        return None

    def _storage(self, array):
        found = self._by_array.get(id(array))
        if found is None:
            found = _Storage(str(len(self.storages)), np.ascontiguousarray(array))
            self._by_array[id(array)] = found
            self.storages.append((array, found))  # keeps `array` alive, so its id stays its own
        return found

    def _save_dtype(self, obj):  # torch.float32 is a global itself, not a call
        self._save_name(_TorchName("torch", obj.name))

    dispatch[dtype] = _save_dtype

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            array = obj._data
            if array.dtype not in _STORAGE_OF:
                raise TypeError(f"ddp.save(format='torch'): PyTorch has no storage for dtype {obj.dtype}")
            if isinstance(obj, pickling._parameter_class()):  # its data rebuilt as a tensor, then wrapped again
                return (_TorchName("torch._utils", "_rebuild_parameter"),
                        (Tensor(array), bool(obj.requires_grad), collections.OrderedDict()))
            size = tuple(int(n) for n in array.shape)
            stride = tuple(int(np.prod(size[i + 1:], dtype=np.int64)) for i in range(len(size)))
            return (_TorchName("torch._utils", "_rebuild_tensor_v2"),
                    (self._storage(array), 0, size, stride, False, collections.OrderedDict()))
        if isinstance(obj, Size):
            return _TorchName("torch", "Size"), (tuple(obj),)
        if isinstance(obj, device):
            return _TorchName("torch", "device"), (str(obj),)
        return NotImplemented


def write_torch_archive(obj, stream, name="archive"):
    """Write `obj` to the binary `stream` as PyTorch's torch.save archive (`name/data.pkl` and its storages)."""
    import struct
    import zipfile

    pickled = io.BytesIO()
    pickler = _TorchPickler(pickled)
    pickler.dump(obj)
    records = [("data.pkl", pickled.getvalue()), (".format_version", b"1"), (".storage_alignment", b"64"),
               ("byteorder", b"little")]
    records += [(f"data/{s.key}", s.array.astype(s.array.dtype.newbyteorder("<"), copy=False).tobytes())
                for _, s in pickler.storages]
    records += [("version", b"3\n"), (".data/serialization_id", b"ddp")]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for member, data in records:
            info = zipfile.ZipInfo(f"{name}/{member}", date_time=(1980, 1, 1, 0, 0, 0))
            start = out.tell() + 30 + len(info.filename.encode())  # where the data would begin
            pad = -start % 64
            if pad:
                pad += 64 if pad < 4 else 0
                info.extra = struct.pack("<HH", 0x4246, pad - 4) + b"Z" * (pad - 4)  # PyTorch's "FB" field
            zf.writestr(info, data)
    stream.write(out.getvalue())
