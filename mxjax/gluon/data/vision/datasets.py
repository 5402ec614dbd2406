"""``gluon.data.vision.datasets``: the vision datasets, as MXNet's module of that name.

Examples:
    >>> from mxjax.gluon.data.vision import datasets
    >>> len(datasets.MNIST(train=False, embedded=True))
    1000
"""

from mxjax._src.data.gluon import MNIST as MNIST
from mxjax._src.data.vision_datasets import (
    CIFAR10 as CIFAR10,
    CIFAR100 as CIFAR100,
    FashionMNIST as FashionMNIST,
    ImageFolderDataset as ImageFolderDataset,
    ImageRecordDataset as ImageRecordDataset,
)

__all__ = [
    "CIFAR10",
    "CIFAR100",
    "FashionMNIST",
    "ImageFolderDataset",
    "ImageRecordDataset",
    "MNIST",
]
