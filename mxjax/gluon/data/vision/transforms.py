"""Gluon's ``gluon.data.vision.transforms``: NDArray in, NDArray out.

The transforms of :mod:`mxjax.data.vision.transforms` (HWC images or NHWC
batches; random ones draw from :func:`mxjax.data.get_rng`); an NDArray input
gives an NDArray output of the result's dtype, as MXNet's Blocks do.

Examples:
    >>> from mxjax import nd
    >>> from mxjax.gluon.data.vision import transforms as T
    >>> out = T.Compose([T.ToTensor(), T.Normalize(0.1307, 0.3081)])(nd.zeros((28, 28, 1), dtype="uint8"))
    >>> type(out).__name__, out.shape
    ('NDArray', (1, 28, 28))
"""

from mxjax._src.data.gluon_transforms import *  # noqa: F403  (one list of names, kept there)
from mxjax._src.data.gluon_transforms import __all__ as __all__
