"""`ddp.nn.modules.rnn` (torch.nn.modules.rnn): the very classes of `ddp.nn`, and their bases RNNBase and
RNNCellBase."""
from .. import GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell  # noqa: F401
from ..rnn import RNNBase  # noqa: F401
from ..rnn_cells import RNNCellBase  # noqa: F401
