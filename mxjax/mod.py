"""``mx.mod``: the short name of :mod:`mxjax.module` (MXNet exposes both).

Examples:
    >>> import mxjax as mx
    >>> mx.mod.Module is mx.module.Module
    True
"""

from mxjax.module import *  # noqa: F403
from mxjax.module import __all__ as __all__
