"""Write ddp/core/nn/modules/*.py: for each file of torch.nn.modules, the classes of it that ddp.nn has.

    python scripts/nn_module_paths.py     # needs torch (to read torch.nn.modules' lists); rewrites the files

State-dict and isinstance code names layers by PyTorch's module paths (`nn.modules.batchnorm._BatchNorm`);
`ddp.nn.modules.<file>` re-exports ddp's very classes under them. Run this after adding a layer;
tests/core/nn/test_module_paths.py fails while a class ddp has is missing at its path.
"""
import importlib
import pkgutil
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "ddp" / "core" / "nn" / "modules"
# bases that isinstance checks name, and the ddp file that defines each
BASES = {
    "batchnorm": [("normalization", "_BatchNorm")], "conv": [("conv", "_ConvNd")],
    "loss": [("loss", "_Loss"), ("loss", "_WeightedLoss")], "dropout": [("dropout", "_DropoutNd")],
    "instancenorm": [("normalization", "_InstanceNorm")], "rnn": [("rnn", "RNNBase"), ("rnn_cells", "RNNCellBase")],
    "linear": [("linear", "NonDynamicallyQuantizableLinear")],  # MultiheadAttention.out_proj's class
}
INIT_DOC = '''"""`ddp.nn.modules` (torch.nn.modules): PyTorch's module paths for ddp's layers.

State-dict and isinstance code names classes by these paths (`nn.modules.batchnorm._BatchNorm`,
`nn.modules.conv._ConvNd`, `nn.modules.loss._Loss`); each submodule re-exports the very classes of `ddp.nn`
(no copies), so `nn.modules.linear.Linear is nn.Linear`. Written by scripts/nn_module_paths.py.
"""
'''


UTILS_LINE = "from . import utils  # noqa: F401,E402  (hand-written; PyTorch imports it with the package)\n"


def _import_line(source, names):
    line = f"from {source} import " + ", ".join(names)
    if len(line) <= 100:
        return line + "  # noqa: F401\n"
    body = textwrap.fill(", ".join(names), width=110, initial_indent="    ", subsequent_indent="    ")
    return f"from {source} import (  # noqa: F401\n{body},\n)\n"


def module_text(sub, names, bases):
    doc = f'"""`ddp.nn.modules.{sub}` (torch.nn.modules.{sub}): the very classes of `ddp.nn`'
    text = doc + ("\n(and the bases that isinstance checks name)." if bases else ".") + '"""\n'
    text += _import_line("..", names)
    for source in dict.fromkeys(f for f, _ in bases):
        text += _import_line(f"..{source}", [n for f, n in bases if f == source])
    return text


def main():
    sys.path.insert(0, str(ROOT))
    import torch.nn.modules

    nn = importlib.import_module("ddp.core.nn")
    written = []
    for info in pkgutil.iter_modules(torch.nn.modules.__path__):
        theirs = importlib.import_module(f"torch.nn.modules.{info.name}")
        names = sorted({n for n in getattr(theirs, "__all__", []) if isinstance(getattr(nn, n, None), type)},
                       key=str.lower)
        if not names:
            continue
        bases = [(f, n) for f, n in BASES.get(info.name, [])
                 if n not in names and hasattr(importlib.import_module(f"ddp.core.nn.{f}"), n)]
        (OUT / f"{info.name}.py").write_text(module_text(info.name, names, bases))
        written.append(info.name)
    (OUT / "__init__.py").write_text(INIT_DOC + "".join(f"from .{n} import *  # noqa: F401,F403\n" for n in written)
                                     + UTILS_LINE)
    print(f"wrote {len(written)} files in {OUT.relative_to(ROOT)}: {', '.join(written)}")


if __name__ == "__main__":
    main()
