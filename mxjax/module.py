"""``mx.mod`` / ``mx.module``: MXNet's Module API over symbol graphs.

Examples:
    >>> import mxjax as mx
    >>> net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3),
    ...                            name="softmax")
    >>> mod = mx.mod.Module(net, context=mx.cpu())
    >>> mod.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    >>> mod.init_params()
    >>> mod.output_shapes
    [('softmax_output', (4, 3))]
"""

from mxjax._src.module.base import BaseModule as BaseModule, BatchEndParam as BatchEndParam
from mxjax._src.module.module import Module as Module

__all__ = ["BaseModule", "BatchEndParam", "Module"]
