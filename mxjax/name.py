"""``mx.name``: automatic names of symbols (``NameManager``, ``Prefix``).

Examples:
    >>> import mxjax as mx
    >>> with mx.name.Prefix("stage1_"):
    ...     act = mx.sym.Activation(mx.sym.var("x"), act_type="relu", name="relu")
    >>> act.name
    'stage1_relu'
"""

from mxjax._src.symbol.scope import NameManager as NameManager, Prefix as Prefix

__all__ = ["NameManager", "Prefix"]
