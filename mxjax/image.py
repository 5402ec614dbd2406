"""MXNet's ``mx.image``: decoding, resizing, cropping, rotating and augmenting HWC images.

Examples:
    >>> import mxjax as mx
    >>> mx.image.imresize(mx.nd.zeros((4, 6, 3), dtype="uint8"), 3, 2).shape
    (2, 3, 3)
"""

from mxjax._src.data.mx_augment import (
    Augmenter as Augmenter,
    BrightnessJitterAug as BrightnessJitterAug,
    CastAug as CastAug,
    CenterCropAug as CenterCropAug,
    ColorJitterAug as ColorJitterAug,
    ColorNormalizeAug as ColorNormalizeAug,
    ContrastJitterAug as ContrastJitterAug,
    CreateAugmenter as CreateAugmenter,
    ForceResizeAug as ForceResizeAug,
    HorizontalFlipAug as HorizontalFlipAug,
    HueJitterAug as HueJitterAug,
    LightingAug as LightingAug,
    RandomCropAug as RandomCropAug,
    RandomGrayAug as RandomGrayAug,
    RandomOrderAug as RandomOrderAug,
    RandomSizedCropAug as RandomSizedCropAug,
    ResizeAug as ResizeAug,
    SaturationJitterAug as SaturationJitterAug,
    SequentialAug as SequentialAug,
)
from mxjax._src.data.mx_image import (
    center_crop as center_crop,
    color_normalize as color_normalize,
    copyMakeBorder as copyMakeBorder,
    fixed_crop as fixed_crop,
    imdecode as imdecode,
    imread as imread,
    imresize as imresize,
    imrotate as imrotate,
    random_crop as random_crop,
    random_rotate as random_rotate,
    random_size_crop as random_size_crop,
    resize_short as resize_short,
    scale_down as scale_down,
)
from mxjax._src.data.mx_image_iter import ImageIter as ImageIter

__all__ = [
    "Augmenter",
    "BrightnessJitterAug",
    "CastAug",
    "CenterCropAug",
    "ColorJitterAug",
    "ColorNormalizeAug",
    "ContrastJitterAug",
    "CreateAugmenter",
    "ForceResizeAug",
    "HorizontalFlipAug",
    "HueJitterAug",
    "ImageIter",
    "LightingAug",
    "RandomCropAug",
    "RandomGrayAug",
    "RandomOrderAug",
    "RandomSizedCropAug",
    "ResizeAug",
    "SaturationJitterAug",
    "SequentialAug",
    "center_crop",
    "color_normalize",
    "copyMakeBorder",
    "fixed_crop",
    "imdecode",
    "imread",
    "imresize",
    "imrotate",
    "random_crop",
    "random_rotate",
    "random_size_crop",
    "resize_short",
    "scale_down",
]
