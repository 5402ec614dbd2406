"""Alias of :mod:`mxjax.init` (MXNet exposes both ``mx.init`` and ``mx.initializer``).

Examples:
    >>> import mxjax as mx
    >>> mx.initializer.Xavier is mx.init.Xavier
    True
"""

from mxjax.init import *  # noqa: F403
from mxjax.init import __all__ as __all__
