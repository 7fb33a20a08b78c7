"""`ddp.nn.modules.transformer` (torch.nn.modules.transformer): the very classes of `ddp.nn`."""
from .. import (  # noqa: F401
    Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer,
)
