"""``mx.sym.sparse``: the graph operators of MXNet's sparse namespace, on dense values.

mxjax keeps sparse storage as API-compatible containers over dense values
(``mx.nd.sparse``), so ``mx.sym.sparse.dot`` and the elementwise operators are
the dense graph operators under MXNet's sparse names; variables keep their
``stype`` attribute (``mx.sym.var(..., stype='csr')``). ``cast_storage`` is
the identity on values.

Examples:
    >>> import mxjax as mx
    >>> x = mx.sym.var("x", stype="csr")
    >>> w = mx.sym.var("w", stype="row_sparse")
    >>> out = mx.sym.sparse.dot(x, w)
    >>> ex = out.bind(mx.cpu(), {"x": mx.nd.ones((2, 3)), "w": mx.nd.ones((3, 1))})
    >>> ex.forward()[0].asnumpy().ravel().tolist()
    [3.0, 3.0]
"""

from mxjax._src.symbol.graph import make_op_function as _make
from mxjax._src.symbol.optable import OPS as _OPS

_NAMES = (
    "abs", "add_n", "ceil", "clip", "dot", "elemwise_add", "elemwise_div", "elemwise_mul",
    "elemwise_sub", "floor", "mean", "negative", "relu", "round", "rsqrt", "sigmoid", "sign",
    "slice", "sqrt", "square", "sum", "tanh", "where", "zeros_like",
)  # fmt: skip

__all__ = ["cast_storage", *_NAMES]

globals().update({n: _make(_OPS[n], n) for n in _NAMES})
_identity = _make(_OPS["identity"], "cast_storage")


def cast_storage(data, stype=None, name=None, **kwargs):
    """The same values in storage type ``stype`` (dense values in mxjax: the identity).

    Examples:
        >>> import mxjax as mx
        >>> mx.sym.sparse.cast_storage(mx.sym.var("x"), stype="csr").list_arguments()
        ['x']
    """
    if stype not in ("default", "csr", "row_sparse"):
        raise ValueError(
            f"sym.sparse.cast_storage: stype must be 'default', 'csr' or 'row_sparse', "
            f"got {stype!r}"
        )
    return _identity(data, name=name) if name is not None else _identity(data)
