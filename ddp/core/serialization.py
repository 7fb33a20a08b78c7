"""`ddp.save` / `ddp.load`: checkpoints in a safe format that loading never executes (no pickle).

A checkpoint is an uncompressed zip archive. Its first member, `ddp_checkpoint.json`, describes the nested
structure (dicts, lists, tuples, numbers, strings, None) and refers to arrays by number; each array is a member
`arrays/<n>.npy` in numpy's .npy format, read back with `allow_pickle=False`. The zip's CRC-32 checks catch
corrupted bytes; a file that is not such an archive raises a RuntimeError that says so.

Objects that are not such data (a whole Module, a custom class) are pickled into the same archive as PyTorch
2.6+ does (see `pickling`): loading them needs `weights_only=False` or their classes in `add_safe_globals`.

`load` also reads the archives PyTorch's `torch.save` writes (state dicts and other data; see
`torch_checkpoint`), so that weights trained with PyTorch load into ddp models.
"""
import io
import json
import os
import socket
import time
import uuid
import zipfile
from collections import OrderedDict

import numpy as np

from . import pickling, torch_checkpoint
from .device import check_device, device
from .dtypes import dtype
from .pickling import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals  # noqa: F401
from .tensor import Size, Tensor

MANIFEST = "ddp_checkpoint.json"
FORMAT, VERSION = "ddp.checkpoint", 1
_ZIP_MAGIC = b"PK\x03\x04"


class _NotData(TypeError):
    """`obj` holds something the pickle-free format cannot describe: save pickles it instead."""


