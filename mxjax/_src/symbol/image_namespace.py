"""``mx.sym.image``: the image operators of ``mx.nd.image`` that have a graph form.

``to_tensor``, ``normalize``, ``crop``, ``flip_left_right`` and
``flip_top_bottom`` (MXNet's ``_image_*`` operators, saved under those names in
``-symbol.json``). The host-side operators of ``nd.image`` (``resize``, the
colour jitters) have no graph form in mxjax.

Examples:
    >>> import numpy as np
    >>> import mxjax as mx
    >>> data = mx.sym.var("data")
    >>> out = mx.sym.image.crop(data, 1, 0, 2, 1)
    >>> ex = out.bind(mx.cpu(), {"data": mx.nd.arange(24).reshape((2, 4, 3))})
    >>> ex.forward()[0][..., 0].asnumpy()
    array([[3., 6.]], dtype=float32)
"""

from mxjax._src.symbol.graph import make_op_function as _make
from mxjax._src.symbol.optable import OPS as _OPS

__all__ = ["crop", "flip_left_right", "flip_top_bottom", "normalize", "to_tensor"]

crop = _make(_OPS["_image_crop"], "crop")
flip_left_right = _make(_OPS["_image_flip_left_right"], "flip_left_right")
flip_top_bottom = _make(_OPS["_image_flip_top_bottom"], "flip_top_bottom")
normalize = _make(_OPS["_image_normalize"], "normalize")
to_tensor = _make(_OPS["_image_to_tensor"], "to_tensor")
