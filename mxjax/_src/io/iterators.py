"""MXNet's data iterators (``mx.io``): DataDesc, DataBatch, DataIter, NDArrayIter and friends.

Batches are ``mx.nd.NDArray`` lists, as MXNet's ``Module`` expects; the data
stays in host memory (NumPy) and each batch is copied to the device once.
Shuffling uses NumPy's global generator, as MXNet's Python iterators do.
"""

from __future__ import annotations

import queue
import threading
from collections import namedtuple
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["DataBatch", "DataDesc", "DataIter", "NDArrayIter", "PrefetchingIter", "ResizeIter"]


class DataDesc(namedtuple("DataDesc", ["name", "shape"])):
    """Name, shape, dtype and layout of one input (``mx.io.DataDesc``); a ``(name, shape)`` tuple.

    Examples:
        >>> import mxjax as mx
        >>> d = mx.io.DataDesc("data", (32, 784))
        >>> d.name, d.shape, d.dtype, d.layout
        ('data', (32, 784), <class 'numpy.float32'>, 'NCHW')
        >>> mx.io.DataDesc.get_batch_axis("TNC")
        1
    """

    def __new__(cls, name: str, shape: Any, dtype: Any = np.float32, layout: str = "NCHW"):
        ret = super().__new__(cls, name, tuple(int(d) for d in shape))
        ret.dtype = dtype
        ret.layout = layout
        return ret

    def __repr__(self) -> str:
        return f"DataDesc[{self.name},{self.shape},{self.dtype},{self.layout}]"

    @staticmethod
    def get_batch_axis(layout: str | None) -> int:
        """The batch axis of a layout string (0 if None)."""
        return 0 if layout is None else layout.find("N")

    @staticmethod
    def get_list(shapes: Any, types: Any) -> list:
        """DataDescs from ``[(name, shape)]`` and optional ``[(name, dtype)]``."""
        if types is not None:
            td = dict(types)
            return [DataDesc(n, s, td[n]) for n, s in shapes]
        return [DataDesc(n, s) for n, s in shapes]


class DataBatch:
    """One batch: lists of data and label NDArrays, padding and indices (``mx.io.DataBatch``).

    Args:
        data: list of NDArrays.
        label: list of NDArrays or None.
        pad: number of padding examples at the end of the batch.
        index: example indices.
        bucket_key, provide_data, provide_label: as MXNet.

    Examples:
        >>> import mxjax as mx
        >>> b = mx.io.DataBatch([mx.nd.ones((2, 3))], [mx.nd.zeros((2,))], pad=1)
        >>> b.data[0].shape, b.pad
        ((2, 3), 1)
    """

    def __init__(
        self,
        data,
        label=None,
        pad=None,
        index=None,
        bucket_key=None,
        provide_data=None,
        provide_label=None,
    ):
        if data is not None and not isinstance(data, (list, tuple)):
            raise TypeError(
                f"DataBatch: data must be a list of NDArrays; received {type(data).__name__}"
            )
        if label is not None and not isinstance(label, (list, tuple)):
            raise TypeError(
                f"DataBatch: label must be a list of NDArrays; received {type(label).__name__}"
            )
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index
        self.bucket_key = bucket_key
        self.provide_data = provide_data
        self.provide_label = provide_label

    def __str__(self) -> str:
        data = [d.shape for d in self.data] if self.data else None
        label = [lab.shape for lab in self.label] if self.label else None
        return f"{type(self).__name__}: data shapes: {data} label shapes: {label}"


class DataIter:
    """Base class of MXNet data iterators: ``reset``, ``next``, ``iter_next`` and getters.

    Examples:
        >>> import mxjax as mx
        >>> it = mx.io.NDArrayIter(mx.nd.ones((4, 2)), batch_size=2)
        >>> isinstance(it, mx.io.DataIter), len(list(it))
        (True, 2)
    """

    def __init__(self, batch_size: int = 0):
        self.batch_size = batch_size

    def __iter__(self):
        return self

    def reset(self) -> None:
        """Moves to the beginning of the data."""

    def next(self) -> DataBatch:
        """Returns the next batch (raises StopIteration at the end)."""
        if self.iter_next():
            return DataBatch(
                data=self.getdata(), label=self.getlabel(), pad=self.getpad(), index=self.getindex()
            )
        raise StopIteration

    def __next__(self) -> DataBatch:
        return self.next()

    def iter_next(self) -> bool:
        """Moves to the next batch; False at the end."""
        raise NotImplementedError

    def getdata(self):
        """The data of the current batch."""
        raise NotImplementedError

    def getlabel(self):
        """The label of the current batch."""
        return None

    def getindex(self):
        """The example indices of the current batch."""
        return None

    def getpad(self) -> int:
        """The number of padding examples in the current batch."""
        return 0


