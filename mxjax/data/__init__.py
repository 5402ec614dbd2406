"""Datasets, samplers, the DataLoader, vision datasets and transforms.

``mxjax.data.DataLoader`` yields NumPy arrays (``output='numpy'``) or, with
``output='jax'``, device arrays; ``mxjax.gluon.data.DataLoader`` is the same
loader yielding ``mxjax.nd.NDArray``. Vision datasets and transforms live in
:mod:`mxjax.data.vision`.

Examples:
    >>> from mxjax import data
    >>> x, y = data.embedded_mnist(train=True)
    >>> x.shape
    (4000, 28, 28, 1)
"""

from mxjax._src.data.batchify import default_batchify_fn as default_batchify_fn
from mxjax._src.data.dataloader import (
    DataLoader as DataLoader,
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
from mxjax._src.data.download import (
    DatasetNotFoundError as DatasetNotFoundError,
    data_home as data_home,
    dataset_dir as dataset_dir,
)
from mxjax._src.data.embedded import (
    embedded_mnist as embedded_mnist,
    embedded_mnist_root as embedded_mnist_root,
)
from mxjax._src.data.idx import CorruptFileError as CorruptFileError, read_idx as read_idx
from mxjax._src.data.rng import get_rng as get_rng, sample_rng as sample_rng
from mxjax._src.data.sampler import (
    BatchSampler as BatchSampler,
    FilterSampler as FilterSampler,
    IntervalSampler as IntervalSampler,
    RandomSampler as RandomSampler,
    Sampler as Sampler,
    SequentialSampler as SequentialSampler,
    ShardedSampler as ShardedSampler,
)
from mxjax.data import vision as vision

__all__ = [
    "ArrayDataset",
    "BatchSampler",
    "CorruptFileError",
    "DataLoader",
    "DataLoaderError",
    "DataLoaderTimeoutError",
    "Dataset",
    "DatasetNotFoundError",
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
    "data_home",
    "dataset_dir",
    "default_batchify_fn",
    "embedded_mnist",
    "embedded_mnist_root",
    "get_rng",
    "read_idx",
    "sample_rng",
    "vision",
]
