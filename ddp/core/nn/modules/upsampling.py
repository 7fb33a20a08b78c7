"""`ddp.nn.modules.upsampling` (torch.nn.modules.upsampling): the very classes of `ddp.nn`."""
from .. import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: F401
