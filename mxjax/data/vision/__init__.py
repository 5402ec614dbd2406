"""Vision datasets (MNIST, FashionMNIST, CIFAR10/100, ImageFolderDataset) and transforms.

Examples:
    >>> from mxjax.data.vision import MNIST, transforms
    >>> ds = MNIST(train=False, embedded=True).transform_first(transforms.ToTensor())
    >>> ds[0][0].shape
    (1, 28, 28)
"""

from mxjax._src.data.download import (
    DatasetNotFoundError as DatasetNotFoundError,
    data_home as data_home,
    dataset_dir as dataset_dir,
)
from mxjax._src.data.vision_datasets import (
    CIFAR10 as CIFAR10,
    CIFAR100 as CIFAR100,
    MNIST as MNIST,
    FashionMNIST as FashionMNIST,
    ImageFolderDataset as ImageFolderDataset,
    ImageRecordDataset as ImageRecordDataset,
    imread as imread,
)
from mxjax.data.vision import transforms as transforms

__all__ = [
    "CIFAR10",
    "CIFAR100",
    "MNIST",
    "DatasetNotFoundError",
    "FashionMNIST",
    "ImageFolderDataset",
    "ImageRecordDataset",
    "data_home",
    "dataset_dir",
    "imread",
    "transforms",
]
