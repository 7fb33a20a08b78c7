"""`ddp.nn.modules.transformer` (torch.nn.modules.transformer): the very classes of `ddp.nn`, and the private
`_get_clones` that DETR-style code imports to stack copies of a layer."""
from .. import (  # noqa: F401
    Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer,
)
from ..transformer import _clones


def _get_clones(module, N):
    """A ModuleList of N deep copies of `module`."""
    return _clones(module, N, "_get_clones")
