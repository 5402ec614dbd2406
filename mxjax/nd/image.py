"""``nd.image``: MXNet's image operators on HWC images and NHWC batches.

Examples:
    >>> from mxjax import nd
    >>> img = nd.full((4, 4, 3), 255, dtype="uint8")
    >>> nd.image.normalize(nd.image.to_tensor(img), 0.5, 0.5).asnumpy().max()
    np.float32(1.0)
"""

from mxjax._src.data.nd_image import (
    adjust_lighting as adjust_lighting,
    crop as crop,
    flip_left_right as flip_left_right,
    flip_top_bottom as flip_top_bottom,
    normalize as normalize,
    random_brightness as random_brightness,
    random_color_jitter as random_color_jitter,
    random_contrast as random_contrast,
    random_flip_left_right as random_flip_left_right,
    random_flip_top_bottom as random_flip_top_bottom,
    random_hue as random_hue,
    random_lighting as random_lighting,
    random_saturation as random_saturation,
    resize as resize,
    to_tensor as to_tensor,
)

__all__ = [
    "adjust_lighting",
    "crop",
    "flip_left_right",
    "flip_top_bottom",
    "normalize",
    "random_brightness",
    "random_color_jitter",
    "random_contrast",
    "random_flip_left_right",
    "random_flip_top_bottom",
    "random_hue",
    "random_lighting",
    "random_saturation",
    "resize",
    "to_tensor",
]
