"""Alias of :mod:`mxjax.nd` (MXNet's ``mx.ndarray``).

Examples:
    >>> import mxjax as mx
    >>> mx.ndarray.NDArray is mx.nd.NDArray
    True
"""

from mxjax.nd import *  # noqa: F403
from mxjax.nd import __all__ as __all__, random as random, sparse as sparse
