"""The Gluon flavour of the DataLoader (batches as ``mxjax.nd.NDArray``)."""

from __future__ import annotations

from mxjax._src.data.dataloader import DataLoader as _DataLoader

__all__ = ["DataLoader"]


class DataLoader(_DataLoader):
    """``mxjax.data.DataLoader`` with ``output='nd'`` by default (Gluon's DataLoader).

    Examples:
        >>> from mxjax.gluon.data import ArrayDataset, DataLoader
        >>> DataLoader(ArrayDataset([1, 2, 3]), batch_size=2, output='numpy')._output
        'numpy'
    """

    _default_output = "nd"
