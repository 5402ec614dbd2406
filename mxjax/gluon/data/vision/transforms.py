"""Gluon's ``gluon.data.vision.transforms``: the transforms of :mod:`mxjax.data.vision.transforms`.

Image transforms take HWC images or NHWC batches (the vectorized path); random
ones draw from :func:`mxjax.data.get_rng`.

Examples:
    >>> import numpy as np
    >>> from mxjax.gluon.data.vision import transforms as T
    >>> T.Compose([T.ToTensor(), T.Normalize(0.1307, 0.3081)])(np.zeros((28, 28, 1), np.uint8)).shape
    (1, 28, 28)
"""

from mxjax.data.vision.transforms import *  # noqa: F403  (one list of names, kept there)
from mxjax.data.vision.transforms import __all__ as __all__
