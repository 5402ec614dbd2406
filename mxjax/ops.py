"""Small pure ops: activations by MXNet name and layout helpers.

Examples:
    >>> from mxjax import ops
    >>> sorted(ops.ACTIVATIONS)
    ['relu', 'sigmoid', 'softrelu', 'softsign', 'tanh']
"""

from mxjax._src.ops import (
    ACTIVATIONS as ACTIVATIONS,
    activation_fn as activation_fn,
    expand_to as expand_to,
    softrelu as softrelu,
    softsign as softsign,
)

__all__ = ["ACTIVATIONS", "activation_fn", "expand_to", "softrelu", "softsign"]
