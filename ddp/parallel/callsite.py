"""Where the user's code called into ddp: the file and line that reports of distributed calls name."""
import os
import sys

_DDP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def call_site():
    """(file, line) of the innermost frame outside ddp: the user's line that led to the call."""
    f = sys._getframe(2)
    while f is not None and f.f_code.co_filename.startswith(_DDP_DIR):
        f = f.f_back
    return ("?", 0) if f is None else (f.f_code.co_filename, f.f_lineno)


def format_site(site):
    path, line = site
    try:
        rel = os.path.relpath(path)
        path = rel if not rel.startswith("..") else os.path.basename(path)
    except ValueError:
        path = os.path.basename(path)
    return f"{path}:{line}"
