"""`ddp.nn.modules` (torch.nn.modules): PyTorch's module paths for ddp's layers.

State-dict and isinstance code names classes by these paths (`nn.modules.batchnorm._BatchNorm`,
`nn.modules.conv._ConvNd`, `nn.modules.loss._Loss`); each submodule re-exports the very classes of `ddp.nn`
(no copies), so `nn.modules.linear.Linear is nn.Linear`. Written by scripts/nn_module_paths.py.
"""
from .activation import *  # noqa: F401,F403
from .adaptive import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .channelshuffle import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .module import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from . import utils  # noqa: F401,E402  (hand-written; PyTorch imports it with the package)