def _to_numpy(v: Any, what: str) -> np.ndarray:
    if hasattr(v, "asnumpy"):
        return v.asnumpy()
    try:
        arr = np.asarray(v)
    except Exception:
        raise TypeError(f"{what}: expected an array; received {type(v).__name__}") from None
    if arr.dtype == object:
        raise TypeError(f"{what}: expected a numeric array; received {type(v).__name__}")
    import jax

    if not jax.config.jax_enable_x64 and arr.dtype in (np.float64, np.int64, np.uint64):
        # JAX holds 32-bit values unless x64 is enabled; convert once, here
        arr = arr.astype({"f": np.float32, "i": np.int32, "u": np.uint32}[arr.dtype.kind])
    return arr


def _init_data(data: Any, allow_empty: bool, default_name: str) -> list[tuple[str, np.ndarray]]:
    if data is None:
        if not allow_empty:
            raise ValueError("NDArrayIter: data must not be None")
        return []
    if not isinstance(data, (list, tuple, Mapping)):
        data = [data]
    if isinstance(data, (list, tuple)):
        if not data and not allow_empty:
            raise ValueError("NDArrayIter: data must not be empty")
        if len(data) == 1:
            data = {default_name: data[0]}
        else:
            data = {f"_{i}_{default_name}": d for i, d in enumerate(data)}
    return sorted((str(k), _to_numpy(v, f"NDArrayIter {k!r}")) for k, v in data.items())


def _nd_array(x: np.ndarray):
    from mxjax._src.nd.creation import array

    return array(x, dtype=x.dtype)


