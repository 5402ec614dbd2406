"""``gluon.contrib.rnn``: recurrent cells beyond ``gluon.rnn``.

Examples:
    >>> from mxjax.gluon.contrib import rnn
    >>> rnn.VariationalDropoutCell.__name__
    'VariationalDropoutCell'
"""

from mxjax._src.gluon.contrib_rnn import VariationalDropoutCell as VariationalDropoutCell

__all__ = ["VariationalDropoutCell"]
