"""Atomic file writes: data goes to a temp file beside the target, renamed into place only when complete."""
import os
import uuid
from pathlib import Path


def temp_path(path):
    """A fresh hidden name beside `path` for a partial file (`.NAME.<random>.part`)."""
    path = Path(path)
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.part")


def atomic_write(path, payload):
    """Write bytes to `path` so that a reader never sees a partial file; creates the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    try:
        with open(tmp, "xb") as f:
            f.write(payload)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
