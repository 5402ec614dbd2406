"""Datasets, samplers, the DataLoader, vision datasets and transforms.

Examples:
    >>> from mxjax import data
    >>> x, y = data.embedded_mnist(train=True)
    >>> x.shape
    (4000, 28, 28, 1)
"""

from mxjax._src.data.embedded import (
    embedded_mnist as embedded_mnist,
    embedded_mnist_root as embedded_mnist_root,
)
from mxjax._src.data.idx import CorruptFileError as CorruptFileError, read_idx as read_idx
