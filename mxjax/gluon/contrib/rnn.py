"""``gluon.contrib.rnn``: recurrent cells beyond ``gluon.rnn``.

Examples:
    >>> from mxjax.gluon.contrib import rnn
    >>> rnn.VariationalDropoutCell.__name__, rnn.LSTMPCell.__name__
    ('VariationalDropoutCell', 'LSTMPCell')
"""

from mxjax._src.gluon.contrib_conv_rnn import (
    Conv1DGRUCell as Conv1DGRUCell,
    Conv1DLSTMCell as Conv1DLSTMCell,
    Conv1DRNNCell as Conv1DRNNCell,
    Conv2DGRUCell as Conv2DGRUCell,
    Conv2DLSTMCell as Conv2DLSTMCell,
    Conv2DRNNCell as Conv2DRNNCell,
    Conv3DGRUCell as Conv3DGRUCell,
    Conv3DLSTMCell as Conv3DLSTMCell,
    Conv3DRNNCell as Conv3DRNNCell,
)
from mxjax._src.gluon.contrib_rnn import VariationalDropoutCell as VariationalDropoutCell
from mxjax._src.gluon.rnn import LSTMPCell as LSTMPCell

__all__ = [
    "Conv1DGRUCell",
    "Conv1DLSTMCell",
    "Conv1DRNNCell",
    "Conv2DGRUCell",
    "Conv2DLSTMCell",
    "Conv2DRNNCell",
    "Conv3DGRUCell",
    "Conv3DLSTMCell",
    "Conv3DRNNCell",
    "LSTMPCell",
    "VariationalDropoutCell",
]
