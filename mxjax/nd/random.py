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
    "shuffle",
    "uniform",
    "uniform_like",
]
