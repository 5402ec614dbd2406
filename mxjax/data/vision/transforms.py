"""Vision transforms with ``gluon.data.vision.transforms`` semantics, on NumPy arrays.

Image transforms take HWC images or NHWC batches (the vectorized path); random
ones draw from :func:`mxjax.data.get_rng`.

Examples:
    >>> import numpy as np
    >>> from mxjax.data.vision import transforms as T
    >>> T.Compose([T.ToTensor(), T.Normalize(0.1307, 0.3081)])(np.zeros((28, 28, 1), np.uint8)).shape
    (1, 28, 28)
"""

from mxjax._src.data.transforms import (
    Cast as Cast,
    CenterCrop as CenterCrop,
    Compose as Compose,
    Normalize as Normalize,
    RandomApply as RandomApply,
    RandomBrightness as RandomBrightness,
    RandomColorJitter as RandomColorJitter,
    RandomContrast as RandomContrast,
    RandomFlipLeftRight as RandomFlipLeftRight,
    RandomFlipTopBottom as RandomFlipTopBottom,
    RandomHue as RandomHue,
    RandomLighting as RandomLighting,
    RandomResizedCrop as RandomResizedCrop,
    RandomSaturation as RandomSaturation,
    Resize as Resize,
    ToTensor as ToTensor,
)
from mxjax._src.data.transforms_geometry import (
    CropResize as CropResize,
    RandomRotation as RandomRotation,
    Rotate as Rotate,
    TransformInputError as TransformInputError,
)

__all__ = [
    "Cast",
    "CenterCrop",
    "Compose",
    "CropResize",
    "Normalize",
    "RandomApply",
    "RandomBrightness",
    "RandomColorJitter",
    "RandomContrast",
    "RandomFlipLeftRight",
    "RandomFlipTopBottom",
    "RandomHue",
    "RandomLighting",
    "RandomResizedCrop",
    "RandomRotation",
    "RandomSaturation",
    "Resize",
    "Rotate",
    "ToTensor",
    "TransformInputError",
]
