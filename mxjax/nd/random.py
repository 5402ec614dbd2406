"""``nd.random``: samplers drawing from the facade's global generator.

Examples:
    >>> from mxjax import nd
    >>> nd.random.uniform(shape=(2,)).shape
    (2,)
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
