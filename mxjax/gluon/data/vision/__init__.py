"""Gluon's ``gluon.data.vision``: the vision datasets and transforms of :mod:`mxjax.data.vision`.

Only ``MNIST`` differs: it falls back to the embedded subset, with a printed
and logged announcement, when the full files are missing (see its docstring).

Examples:
    >>> from mxjax.gluon.data.vision import MNIST, transforms
    >>> ds = MNIST(train=False, embedded=True).transform_first(transforms.ToTensor())
    >>> ds[0][0].shape
    (1, 28, 28)
"""

from mxjax._src.data.download import (
    DatasetNotFoundError as DatasetNotFoundError,
    data_home as data_home,
    dataset_dir as dataset_dir,
)
from mxjax._src.data.gluon import MNIST as MNIST
from mxjax._src.data.vision_datasets import (
    CIFAR10 as CIFAR10,
    CIFAR100 as CIFAR100,
    FashionMNIST as FashionMNIST,
    ImageFolderDataset as ImageFolderDataset,
    ImageRecordDataset as ImageRecordDataset,
    imread as imread,
)
from mxjax.gluon.data.vision import datasets as datasets, transforms as transforms

__all__ = [
    "CIFAR10",
    "CIFAR100",
    "MNIST",
    "DatasetNotFoundError",
    "FashionMNIST",
    "ImageFolderDataset",
    "ImageRecordDataset",
    "data_home",
    "datasets",
    "dataset_dir",
    "imread",
    "transforms",
]
