"""`ddp.nn.modules.rnn` (torch.nn.modules.rnn): ddp's recurrent layers, from rnn.py and rnn_cells.py."""
from ..rnn import RNNBase, GRU, LSTM, RNN  # noqa: F401
from ..rnn_cells import RNNCellBase, GRUCell, LSTMCell, RNNCell  # noqa: F401