def save(obj, f, pickle_module=None, pickle_protocol=4, _use_new_zipfile_serialization=True, *, format="ddp"):  # noqa: A002
    """Save `obj` (nested dicts, lists and tuples of Tensors, arrays, numbers, strings, None) to `f`.

    Any other object (a whole Module, a custom class) is pickled into the same archive, as PyTorch does;
    `ddp.load` then refuses it unless told `weights_only=False` (or the classes are allowed).

    `format="torch"` writes PyTorch's own torch.save archive instead, which PyTorch's `torch.load` reads
    (with weights_only=True too: tensors, dtypes, sizes and devices become PyTorch's), so that weights
    trained with ddp load into a PyTorch model; `ddp.load` reads both.

    Writing to a path is atomic: the data goes to a temporary file in the same folder, is flushed to disk,
    and then renamed over `f`, so a crash mid-write leaves any previous file intact. Tensors and arrays
    that share one numpy array are stored once and share it again when loaded.

    Args:
        obj: the object to save, e.g. `{"model": model.state_dict(), "optim": opt.state_dict()}`.
        f: a path (str or os.PathLike) or a writable binary file object.

    Raises:
        TypeError: `obj` holds a numpy array of dtype object (the message gives where, e.g. obj['a'][0]).

    Example:
        >>> ddp.save({"model": model.state_dict(), "epoch": 3}, "ckpt.ddp")
    """
    if format == "torch":
        write = lambda out: torch_checkpoint.write_torch_archive(obj, out)  # noqa: E731
    elif format == "ddp":
        arrays, memo, extra = [], {}, {}
        try:
            root = _encode(obj, arrays, memo, "obj")
        except _NotData:
            arrays, memo = [], {}
            keep = lambda array: _array_ref("array", array, arrays, memo, "obj")  # noqa: E731
            extra[pickling.PICKLE_MEMBER] = pickling.dumps(obj, keep, max(2, int(pickle_protocol)))
            root = {"pickle": pickling.PICKLE_MEMBER}
        manifest = {"format": FORMAT, "version": VERSION, "root": root}
        write = lambda out: _write(out, manifest, arrays, extra)  # noqa: E731
    else:
        raise ValueError(f"ddp.save: format must be 'ddp' or 'torch', got {format!r}")
    if not isinstance(f, (str, os.PathLike)):
        write(f)
        return
    path = os.fspath(f)
    _remove_stale_temporaries(path)
    tmp = os.path.join(os.path.dirname(path),
                       f".{os.path.basename(path)}.{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(tmp, "xb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    _fsync_dir(os.path.dirname(path) or ".")


def _remove_stale_temporaries(path, max_age=3600.0):
    """Remove the temporary files that earlier saves to `path` left when they were killed mid-write: those
    of a process of this host that is gone, and any older than `max_age` seconds (another host's)."""
    folder, name = os.path.dirname(path) or ".", os.path.basename(path)
    prefix, host = f".{name}.", socket.gethostname()
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        if not (entry.startswith(prefix) and entry.endswith(".tmp")):
            continue
        parts = entry[len(prefix):-len(".tmp")].rsplit(".", 2)
        stale = len(parts) != 3  # an older ddp's name, without host and pid
        if not stale:
            owner, pid = parts[0], parts[1]
            stale = owner == host and pid.isdigit() and not _alive(int(pid))
        full = os.path.join(folder, entry)
        try:
            if stale or time.time() - os.path.getmtime(full) > max_age:
                os.remove(full)
        except OSError:
            pass  # removed meanwhile, or not ours to remove


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved by `ddp.save` (or by PyTorch's `torch.save`: its tensors become ddp Tensors):
    Tensors come back as Tensors, arrays as numpy arrays.

    A file of plain data loads without running any code. A file holding pickled objects (`ddp.save` of a
    whole Module) loads only with `weights_only=False`, or when its classes were allowed with
    `ddp.serialization.add_safe_globals`: unpickling can run arbitrary code.

    Args:
        f: a path or a readable binary file object.
        map_location: the CPU ("cpu", `ddp.device("cpu")`, None); a dict or function is accepted and unused
            (everything loads onto the CPU). An accelerator raises RuntimeError.
        weights_only: None or True (the default, as PyTorch 2.6+) refuses pickled objects; False allows them.
        mmap, pickle_module, pickle_load_args: accepted for PyTorch compatibility.

    Raises:
        RuntimeError: the file is not a ddp checkpoint ("... (bad magic)") or is truncated or corrupt.
        pickle.UnpicklingError: the file holds pickled objects and `weights_only` is not False.

    Example:
        >>> model.load_state_dict(ddp.load("ckpt.ddp")["model"])
    """
    if not isinstance(map_location, (dict, type(None))) and not callable(map_location):
        check_device(map_location, "load")
    unpickle = {"weights_only": weights_only is not False, "load_args": pickle_load_args}
    name = repr(os.fspath(f)) if isinstance(f, (str, os.PathLike)) else repr(f)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as stream:
            return _read(stream, name, unpickle)
    if not (hasattr(f, "seekable") and f.seekable()):
        f = io.BytesIO(f.read())
    return _read(f, name, unpickle)


# ---------------------------------------------------------------------------------------------- writing
def _encode(obj, arrays, memo, where):
    """The JSON description of `obj`; arrays are appended to `arrays` (once each) and referred to by index."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, complex):
        return {"complex": [obj.real, obj.imag]}
    if isinstance(obj, (dtype, np.dtype)):  # ddp.float32 and the like, as configs and checkpoints keep them
        return {"dtype": obj.name}
    if isinstance(obj, device):
        return {"device": str(obj)}
    if isinstance(obj, Size):
        return {"size": list(obj)}
    if isinstance(obj, Tensor):
        return dict(_array_ref("tensor", obj.numpy(), arrays, memo, where), requires_grad=obj.requires_grad)
    if isinstance(obj, np.ndarray):
        return _array_ref("array", obj, arrays, memo, where)
    if isinstance(obj, np.generic):
        return _array_ref("scalar", np.asarray(obj), arrays, memo, where)
    if isinstance(obj, list):
        return [_encode(v, arrays, memo, f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, tuple):
        return {"tuple": [_encode(v, arrays, memo, f"{where}[{i}]") for i, v in enumerate(obj)]}
    if isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if not (key is None or isinstance(key, (bool, int, float, str, tuple))):
                raise _NotData(f"ddp.save: cannot save a dict key of type {type(key).__name__} in {where}")
            items.append([_encode(key, [], {}, where), _encode(value, arrays, memo, f"{where}[{key!r}]")])
        node = {"dict": items, "ordered": isinstance(obj, OrderedDict)}
        metadata = getattr(obj, "_metadata", None)  # a state dict's per-module versions (Module.state_dict)
        if isinstance(metadata, dict):
            node["metadata"] = _encode(metadata, arrays, memo, f"{where}._metadata")
        return node
    raise _NotData(
        f"ddp.save: cannot save an object of type {type(obj).__name__} at {where}; supported are dicts, lists, "
        "tuples, Tensors, numpy arrays, numbers, strings and None"
    )


def _array_ref(kind, array, arrays, memo, where):
    if array.dtype.hasobject:
        raise TypeError(f"ddp.save: cannot save an array of dtype object at {where}")
    if id(array) not in memo:
        memo[id(array)] = len(arrays)
        arrays.append(array)  # keeps the array alive, so its id is not reused while saving
    return {kind: memo[id(array)], "dtype": array.dtype.str, "shape": list(array.shape)}


def _write(stream, manifest, arrays, extra):
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest))
        for member, data in extra.items():
            zf.writestr(member, data)
        for i, array in enumerate(arrays):
            with zf.open(f"arrays/{i}.npy", "w", force_zip64=array.nbytes > 2**30) as out:
                np.lib.format.write_array(out, array, allow_pickle=False)


def _fsync_dir(folder):
    """Make the rename durable too (where the platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------- reading
def _read(stream, name, unpickle):
    start = stream.tell()
    head = stream.read(len(_ZIP_MAGIC))
    stream.seek(start)
    if head != _ZIP_MAGIC:
        if _ZIP_MAGIC.startswith(head):
            raise RuntimeError(f"{name} is truncated or corrupt: it holds only {len(head)} bytes")
        raise RuntimeError(f"{name} is not a ddp checkpoint (bad magic {head!r})")
    try:
        with zipfile.ZipFile(stream) as zf:
            if MANIFEST not in zf.namelist():
                if torch_checkpoint.is_torch_archive(zf.namelist()):  # written by PyTorch's torch.save
                    return torch_checkpoint.load_torch_archive(zf, name, unpickle["weights_only"],
                                                               **unpickle["load_args"])
                raise RuntimeError(f"{name} is not a ddp checkpoint (bad magic: a zip archive without {MANIFEST})")
            manifest = json.loads(zf.read(MANIFEST))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise RuntimeError(f"{name} is not a ddp checkpoint (bad magic: unknown format in {MANIFEST})")
            if manifest.get("version") != VERSION:
                raise RuntimeError(
                    f"{name} is a ddp checkpoint of version {manifest.get('version')}; this ddp reads version "
                    f"{VERSION}"
                )
            root, read = manifest["root"], _ArrayReader(zf)
            if not (isinstance(root, dict) and "pickle" in root):
                return _decode(root, read)
            pickled = zf.read(root["pickle"])
            for member in zf.namelist():  # read every array now, so that unpickling's own errors stay its own
                if member.startswith("arrays/") and member.endswith(".npy"):
                    read.fetch(int(member[len("arrays/"):-len(".npy")]))
    except RuntimeError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, KeyError, TypeError, OSError) as e:
        raise RuntimeError(f"{name} is truncated or corrupt: {type(e).__name__}: {e}") from None
    return pickling.loads(pickled, lambda ref: read(ref, ref["array"]), unpickle["weights_only"], name,
                          **unpickle["load_args"])


class _ArrayReader:
    """Reads `arrays/<n>.npy` once each (a shared array comes back as one object), checking the manifest."""

    def __init__(self, zf):
        self.zf, self.cache = zf, {}

    def fetch(self, index):
        if index not in self.cache:
            with self.zf.open(f"arrays/{index}.npy") as member:
                array = np.lib.format.read_array(member, allow_pickle=False)
                if member.read(1):
                    raise ValueError(f"arrays/{index}.npy has bytes after its data")
            self.cache[index] = array
        return self.cache[index]

    def __call__(self, ref, index):
        array = self.fetch(index)
        if array.dtype.str != ref["dtype"] or list(array.shape) != ref["shape"]:
            raise ValueError(
                f"arrays/{index}.npy holds {array.dtype.str} {list(array.shape)}, but the manifest says "
                f"{ref['dtype']} {ref['shape']}"
            )
        return array


def _decode(node, read):
    if not isinstance(node, (dict, list)):
        return node
    if isinstance(node, list):
        return [_decode(v, read) for v in node]
    if "tensor" in node:
        t = Tensor(read(node, node["tensor"]))
        t.requires_grad = bool(node.get("requires_grad", False))
        return t
    if "array" in node:
        return read(node, node["array"])
    if "scalar" in node:
        return read(node, node["scalar"])[()]
    if "tuple" in node:
        return tuple(_decode(v, read) for v in node["tuple"])
    if "complex" in node:
        return complex(*node["complex"])
    if "dtype" in node:
        return dtype(node["dtype"])
    if "device" in node:
        return device(node["device"])
    if "size" in node:
        return Size(node["size"])
    if "dict" in node:
        out = OrderedDict() if node.get("ordered") else {}
        for key, value in node["dict"]:
            out[_decode(key, read)] = _decode(value, read)
        if "metadata" in node and isinstance(out, OrderedDict):
            out._metadata = _decode(node["metadata"], read)
        return out
    raise ValueError(f"unknown entry in the manifest: {sorted(node)}")
