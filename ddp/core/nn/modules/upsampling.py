"""`ddp.nn.modules.upsampling` (torch.nn.modules.upsampling): the same classes as ddp/core/nn/upsampling.py."""
from ..upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: F401
