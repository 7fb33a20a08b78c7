"""`ddp.nn.modules.rnn` (torch.nn.modules.rnn): the very classes of `ddp.nn`."""
from .. import GRU, GRUCell, LSTM, LSTMCell, RNN, RNNBase, RNNCell, RNNCellBase  # noqa: F401
