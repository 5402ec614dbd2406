"""The Gluon flavour of the DataLoader (batches as ``mxjax.nd.NDArray``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mxjax._src.data import vision_datasets
from mxjax._src.data.dataloader import DataLoader as _DataLoader

__all__ = ["MNIST", "DataLoader"]


class DataLoader(_DataLoader):
    """``mxjax.data.DataLoader`` with ``output='nd'`` by default (Gluon's DataLoader).

    Batches are NDArrays keeping the samples' dtype (int labels stay int).
    ``auto_reload`` is accepted as in MXNet 1.9.1 (it only moves prefetching
    between epochs; results are the same).

    Examples:
        >>> from mxjax.gluon.data import ArrayDataset, DataLoader
        >>> DataLoader(ArrayDataset([1, 2, 3]), batch_size=2, output='numpy')._output
        'numpy'
    """

    _default_output = "nd"

    def __init__(self, *args: Any, auto_reload: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # MXNet's auto_reload prefetches the next epoch when one ends; mxjax's workers
        # start on iter() and prefetch within the epoch, so the flag changes no results.
        self.auto_reload = bool(auto_reload)


class MNIST(vision_datasets.MNIST):
    """Gluon's ``gluon.data.vision.MNIST``: :class:`mxjax.data.vision.MNIST` with an
    announced fallback.

    The default is ``embedded='fallback'``: when the full MNIST files are
    missing and cannot be downloaded (or ``MXJAX_OFFLINE=1``), the embedded
    4,000/1,000-image subset is used and a warning is logged and printed, so
    unchanged Gluon scripts run offline. Pass ``embedded=False`` to get an
    error instead, or ``embedded=True`` to always use the subset.

    Examples:
        >>> from mxjax.gluon.data.vision import MNIST
        >>> len(MNIST(train=False, embedded=True))
        1000
    """

    def __init__(
        self,
        root: str | None = None,
        train: bool = True,
        transform: Callable | None = None,
        embedded: bool | str = "fallback",
    ):
        super().__init__(root, train, transform, embedded)
