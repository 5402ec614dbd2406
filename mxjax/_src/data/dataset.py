"""Datasets with MXNet Gluon semantics: transform, filter, shard, take, sample."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mxjax._src.io.recordio import MXIndexedRecordIO

__all__ = ["ArrayDataset", "Dataset", "RecordFileDataset", "SimpleDataset"]


class Dataset:
    """Abstract dataset: ``__getitem__(idx)`` and ``__len__``.

    Examples:
        >>> from mxjax.data import SimpleDataset
        >>> ds = SimpleDataset([1, 2, 3, 4]).transform(lambda x: x * 10)
        >>> ds[1], len(ds)
        (20, 4)
    """

    def __getitem__(self, idx: int) -> Any:
        raise TypeError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} must implement __len__")

    def transform(self, fn: Callable, lazy: bool = True) -> Dataset:
        """Returns a dataset applying ``fn`` to each sample (``fn(*sample)`` for tuples).

        Args:
            fn: the transform.
            lazy: if False, transform every sample now and return a SimpleDataset.

        Examples:
            >>> from mxjax.data import ArrayDataset
            >>> ds = ArrayDataset([1, 2], [3, 4]).transform(lambda x, y: x + y)
            >>> [ds[0], ds[1]]
            [4, 6]
        """
        trans = _LazyTransformDataset(self, fn)
        if lazy:
            return trans
        return SimpleDataset([trans[i] for i in range(len(trans))])

    def transform_first(self, fn: Callable, lazy: bool = True) -> Dataset:
        """Returns a dataset applying ``fn`` to the first field of each sample only.

        Examples:
            >>> from mxjax.data import ArrayDataset
            >>> ArrayDataset([1, 2], [3, 4]).transform_first(lambda x: -x)[1]
            (-2, 4)
        """
        return self.transform(_TransformFirstClosure(fn), lazy)

    def filter(self, fn: Callable[[Any], bool]) -> Dataset:
        """Returns the dataset of the samples for which ``fn(sample)`` is true.

        Examples:
            >>> from mxjax.data import SimpleDataset
            >>> list(SimpleDataset(list(range(6))).filter(lambda x: x % 2 == 0))
            [0, 2, 4]
        """
        from mxjax._src.data.sampler import FilterSampler

        return _SampledDataset(self, FilterSampler(fn, self))

    def shard(self, num_shards: int, index: int) -> Dataset:
        """Returns contiguous shard ``index`` of ``num_shards`` (sizes differ by at most one).

        Examples:
            >>> from mxjax.data import SimpleDataset
            >>> [list(SimpleDataset(list(range(5))).shard(2, i)) for i in range(2)]
            [[0, 1, 2], [3, 4]]
        """
        _check_int("Dataset.shard", "num_shards", num_shards, 1)
        _check_int("Dataset.shard", "index", index, 0)
        if index >= num_shards:
            raise ValueError(
                f"Dataset.shard: index must be in [0, num_shards={num_shards}), received {index}"
            )
        from mxjax._src.data.sampler import SequentialSampler

        length = len(self)
        shard_len, rest = divmod(length, num_shards)
        start = shard_len * index + min(index, rest)
        end = start + shard_len + (index < rest)
        return _SampledDataset(self, SequentialSampler(end - start, start))

    def take(self, count: int | None) -> Dataset:
        """Returns the first ``count`` samples (all of them if ``count`` is None or larger).

        Examples:
            >>> from mxjax.data import SimpleDataset
            >>> list(SimpleDataset([5, 6, 7]).take(2))
            [5, 6]
        """
        from mxjax._src.data.sampler import SequentialSampler

        if count is None or count > len(self):
            count = len(self)
        _check_int("Dataset.take", "count", count, 0)
        return _SampledDataset(self, SequentialSampler(count))

    def sample(self, sampler: Any) -> Dataset:
        """Returns the dataset of the samples at the indices ``sampler`` yields.

        Examples:
            >>> from mxjax.data import SimpleDataset, SequentialSampler
            >>> list(SimpleDataset([5, 6, 7]).sample(SequentialSampler(2, start=1)))
            [6, 7]
        """
        if not hasattr(sampler, "__iter__"):
            raise TypeError(
                f"Dataset.sample: sampler must be an iterable of indices, received "
                f"{type(sampler).__name__}"
            )
        return _SampledDataset(self, sampler)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


def _check_int(fn: str, name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{fn}: {name} must be an int >= {minimum}, received {value!r}")


class SimpleDataset(Dataset):
    """Dataset wrapping any sequence (list, array) with ``len`` and indexing.

    Examples:
        >>> from mxjax.data import SimpleDataset
        >>> ds = SimpleDataset(["a", "b"])
        >>> ds[1], len(ds)
        ('b', 2)
    """

    def __init__(self, data: Sequence):
        self._data = data

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, idx: int) -> Any:
        return self._data[idx]


class ArrayDataset(Dataset):
    """Dataset combining several arrays/sequences of equal length; sample i is a tuple.

    NDArrays (anything with ``asnumpy``) are converted to NumPy once, so
    samples are NumPy arrays or scalars whatever the input.

    Args:
        *args: the arrays; with a single array, samples are its elements (not 1-tuples).

    Raises:
        ValueError: if no array is given or their lengths differ.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data import ArrayDataset
        >>> ds = ArrayDataset(np.zeros((3, 2)), np.array([0, 1, 2]))
        >>> x, y = ds[2]
        >>> x.shape, int(y), len(ds)
        ((2,), 2, 3)
    """

    def __init__(self, *args: Any):
        if not args:
            raise ValueError("ArrayDataset: expected at least one array, received none")
        self._length = len(args[0])
        self._data = []
        for i, data in enumerate(args):
            if len(data) != self._length:
                raise ValueError(
                    f"ArrayDataset: all arrays must have the same length; array 0 has "
                    f"{self._length} elements but array {i} has {len(data)}"
                )
            if hasattr(data, "asnumpy"):
                data = data.asnumpy()
            self._data.append(data)

    def __getitem__(self, idx: int) -> Any:
        if len(self._data) == 1:
            return self._data[0][idx]
        return tuple(data[idx] for data in self._data)

    def __getattr__(self, name: str) -> Any:
        # ``_get_batch`` exists only when every field is a NumPy array (see DataLoader).
        if name == "_get_batch" and all(isinstance(d, np.ndarray) for d in self._data):
            return self._gather
        raise AttributeError(name)

    def _gather(self, indices: list) -> Any:
        idx = np.asarray(indices, np.intp)
        if len(self._data) == 1:
            return self._data[0][idx]
        return [data[idx] for data in self._data]

    def __len__(self) -> int:
        return self._length


class RecordFileDataset(Dataset):
    """The records of a RecordIO file (``.rec`` with its ``.idx`` index) as raw bytes.

    Sample ``i`` is the record at the ``i``-th key of the index. The dataset
    pickles by file name (each DataLoader worker opens its own handle) and is
    safe to read from several threads.

    Args:
        filename: path of the ``.rec`` file; the index is the same path ending in ``.idx``.

    Examples:
        >>> import os, tempfile, mxjax as mx
        >>> from mxjax.gluon.data import RecordFileDataset
        >>> d = tempfile.mkdtemp()
        >>> w = mx.recordio.MXIndexedRecordIO(os.path.join(d, "a.idx"), os.path.join(d, "a.rec"), "w")
        >>> for i in range(3):
        ...     w.write_idx(i, b"record %d" % i)
        >>> w.close()
        >>> ds = RecordFileDataset(os.path.join(d, "a.rec"))
        >>> len(ds), ds[2]
        (3, b'record 2')
    """

    def __init__(self, filename: str):
        self.filename = os.fspath(filename)
        self.idx_file = os.path.splitext(self.filename)[0] + ".idx"
        self._open()

    def _open(self) -> None:
        self._lock = threading.Lock()
        self._record = MXIndexedRecordIO(self.idx_file, self.filename, "r")

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        del state["_record"], state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._open()

    def __getitem__(self, idx: int) -> bytes:
        with self._lock:
            return self._record.read_idx(self._record.keys[idx])

    def __len__(self) -> int:
        return len(self._record.keys)


class _LazyTransformDataset(Dataset):
    def __init__(self, data: Dataset, fn: Callable):
        self._data = data
        self._fn = fn

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, idx: int) -> Any:
        item = self._data[idx]
        if isinstance(item, tuple):
            return self._fn(*item)
        return self._fn(item)

    def __getattr__(self, name: str) -> Any:
        # transform_first(ToTensor/Normalize/...) over gatherable data: transform whole batches.
        if name == "_get_batch" and getattr(self._fn, "batchable", False):
            base = getattr(self._data, "_get_batch", None)
            if base is not None:
                fn = self._fn._fn

                def get_batch(indices: list) -> Any:
                    batch = base(indices)
                    if isinstance(batch, list):
                        return [fn(batch[0]), *batch[1:]]
                    return fn(batch)

                return get_batch
        raise AttributeError(name)


class _TransformFirstClosure:
    def __init__(self, fn: Callable):
        self._fn = fn

    @property
    def batchable(self) -> bool:
        # Deterministic transforms that map an NHWC batch like each HWC sample.
        return bool(getattr(self._fn, "_batchable", False))

    def __call__(self, x: Any, *args: Any) -> Any:
        if args:
            return (self._fn(x),) + args
        return self._fn(x)


class _SampledDataset(Dataset):
    def __init__(self, dataset: Dataset, sampler: Any):
        self._dataset = dataset
        self._indices = list(iter(sampler))

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, idx: int) -> Any:
        return self._dataset[self._indices[idx]]
