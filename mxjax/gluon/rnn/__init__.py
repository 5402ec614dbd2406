"""``gluon.rnn``: recurrent layers, cells and cell containers over ``mxjax.layers``.

Examples:
    >>> import mxjax as mx
    >>> from mxjax.gluon import rnn
    >>> layer = rnn.LSTM(4, input_size=3)
    >>> sorted(layer._reg_params)[:2]
    ['l0_h2h_bias', 'l0_h2h_weight']
"""

from mxjax._src.gluon.rnn import (
    GRU as GRU,
    LSTM as LSTM,
    RNN as RNN,
    GRUCell as GRUCell,
    LSTMCell as LSTMCell,
    RNNCell as RNNCell,
)
from mxjax._src.gluon.rnn_cell import (
    BidirectionalCell as BidirectionalCell,
    DropoutCell as DropoutCell,
    HybridRecurrentCell as HybridRecurrentCell,
    HybridSequentialRNNCell as HybridSequentialRNNCell,
    ModifierCell as ModifierCell,
    RecurrentCell as RecurrentCell,
    ResidualCell as ResidualCell,
    SequentialRNNCell as SequentialRNNCell,
    ZoneoutCell as ZoneoutCell,
)

__all__ = [
    "GRU",
    "BidirectionalCell",
    "DropoutCell",
    "GRUCell",
    "HybridRecurrentCell",
    "HybridSequentialRNNCell",
    "LSTM",
    "LSTMCell",
    "ModifierCell",
    "RNN",
    "RNNCell",
    "RecurrentCell",
    "ResidualCell",
    "SequentialRNNCell",
    "ZoneoutCell",
]
