"""MXNet's ``mx.util``: NumPy-semantics switches (``np_shape``, ``use_np`` ...) and env helpers.

Examples:
    >>> import mxjax as mx
    >>> with mx.util.np_shape(True):
    ...     mx.util.is_np_shape()
    True
"""

from mxjax._src.util import *  # noqa: F403  (one list of names, kept there)
from mxjax._src.util import __all__ as __all__
