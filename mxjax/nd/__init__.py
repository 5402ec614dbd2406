"""MXNet's ``mx.nd``: NDArray and its operator namespace, backed by JAX.

Examples:
    >>> from mxjax import nd
    >>> x = nd.array([[1, 2], [3, 4]])
    >>> (x * 2).sum().asscalar()
    np.float32(20.0)
"""

# isort: skip_file
from mxjax._src.nd.ndarray import NDArray as NDArray, from_jax as from_jax
from mxjax._src.nd.creation import (
    arange as arange,
    array as array,
    empty as empty,
    full as full,
    ones as ones,
    ones_like as ones_like,
    zeros as zeros,
    zeros_like as zeros_like,
)
