"""The MNIST subset embedded in the package (4,000 train / 1,000 test images)."""

from __future__ import annotations

import importlib.resources
import os

import numpy as np

from mxjax._src.data.idx import read_idx

__all__ = ["EMBEDDED_MNIST_FILES", "embedded_mnist", "embedded_mnist_root"]

EMBEDDED_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def embedded_mnist_root() -> str:
    """Directory holding the embedded MNIST subset's IDX files and provenance note.

    Examples:
        >>> import os
        >>> from mxjax.data import embedded_mnist_root
        >>> sorted(os.listdir(embedded_mnist_root()))[0]
        'README.md'
    """
    return os.fspath(importlib.resources.files("mxjax") / "_datasets" / "mnist-5k")


def embedded_mnist(train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Returns the embedded MNIST subset as ``(images, labels)``.

    Images are ``uint8`` of shape ``(N, 28, 28, 1)`` (HWC, as Gluon's MNIST
    dataset gives them); labels are ``int32`` in ``[0, 10)``. N is 4,000 for
    ``train=True`` and 1,000 otherwise. Provenance: ``README.md`` in
    :func:`embedded_mnist_root`.

    Examples:
        >>> from mxjax.data import embedded_mnist
        >>> x, y = embedded_mnist(train=False)
        >>> x.shape, x.dtype, y.shape, y.dtype
        ((1000, 28, 28, 1), dtype('uint8'), (1000,), dtype('int32'))
    """
    images, labels = EMBEDDED_MNIST_FILES["train" if train else "test"]
    root = embedded_mnist_root()
    x = read_idx(os.path.join(root, images))
    y = read_idx(os.path.join(root, labels))
    return x.reshape(x.shape[0], 28, 28, 1), y.astype(np.int32)
