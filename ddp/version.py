"""`ddp.version` (torch.version): what environment reports print, and the version scripts compare.

`__version__` is the PyTorch API that ddp follows, with ddp's own release as its local label
("2.13.0+ddp.0.1.0", as PyTorch's builds read "2.13.0+cpu"), so that version-gated code
(`torch.__version__ >= "2.0"`, `>= (2, 0)`) takes the branch for the API ddp has. ddp's own release is
`ddp_version` (and the package metadata). ddp is built for the CPU only, so every accelerator toolkit
version is None."""
import re

TORCH_API = "2.13.0"  # the PyTorch release whose API ddp follows (scripts/compat_table.py checks it)
ddp_version = "0.1.0"
git_version = "unknown"
debug = False
cuda = None
hip = None
rocm = None
xpu = None

_VERSION = re.compile(r"v?(\d+(?:\.\d+)*)(?:(a|b|rc)(\d*))?(?:\.?post(\d*))?(?:\.?dev(\d*))?(?:\+([\w.]+))?$")
_STAGES = {"a": 0, "b": 1, "rc": 2}


def _key(text):
    """An ordering key for a PEP 440 version string (None if it is not one), as packaging.version orders them:
    release numbers (trailing zeros ignored), then pre-releases before the release, dev before both, post
    after; a local label after its plain version."""
    m = _VERSION.match(text.strip())
    if m is None:
        return None
    release, stage, n, post, dev, local = m.groups()
    numbers = [int(x) for x in release.split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    pre = (_STAGES[stage], int(n or 0)) if stage else ((-1, 0) if dev is not None and post is None else (3, 0))
    local_key = tuple((0, int(s)) if s.isdigit() else (-1, s) for s in local.split(".")) if local else ()
    return (tuple(numbers), pre, int(post or 0) if post is not None else -1,
            int(dev or 0) if dev is not None else float("inf"), local_key)


class TorchVersion(str):
    """A version string that compares as a version with strings, tuples such as (2, 0), and other versions
    (PyTorch's torch.torch_version.TorchVersion): "2.13.0+ddp.0.1.0" > "2.9" and >= (2, 0), which plain
    string comparison gets wrong."""

    __slots__ = ()

    def _compare(self, other, op):
        if isinstance(other, (tuple, list)):
            other = ".".join(str(x) for x in other)
        mine, theirs = _key(str(self)), _key(str(other)) if isinstance(other, str) else None
        if mine is None or theirs is None:
            return getattr(str, op)(self, other)
        return getattr(mine, op)(theirs)

    def __lt__(self, other):
        return self._compare(other, "__lt__")

    def __le__(self, other):
        return self._compare(other, "__le__")

    def __gt__(self, other):
        return self._compare(other, "__gt__")

    def __ge__(self, other):
        return self._compare(other, "__ge__")

    def __eq__(self, other):
        return self._compare(other, "__eq__")

    def __ne__(self, other):
        return not self == other

    __hash__ = str.__hash__


__version__ = TorchVersion(f"{TORCH_API}+ddp.{ddp_version}")
