"""``nd.contrib``: MXNet's contributed operators in common use.

Examples:
    >>> from mxjax import nd
    >>> nd.contrib.isnan(nd.array([float("nan"), 0.0])).asnumpy()
    array([1., 0.], dtype=float32)
"""

from mxjax._src.nd.legacy import (
    allclose as allclose,
    arange_like as arange_like,
    div_sqrt_dim as div_sqrt_dim,
    index_array as index_array,
    index_copy as index_copy,
    isfinite as isfinite,
    isinf as isinf,
    isnan as isnan,
)

__all__ = [
    "allclose",
    "arange_like",
    "div_sqrt_dim",
    "index_array",
    "index_copy",
    "isfinite",
    "isinf",
    "isnan",
]
