"""File-backed MXNet iterators: ``CSVIter`` and ``MNISTIter`` (MXNet 1.9.1's batching rules)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from mxjax._src.io.iterators import DataBatch, DataDesc, DataIter, _nd_array

__all__ = ["CSVIter", "MNISTIter"]


def _read_csv(path: str, shape: tuple, what: str, dtype: Any) -> np.ndarray:
    if not os.path.exists(path):
        raise FileNotFoundError(f"CSVIter: {what} file {path!r} does not exist")
    rows = []
    size = int(np.prod(shape))
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = [float(v) for v in line.split(",")]
            except ValueError:
                raise ValueError(f"CSVIter: {path!r} line {lineno}: not a row of numbers") from None
            if len(row) != size:
                raise ValueError(
                    f"CSVIter: {path!r} line {lineno} has {len(row)} values; {what}_shape "
                    f"{tuple(shape)} needs {size}"
                )
            rows.append(row)
    return np.asarray(rows, dtype=dtype).reshape((len(rows), *shape))


class _BatchLoader(DataIter):
    """MXNet's C++ batch loader over in-memory examples.

    ``round_batch=True`` fills the last batch from the start and the next epoch
    starts after the examples used to fill it; ``False`` leaves the previous
    batch's rows in the padding.
    """

    def __init__(self, data, label, batch_size, round_batch, data_name, label_name):
        super().__init__(batch_size)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive int; received {batch_size!r}")
        self._x, self._y = data, label
        self._round = round_batch
        self._start = 0
        self._pos = 0
        self._prev: tuple | None = None
        self._cur: DataBatch | None = None
        self._data_name, self._label_name = data_name, label_name
        self.reset()

    @property
    def provide_data(self):
        return [DataDesc(self._data_name, (self.batch_size, *self._x.shape[1:]), self._x.dtype)]

    @property
    def provide_label(self):
        return [DataDesc(self._label_name, (self.batch_size, *self._y.shape[1:]), self._y.dtype)]

    def reset(self) -> None:
        self._pos = self._start
        self._start = 0

    def iter_next(self) -> bool:
        n, bs = len(self._x), self.batch_size
        if self._pos >= n:
            return False
        idx = np.arange(self._pos, min(self._pos + bs, n))
        pad = bs - len(idx)
        self._pos += len(idx)
        x, y = self._x[idx], self._y[idx]
        if pad:
            if self._round:
                fill = np.arange(pad) % n
                x = np.concatenate([x, self._x[fill]])
                y = np.concatenate([y, self._y[fill]])
                self._start = pad % n
            else:
                px, py = (
                    self._prev
                    if self._prev is not None
                    else (np.zeros_like(self._x[:bs]), np.zeros_like(self._y[:bs]))
                )
                x = np.concatenate([x, px[len(idx) :]])
                y = np.concatenate([y, py[len(idx) :]])
        self._prev = (x, y)
        self._cur = DataBatch([_nd_array(x)], [_nd_array(y)], pad=pad)
        return True

    def next(self) -> DataBatch:
        if self.iter_next():
            return self._cur
        raise StopIteration

    def getdata(self):
        return self._cur.data

    def getlabel(self):
        return self._cur.label

    def getpad(self) -> int:
        return self._cur.pad


class CSVIter(_BatchLoader):
    """Batches from CSV files, one example per row (``mx.io.CSVIter``).

    Args:
        data_csv: path of the data CSV.
        data_shape: shape of one example (the row is reshaped to it).
        label_csv: path of the label CSV, or None for zero labels.
        label_shape: shape of one label; ``(1,)`` gives labels of shape ``(batch,)``.
        batch_size: examples per batch.
        round_batch: fill the last batch from the start (MXNet's default) instead of
            leaving the previous batch's rows in the padding.
        dtype: ``'float32'``, ``'int32'`` or ``'int64'``.

    Examples:
        >>> import os, pathlib, tempfile, mxjax as mx
        >>> f = os.path.join(tempfile.mkdtemp(), "d.csv")
        >>> _ = pathlib.Path(f).write_text("1,2\\n3,4\\n5,6\\n")
        >>> it = mx.io.CSVIter(data_csv=f, data_shape=(2,), batch_size=2)
        >>> [(b.data[0].asnumpy().tolist(), b.pad) for b in it]
        [([[1.0, 2.0], [3.0, 4.0]], 0), ([[5.0, 6.0], [1.0, 2.0]], 1)]
    """

    def __init__(
        self,
        data_csv: str,
        data_shape: Any,
        label_csv: str | None = None,
        label_shape: Any = (1,),
        batch_size: int = 1,
        round_batch: bool = True,
        prefetch_buffer: int = 4,
        ctx: str = "gpu",
        dtype: str = "float32",
        data_name: str = "data",
        label_name: str = "softmax_label",
        **kwargs: Any,
    ):
        del prefetch_buffer, ctx, kwargs
        if dtype not in ("float32", "int32", "int64"):
            raise ValueError(f"CSVIter: dtype must be float32, int32 or int64; received {dtype!r}")
        np_dtype = np.dtype("int32" if dtype == "int64" else dtype)
        data_shape = tuple(int(d) for d in data_shape)
        label_shape = tuple(int(d) for d in label_shape)
        x = _read_csv(data_csv, data_shape, "data", np_dtype)
        if label_csv is not None:
            y = _read_csv(label_csv, label_shape, "label", np_dtype)
            if len(y) != len(x):
                raise ValueError(
                    f"CSVIter: {data_csv!r} has {len(x)} rows but {label_csv!r} has {len(y)}"
                )
        else:
            y = np.zeros((len(x), *label_shape), np_dtype)
        if label_shape == (1,):
            y = y.reshape(len(y))
        super().__init__(x, y, batch_size, round_batch, data_name, label_name)


class MNISTIter(_BatchLoader):
    """Batches of MNIST from its IDX files (``mx.io.MNISTIter``).

    Images are scaled by 1/256 as MXNet does and shaped ``(batch, 1, 28, 28)``
    (``flat=True``: ``(batch, 784)``); labels are float32 ``(batch,)``. The
    last incomplete batch is dropped. Shuffling (the default) uses NumPy's
    generator seeded with ``seed``, so the order differs from MXNet's.
    Gzipped files are read too.

    Examples:
        >>> import os, mxjax as mx
        >>> from mxjax.data import embedded_mnist_root
        >>> r = embedded_mnist_root()
        >>> it = mx.io.MNISTIter(image=os.path.join(r, "t10k-images-idx3-ubyte.gz"),
        ...                      label=os.path.join(r, "t10k-labels-idx1-ubyte.gz"),
        ...                      batch_size=300, shuffle=False)
        >>> [b.data[0].shape for b in it]
        [(300, 1, 28, 28), (300, 1, 28, 28), (300, 1, 28, 28)]
    """

    def __init__(
        self,
        image: str = "./train-images-idx3-ubyte",
        label: str = "./train-labels-idx1-ubyte",
        batch_size: int = 128,
        shuffle: bool = True,
        flat: bool = False,
        seed: int = 0,
        silent: bool = False,
        num_parts: int = 1,
        part_index: int = 0,
        data_name: str = "data",
        label_name: str = "softmax_label",
        **kwargs: Any,
    ):
        from mxjax._src.data.idx import read_idx

        del silent, kwargs
        for path in (image, label):
            if not os.path.exists(path):
                raise FileNotFoundError(f"MNISTIter: {path!r} does not exist")
        x = read_idx(image).astype(np.float32) / 256.0
        y = read_idx(label).astype(np.float32)
        if len(x) != len(y):
            raise ValueError(
                f"MNISTIter: {image!r} has {len(x)} images but {label!r} {len(y)} labels"
            )
        n = len(x) // num_parts
        x, y = x[part_index * n : (part_index + 1) * n], y[part_index * n : (part_index + 1) * n]
        if shuffle:
            perm = np.random.RandomState(seed).permutation(len(x))
            x, y = x[perm], y[perm]
        keep = (len(x) // batch_size) * batch_size
        x, y = x[:keep], y[:keep]
        x = x.reshape(len(x), -1) if flat else x.reshape(len(x), 1, *x.shape[1:])
        super().__init__(x, y, batch_size, True, data_name, label_name)
