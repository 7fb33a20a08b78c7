"""`ddp.nn.modules.distance` (torch.nn.modules.distance): the very classes of `ddp.nn`."""
from .. import CosineSimilarity, PairwiseDistance  # noqa: F401
