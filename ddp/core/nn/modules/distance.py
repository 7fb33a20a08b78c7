"""`ddp.nn.modules.distance` (torch.nn.modules.distance): the same classes as ddp/core/nn/distance.py."""
from ..distance import CosineSimilarity, PairwiseDistance  # noqa: F401
