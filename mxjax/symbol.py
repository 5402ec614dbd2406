"""``mx.sym`` / ``mx.symbol``: MXNet's symbolic graph API on the functional core.

Build a graph from variables and operators, then bind it to arrays and run it
as one ``jax.jit`` program, or save it in MXNet's ``-symbol.json`` format.
Every operator function (``FullyConnected``, ``Convolution``, ``BatchNorm``,
``SoftmaxOutput`` ...) maps onto :mod:`mxjax.layers`, :mod:`mxjax.ops` or
``jax.numpy``.

Examples:
    >>> import mxjax as mx
    >>> data = mx.sym.var("data")
    >>> fc = mx.sym.FullyConnected(data, num_hidden=10, name="fc")
    >>> net = mx.sym.SoftmaxOutput(fc, name="softmax")
    >>> net.list_arguments()
    ['data', 'fc_weight', 'fc_bias', 'softmax_label']
    >>> arg_shapes, out_shapes, aux_shapes = net.infer_shape(data=(32, 784))
    >>> out_shapes
    [(32, 10)]
"""

# isort: skip_file
from mxjax._src.symbol.executor import Executor as Executor
from mxjax._src.symbol.graph import (
    Group as Group,
    Symbol as Symbol,
    Variable as Variable,
    make_op_function as _make_op_function,
    var as var,
)
from mxjax._src.symbol.loader import load as load, load_json as load_json
from mxjax._src.symbol.optable import OPS as _OPS
from mxjax._src.symbol import image_namespace as image
from mxjax._src.symbol import sparse_namespace as sparse

_OP_NAMES = sorted(_OPS)
for _name in _OP_NAMES:
    globals()[_name] = _make_op_function(_OPS[_name], _name)
del _name

# MXNet's symbol namespace also exposes these spellings.
pow = power = globals()["_power"]  # noqa: A001
maximum = globals()["_maximum"]
minimum = globals()["_minimum"]
hypot = globals()["_hypot"]
equal = globals()["_equal"]
not_equal = globals()["_not_equal"]
greater = globals()["_greater"]
greater_equal = globals()["_greater_equal"]
lesser = globals()["_lesser"]
lesser_equal = globals()["_lesser_equal"]

__all__ = [
    "Executor",
    "Group",
    "Symbol",
    "Variable",
    "equal",
    "greater",
    "greater_equal",
    "hypot",
    "image",
    "lesser",
    "lesser_equal",
    "load",
    "load_json",
    "maximum",
    "minimum",
    "not_equal",
    "pow",
    "power",
    "sparse",
    "var",
    *[n for n in _OP_NAMES if not n.startswith("_")],
]
