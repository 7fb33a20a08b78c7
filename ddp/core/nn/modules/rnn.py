"""`ddp.nn.modules.rnn` (torch.nn.modules.rnn): the very classes of `ddp.nn`
(and the bases that isinstance checks name)."""
from .. import GRU, GRUCell, LSTM, LSTMCell, RNN, RNNBase, RNNCell, RNNCellBase  # noqa: F401
from ..rnn import RNNBase  # noqa: F401
from ..rnn_cells import RNNCellBase  # noqa: F401