class NDArrayIter(DataIter):
    """Iterates over in-memory arrays in batches (``mx.io.NDArrayIter``).

    Args:
        data: an array, a list of arrays or a dict ``{name: array}`` (NumPy or NDArray).
        label: the same for labels, or None.
        batch_size: examples per batch.
        shuffle: shuffle the examples at every ``reset`` (NumPy's global generator).
        last_batch_handle: ``'pad'`` (fill the last batch from the start; ``pad``
            says how many), ``'discard'`` (drop it) or ``'roll_over'`` (carry the
            remainder into the next epoch).
        data_name, label_name: names of a single data/label array.
        layout: data layout; its ``N`` gives the batch axis.

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> it = mx.io.NDArrayIter(np.arange(10.0).reshape(5, 2), np.arange(5.0), batch_size=2)
        >>> [b.pad for b in it]
        [0, 0, 1]
        >>> it.provide_data
        [DataDesc[data,(2, 2),float32,NCHW]]
    """

    def __init__(
        self,
        data,
        label=None,
        batch_size: int = 1,
        shuffle: bool = False,
        last_batch_handle: str = "pad",
        data_name: str = "data",
        label_name: str = "softmax_label",
        layout: str = "NCHW",
    ):
        super().__init__(batch_size)
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size <= 0
        ):
            raise ValueError(
                f"NDArrayIter: batch_size must be a positive int; received {batch_size!r}"
            )
        if last_batch_handle not in ("pad", "discard", "roll_over"):
            raise ValueError(
                "NDArrayIter: last_batch_handle must be 'pad', 'discard' or 'roll_over'; "
                f"received {last_batch_handle!r}"
            )
        self.data = _init_data(data, False, data_name)
        self.label = _init_data(label, True, label_name)
        self.layout = layout
        self._axis = max(layout.find("N"), 0)
        n = self.data[0][1].shape[self._axis]
        for k, v in self.data + self.label:
            # MXNet takes the example count from the first data array; longer arrays are
            # read by index (their extra examples are never used)
            if v.shape[self._axis] < n:
                raise ValueError(
                    f"NDArrayIter: {k!r} has {v.shape[self._axis]} examples, fewer than the "
                    f"{n} of {self.data[0][0]!r}"
                )
        self.num_data = n
        self.idx = np.arange(n)
        self.shuffle = shuffle
        self.last_batch_handle = last_batch_handle
        self.batch_size = int(batch_size)
        self.cursor = -self.batch_size
        self._cache: tuple | None = None
        self.reset()

    @property
    def provide_data(self) -> list[DataDesc]:
        return [self._desc(k, v) for k, v in self.data]

    @property
    def provide_label(self) -> list[DataDesc]:
        return [self._desc(k, v) for k, v in self.label]

    def _desc(self, k, v):
        shape = list(v.shape)
        shape[self._axis] = self.batch_size
        return DataDesc(k, tuple(shape), v.dtype, layout=self.layout)

    def hard_reset(self) -> None:
        """Starts over, dropping data rolled over from the last epoch."""
        if self.shuffle:
            self._shuffle()
        self.cursor = -self.batch_size
        self._cache = None

    def reset(self) -> None:
        if self.shuffle:
            self._shuffle()
        if (
            self.last_batch_handle == "roll_over"
            and self.num_data - self.batch_size < self.cursor < self.num_data
        ):
            self.cursor = self.cursor - self.num_data - self.batch_size
        else:
            self.cursor = -self.batch_size

    def _shuffle(self) -> None:
        np.random.shuffle(self.idx)
        self.data = [(k, np.take(v, self.idx, axis=self._axis)) for k, v in self.data]
        self.label = [(k, np.take(v, self.idx, axis=self._axis)) for k, v in self.label]
        self.idx = np.arange(self.num_data)

    def iter_next(self) -> bool:
        self.cursor += self.batch_size
        return self.cursor < self.num_data

    def next(self) -> DataBatch:
        if not self.iter_next():
            raise StopIteration
        data = self._batch(self.data)
        label = self._batch(self.label)
        if data[0].shape[self._axis] != self.batch_size:
            self._cache = (data, label)  # roll_over: carried into the next epoch
            raise StopIteration
        return DataBatch(
            data=[_nd_array(d) for d in data],
            label=[_nd_array(x) for x in label],
            pad=self.getpad(),
            index=None,
        )

    def _slice(self, source, start, end):
        if self._axis == 0:
            return [v[start:end] for _, v in source]
        return [np.take(v, np.arange(start, end), axis=self._axis) for _, v in source]

    def _cat(self, a, b):
        return [np.concatenate([x, y], axis=self._axis) for x, y in zip(a, b)]

    def _batch(self, source):
        if not source:
            return []
        bs, n, c = self.batch_size, self.num_data, self.cursor
        if self.last_batch_handle == "roll_over" and -bs < c < 0:
            if self._cache is None:
                raise ValueError("NDArrayIter: roll_over without cached data; call hard_reset()")
            cached = self._cache[0] if source is self.data else self._cache[1]
            return self._cat(cached, self._slice(source, 0, c + bs))
        if self.last_batch_handle == "pad" and c + bs > n:
            pad = c + bs - n
            first = self._slice(source, c, n)
            reps, rem = divmod(pad, n)
            parts = [first] + [self._slice(source, 0, n)] * reps
            if rem:
                parts.append(self._slice(source, 0, rem))
            out = parts[0]
            for p in parts[1:]:
                out = self._cat(out, p)
            return out
        return self._slice(source, c, min(c + bs, n))

    def getdata(self):
        return [_nd_array(d) for d in self._batch(self.data)]

    def getlabel(self):
        return [_nd_array(d) for d in self._batch(self.label)]

    def getpad(self) -> int:
        if self.last_batch_handle == "pad" and self.cursor + self.batch_size > self.num_data:
            return self.cursor + self.batch_size - self.num_data
        if self.last_batch_handle == "roll_over" and -self.batch_size < self.cursor < 0:
            return -self.cursor
        return 0


class ResizeIter(DataIter):
    """Makes an iterator yield exactly ``size`` batches per epoch (``mx.io.ResizeIter``).

    Args:
        data_iter: the iterator to resize.
        size: batches per epoch; the inner iterator restarts when it runs out.
        reset_internal: whether ``reset`` also resets the inner iterator.

    Examples:
        >>> import mxjax as mx
        >>> it = mx.io.ResizeIter(mx.io.NDArrayIter(mx.nd.ones((100, 10)), batch_size=25), 6)
        >>> len(list(it))
        6
    """

    def __init__(self, data_iter: DataIter, size: int, reset_internal: bool = True):
        super().__init__(data_iter.batch_size)
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise ValueError(f"ResizeIter: size must be a positive int; received {size!r}")
        self.data_iter = data_iter
        self.size = size
        self.reset_internal = reset_internal
        self.cur = 0
        self.current_batch = None
        self.provide_data = data_iter.provide_data
        self.provide_label = data_iter.provide_label
        if hasattr(data_iter, "default_bucket_key"):
            self.default_bucket_key = data_iter.default_bucket_key

    def reset(self) -> None:
        self.cur = 0
        if self.reset_internal:
            self.data_iter.reset()

    def iter_next(self) -> bool:
        if self.cur == self.size:
            return False
        try:
            self.current_batch = self.data_iter.next()
        except StopIteration:
            self.data_iter.reset()
            self.current_batch = self.data_iter.next()
        self.cur += 1
        return True

    def getdata(self):
        return self.current_batch.data

    def getlabel(self):
        return self.current_batch.label

    def getindex(self):
        return self.current_batch.index

    def getpad(self) -> int:
        return self.current_batch.pad


