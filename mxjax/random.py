"""``mx.random``: seed the facade's global generator and sample.

As in MXNet, ``mx.random`` holds the samplers of ``nd.random`` (one list,
defined there) plus the generator's ``get_state``/``set_state``.

Examples:
    >>> import mxjax as mx
    >>> mx.random.seed(0)
    >>> mx.random.uniform is mx.nd.random.uniform
    True
"""

from mxjax._src.nd.random import get_state as get_state, set_state as set_state
from mxjax.nd.random import *  # noqa: F403 - the samplers, listed once in nd.random
from mxjax.nd.random import __all__ as _SAMPLERS

__all__ = sorted([*_SAMPLERS, "get_state", "set_state"])
