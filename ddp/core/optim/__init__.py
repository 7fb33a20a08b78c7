"""ddp.optim: the optimizers of torch.optim (SGD, Adam, AdamW, ..., LBFGS, Adafactor, SparseAdam, Muon), the
learning-rate schedulers (ddp.optim.lr_scheduler) and weight averaging (ddp.optim.swa_utils)."""
from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .muon import Muon
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
           "ASGD", "Rprop", "LBFGS", "Adafactor", "SparseAdam", "Muon", "lr_scheduler", "swa_utils"]
