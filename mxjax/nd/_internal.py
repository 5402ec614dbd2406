"""MXNet's ``nd._internal``: the few internal operators user code calls directly.

Examples:
    >>> from mxjax import nd
    >>> x = nd.ones((2, 2))
    >>> _ = nd._internal._crop_assign_scalar(x, scalar=0, begin=(0, 0), end=(1, 2), out=x)
    >>> x.asnumpy().tolist()
    [[0.0, 0.0], [1.0, 1.0]]
"""

from mxjax._src.nd.ops_extra import _crop_assign, _crop_assign_scalar

# MXNet registers the same operators under both names.
_slice_assign = _crop_assign
_slice_assign_scalar = _crop_assign_scalar

__all__ = ["_crop_assign", "_crop_assign_scalar", "_slice_assign", "_slice_assign_scalar"]
