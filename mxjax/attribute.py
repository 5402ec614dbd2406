"""``mx.attribute``: ``AttrScope``, attributes given to every symbol created in a scope.

Examples:
    >>> import mxjax as mx
    >>> with mx.AttrScope(group="a"):
    ...     y = mx.sym.var("y") * 2
    >>> y.attr("group")
    'a'
"""

from mxjax._src.symbol.scope import AttrScope as AttrScope

__all__ = ["AttrScope"]
