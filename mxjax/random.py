"""``mx.random``: seed the facade's global generator and sample.

Examples:
    >>> import mxjax as mx
    >>> mx.random.seed(0)
"""

from mxjax._src.nd.random import (
    multinomial as multinomial,
    normal as normal,
    randint as randint,
    seed as seed,
    shuffle as shuffle,
    uniform as uniform,
)

__all__ = ["multinomial", "normal", "randint", "seed", "shuffle", "uniform"]
