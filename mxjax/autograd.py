"""MXNet's ``mx.autograd``: record operations on a tape and backpropagate.

Examples:
    >>> from mxjax import autograd, nd
    >>> x = nd.array([1.0, 2.0]); x.attach_grad()
    >>> with autograd.record():
    ...     y = (x * x).sum()
    >>> y.backward()
    >>> x.grad.asnumpy()
    array([2., 4.], dtype=float32)
"""

from mxjax._src.autograd import (
    AutogradError as AutogradError,
    Function as Function,
    grad as grad,
    is_recording as is_recording,
    is_training as is_training,
    mark_variables as mark_variables,
    pause as pause,
    predict_mode as predict_mode,
    record as record,
    record_node as record_node,
    set_recording as set_recording,
    set_training as set_training,
    train_mode as train_mode,
)
from mxjax._src.dispatch import apply as apply, backward as backward
from mxjax._src.nd.ndarray import NDArray as NDArray  # MXNet's autograd module exports it too
from mxjax._src.tape_symbol import get_symbol as get_symbol

__all__ = [
    "AutogradError",
    "Function",
    "NDArray",
    "apply",
    "backward",
    "get_symbol",
    "grad",
    "is_recording",
    "is_training",
    "mark_variables",
    "pause",
    "predict_mode",
    "record",
    "record_node",
    "set_recording",
    "set_training",
    "train_mode",
]
