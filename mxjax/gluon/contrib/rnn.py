"""``gluon.contrib.rnn``: recurrent cells beyond ``gluon.rnn``.

Examples:
    >>> from mxjax.gluon.contrib import rnn
    >>> rnn.VariationalDropoutCell.__name__, rnn.LSTMPCell.__name__
    ('VariationalDropoutCell', 'LSTMPCell')
"""

from mxjax._src.gluon.contrib_rnn import VariationalDropoutCell as VariationalDropoutCell
from mxjax._src.gluon.rnn import LSTMPCell as LSTMPCell

__all__ = ["LSTMPCell", "VariationalDropoutCell"]
