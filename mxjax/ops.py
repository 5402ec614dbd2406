"""Small pure ops: activations by MXNet name and layout helpers.

Examples:
    >>> from mxjax import ops
    >>> sorted(ops.ACTIVATIONS)
    ['log_softmax', 'relu', 'sigmoid', 'softmax', 'softrelu', 'softsign', 'tanh']
"""

from mxjax._src.ops import (
    ACTIVATIONS as ACTIVATIONS,
    activation_fn as activation_fn,
    expand_to as expand_to,
    log_softmax as log_softmax,
    softmax as softmax,
    softrelu as softrelu,
    softsign as softsign,
)

__all__ = [
    "ACTIVATIONS",
    "activation_fn",
    "expand_to",
    "log_softmax",
    "softmax",
    "softrelu",
    "softsign",
]
