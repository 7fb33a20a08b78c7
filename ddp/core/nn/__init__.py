"""ddp.nn: modules, layers and losses (`ddp.nn.functional` holds the functional forms, `ddp.nn.init` the
initialisers). Names, arguments and state-dict keys follow torch.nn, so that state dicts map one-to-one."""
from . import functional, init  # noqa: F401
from .activation import GELU, Flatten, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Tanh, Unflatten  # noqa: F401
from .activation import (CELU, ELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh,  # noqa: F401
                         LogSigmoid, Mish, PReLU, ReLU6, RReLU, Softmax2d, Softmin, Softplus, Softshrink,
                         Softsign, Tanhshrink, Threshold)
from .adaptive import AdaptiveLogSoftmaxWithLoss  # noqa: F401
from .attention import MultiheadAttention  # noqa: F401
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d  # noqa: F401
from .conv3d import Conv3d, ConvTranspose3d  # noqa: F401
from .cross_map_lrn import CrossMapLRN2d  # noqa: F401
from .data_parallel import DataParallel  # noqa: F401
from .distance import CosineSimilarity, PairwiseDistance  # noqa: F401
from .dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout  # noqa: F401
from .fold import Fold, Unfold  # noqa: F401
from .linear import Bilinear, Identity, Linear  # noqa: F401
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss  # noqa: F401
from .loss import (CosineEmbeddingLoss, GaussianNLLLoss, HingeEmbeddingLoss, HuberLoss, KLDivLoss,  # noqa: F401
                   MarginRankingLoss, MultiLabelSoftMarginLoss, PoissonNLLLoss, SmoothL1Loss, SoftMarginLoss,
                   TripletMarginLoss)
from .loss_ctc import CTCLoss  # noqa: F401
from .loss_legacy import NLLLoss2d  # noqa: F401
from .loss_margin import MultiLabelMarginLoss, MultiMarginLoss, TripletMarginWithDistanceLoss  # noqa: F401
from .module import Module, Parameter  # noqa: F401
from .parameter import Buffer, UninitializedBuffer, UninitializedParameter  # noqa: F401
from .lazy import (LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyConv1d, LazyConv2d,  # noqa: F401
                   LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d, LazyInstanceNorm1d,
                   LazyInstanceNorm2d, LazyInstanceNorm3d, LazyLinear)
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, InstanceNorm1d,  # noqa: F401
                            InstanceNorm2d, InstanceNorm3d, LayerNorm, LocalResponseNorm)
from .padding import (CircularPad1d, CircularPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d,  # noqa: F401
                      ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, ZeroPad1d, ZeroPad2d)
from .padding import CircularPad3d, ConstantPad3d, ReflectionPad3d, ReplicationPad3d, ZeroPad3d  # noqa: F401
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,  # noqa: F401
                      AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d)
from .pooling3d import AdaptiveAvgPool3d, AdaptiveMaxPool3d, AvgPool3d, MaxPool3d  # noqa: F401
from .pooling_fractional import FractionalMaxPool2d, FractionalMaxPool3d  # noqa: F401
from .pooling_more import LPPool1d, LPPool2d, LPPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d  # noqa: F401
from .rms_norm import RMSNorm  # noqa: F401
from .rnn import GRU, LSTM, RNN, RNNBase  # noqa: F401
from .rnn_cells import GRUCell, LSTMCell, RNNCell, RNNCellBase  # noqa: F401
from .sparse import Embedding, EmbeddingBag  # noqa: F401
from .upsampling import (ChannelShuffle, PixelShuffle, PixelUnshuffle, Upsample, UpsamplingBilinear2d,  # noqa: F401
                         UpsamplingNearest2d)
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,  # noqa: F401
                          TransformerEncoder, TransformerEncoderLayer)


def __getattr__(name):
    """`nn.utils`, `nn.parallel` and `nn.modules` load on first use (`nn.utils.clip_grad_norm_` after `import
    ddp.nn`); lazily, because `nn.parallel` imports ddp.parallel, which imports ddp.nn."""
    if name in ("utils", "parallel", "modules"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    if name == "SyncBatchNorm":  # lives in ddp.parallel (it communicates), which imports ddp.nn
        from ...parallel.sync_batchnorm import SyncBatchNorm

        return SyncBatchNorm
    raise AttributeError(f"module 'ddp.nn' has no attribute {name!r}")
