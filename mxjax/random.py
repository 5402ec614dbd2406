"""``mx.random``: seed the facade's global generator and sample.

Examples:
    >>> import mxjax as mx
    >>> mx.random.seed(0)
"""

from mxjax._src.nd.random import (
    get_state as get_state,
    multinomial as multinomial,
    normal as normal,
    randint as randint,
    seed as seed,
    set_state as set_state,
    shuffle as shuffle,
    uniform as uniform,
)

__all__ = [
    "get_state",
    "multinomial",
    "normal",
    "randint",
    "seed",
    "set_state",
    "shuffle",
    "uniform",
]