_END = object()


class PrefetchingIter(DataIter):
    """Reads batches of one or more iterators in background threads (``mx.io.PrefetchingIter``).

    The batches of several iterators are joined (their data and label lists
    concatenated). An exception in a reader thread is raised by ``next``.

    Args:
        iters: an iterator or a list of them (same number of batches).
        rename_data, rename_label: per iterator, ``{old_name: new_name}``.

    Examples:
        >>> import mxjax as mx
        >>> a = mx.io.NDArrayIter(mx.nd.ones((4, 2)), batch_size=2, data_name="a")
        >>> b = mx.io.NDArrayIter(mx.nd.zeros((4, 3)), batch_size=2, data_name="b")
        >>> it = mx.io.PrefetchingIter([a, b])
        >>> [d.shape for d in next(it).data]
        [(2, 2), (2, 3)]
    """

    def __init__(self, iters: Any, rename_data: Any = None, rename_label: Any = None):
        if not isinstance(iters, list):
            iters = [iters]
        if not iters:
            raise ValueError("PrefetchingIter: give at least one iterator")
        self.iters = iters
        self.n_iter = len(iters)
        self.rename_data = rename_data
        self.rename_label = rename_label
        super().__init__(self.provide_data[0][1][0])
        self.current_batch = None
        self._queues: list[queue.Queue] = []
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._start()

    def _start(self) -> None:
        self._stop.clear()
        self._queues = [queue.Queue(maxsize=1) for _ in self.iters]
        self._threads = []
        for it, q in zip(self.iters, self._queues):
            t = threading.Thread(target=self._worker, args=(it, q), daemon=True)
            t.start()
            self._threads.append(t)

    def _worker(self, it: DataIter, q: queue.Queue) -> None:
        while not self._stop.is_set():
            try:
                item: Any = it.next()
            except StopIteration:
                item = _END
            except BaseException as e:  # surfaced by next()
                item = e
            while not self._stop.is_set():
                try:
                    q.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if item is _END or isinstance(item, BaseException):
                return

    def _rename(self, descs_per_iter, renames):
        out = []
        for i, descs in enumerate(descs_per_iter):
            r = renames[i] if renames is not None else {}
            for d in descs:
                d = d if isinstance(d, DataDesc) else DataDesc(*d)
                out.append(DataDesc(r.get(d.name, d.name), d.shape, d.dtype, d.layout))
        return out

    @property
    def provide_data(self):
        return self._rename([i.provide_data for i in self.iters], self.rename_data)

    @property
    def provide_label(self):
        return self._rename([i.provide_label for i in self.iters], self.rename_label)

    def _shutdown(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=5)

    def reset(self) -> None:
        self._shutdown()
        for it in self.iters:
            it.reset()
        self._start()

    def iter_next(self) -> bool:
        batches = [q.get() for q in self._queues]
        for b in batches:
            if isinstance(b, BaseException):
                raise b
        if batches[0] is _END:
            if any(b is not _END for b in batches):
                raise ValueError(
                    "PrefetchingIter: the iterators yield different numbers of batches"
                )
            for i, q in enumerate(self._queues):  # stay at the end until reset()
                q.put(_END)
                del i
            return False
        if any(b is _END for b in batches):
            raise ValueError("PrefetchingIter: the iterators yield different numbers of batches")
        self.current_batch = DataBatch(
            sum([list(b.data) for b in batches], []),
            sum([list(b.label or []) for b in batches], []),
            batches[0].pad,
            batches[0].index,
            provide_data=self.provide_data,
            provide_label=self.provide_label,
        )
        return True

    def next(self) -> DataBatch:
        if self.iter_next():
            return self.current_batch
        raise StopIteration

    def getdata(self):
        return self.current_batch.data

    def getlabel(self):
        return self.current_batch.label

    def getindex(self):
        return self.current_batch.index

    def getpad(self) -> int:
        return self.current_batch.pad

    def __del__(self):
        try:
            self._shutdown()
        except Exception:
            pass
