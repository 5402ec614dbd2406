"""``mx.sym``: the short name of :mod:`mxjax.symbol` (MXNet exposes both).

Examples:
    >>> import mxjax as mx
    >>> mx.sym.var is mx.symbol.var
    True
"""

import mxjax.symbol as _symbol
from mxjax.symbol import *  # noqa: F403
from mxjax.symbol import (
    _OPS,  # noqa: F401
    __all__ as __all__,
)

globals().update({k: v for k, v in vars(_symbol).items() if k.startswith("_") and k[1:2] != "_"})
