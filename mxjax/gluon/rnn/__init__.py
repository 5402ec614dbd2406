"""``gluon.rnn``: recurrent layers and cells over ``mxjax.layers``.

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

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNCell"]
