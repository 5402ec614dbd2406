"""Gluon's ``gluon.data``: the data pipeline, with a DataLoader yielding NDArrays.

Everything is :mod:`mxjax.data`, except that :class:`DataLoader` defaults to
``output='nd'`` (batches are ``mxjax.nd.NDArray``).

Examples:
    >>> from mxjax.gluon import data as gdata
    >>> gdata.DataLoader(gdata.ArrayDataset([1, 2, 3]), batch_size=2)._output
    'nd'
"""

from mxjax._src.data.batchify import default_batchify_fn as default_batchify_fn
from mxjax._src.data.dataloader import (
    DataLoaderError as DataLoaderError,
    DataLoaderTimeoutError as DataLoaderTimeoutError,
    WorkerDiedError as WorkerDiedError,
    WorkerError as WorkerError,
)
from mxjax._src.data.dataset import (
    ArrayDataset as ArrayDataset,
    Dataset as Dataset,
    RecordFileDataset as RecordFileDataset,
    SimpleDataset as SimpleDataset,
)
from mxjax._src.data.gluon import DataLoader as DataLoader
from mxjax._src.data.sampler import (
    BatchSampler as BatchSampler,
    FilterSampler as FilterSampler,
    IntervalSampler as IntervalSampler,
    RandomSampler as RandomSampler,
    Sampler as Sampler,
    SequentialSampler as SequentialSampler,
    ShardedSampler as ShardedSampler,
)
from mxjax.gluon.data import (
    dataloader as dataloader,
    dataset as dataset,
    sampler as sampler,
    vision as vision,
)

__all__ = [
    "ArrayDataset",
    "BatchSampler",
    "DataLoader",
    "DataLoaderError",
    "DataLoaderTimeoutError",
    "Dataset",
    "FilterSampler",
    "IntervalSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "ShardedSampler",
    "RecordFileDataset",
    "SimpleDataset",
    "WorkerDiedError",
    "WorkerError",
    "dataloader",
    "dataset",
    "default_batchify_fn",
    "sampler",
    "vision",
]
