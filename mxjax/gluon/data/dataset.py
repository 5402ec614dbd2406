"""``gluon.data.dataset``: the dataset classes, as MXNet's module of that name.

Examples:
    >>> from mxjax.gluon.data import dataset
    >>> len(dataset.ArrayDataset([1, 2, 3]))
    3
"""

from mxjax._src.data.dataset import (
    ArrayDataset as ArrayDataset,
    Dataset as Dataset,
    RecordFileDataset as RecordFileDataset,
    SimpleDataset as SimpleDataset,
)

__all__ = ["ArrayDataset", "Dataset", "RecordFileDataset", "SimpleDataset"]
