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
from mxjax._src.nd.random_dists import (
    exponential as exponential,
    exponential_like as exponential_like,
    gamma as gamma,
    gamma_like as gamma_like,
    generalized_negative_binomial as generalized_negative_binomial,
    generalized_negative_binomial_like as generalized_negative_binomial_like,
    negative_binomial as negative_binomial,
    negative_binomial_like as negative_binomial_like,
    normal_like as normal_like,
    poisson as poisson,
    poisson_like as poisson_like,
    randn as randn,
    uniform_like as uniform_like,
)

__all__ = [
    "exponential",
    "exponential_like",
    "gamma",
    "gamma_like",
    "generalized_negative_binomial",
    "generalized_negative_binomial_like",
    "get_state",
    "multinomial",
    "negative_binomial",
    "negative_binomial_like",
    "normal",
    "normal_like",
    "poisson",
    "poisson_like",
    "randint",
    "randn",
    "seed",
    "set_state",
    "shuffle",
    "uniform",
    "uniform_like",
]
