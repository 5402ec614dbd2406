"""MXNet's ``mx.image``: decoding, resizing and cropping HWC images.

Examples:
    >>> import mxjax as mx
    >>> mx.image.imresize(mx.nd.zeros((4, 6, 3), dtype="uint8"), 3, 2).shape
    (2, 3, 3)
"""

from mxjax._src.data.mx_image import (
    center_crop as center_crop,
    color_normalize as color_normalize,
    fixed_crop as fixed_crop,
    imdecode as imdecode,
    imread as imread,
    imresize as imresize,
    random_crop as random_crop,
    resize_short as resize_short,
    scale_down as scale_down,
)

__all__ = [
    "center_crop",
    "color_normalize",
    "fixed_crop",
    "imdecode",
    "imread",
    "imresize",
    "random_crop",
    "resize_short",
    "scale_down",
]
