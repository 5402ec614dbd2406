"""``mx.contrib.amp``: MXNet's path to :mod:`mxjax.amp`.

Examples:
    >>> from mxjax.contrib import amp
    >>> amp.LossScaler().loss_scale
    65536.0
"""

from mxjax.amp import *  # noqa: F403
from mxjax.amp import __all__ as __all__
