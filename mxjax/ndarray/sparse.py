"""Alias of :mod:`mxjax.nd.sparse` (MXNet's ``mxnet.ndarray.sparse``).

Examples:
    >>> import mxjax.ndarray.sparse as sps
    >>> sps.csr_matrix([[0.0, 1.0]]).stype
    'csr'
"""

from mxjax.nd.sparse import *  # noqa: F403
from mxjax.nd.sparse import __all__ as __all__
