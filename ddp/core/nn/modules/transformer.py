"""`ddp.nn.modules.transformer` (torch.nn.modules.transformer): the same classes as ddp/core/nn/transformer.py."""
from ..transformer import (  # noqa: F401
    Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer,
)
