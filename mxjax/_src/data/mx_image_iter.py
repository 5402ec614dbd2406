"""MXNet's ``mx.image.ImageIter``: batches of augmented images from RecordIO or image lists."""

from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np

from mxjax._src.data import mx_image as mxi
from mxjax._src.data.batchify import to_numpy
from mxjax._src.data.mx_augment import Augmenter, CreateAugmenter, SequentialAug
from mxjax._src.data.rng import get_rng
from mxjax._src.io.iterators import DataBatch, DataDesc, DataIter
from mxjax._src.io.recordio import MXIndexedRecordIO, MXRecordIO, unpack

__all__ = ["ImageIter"]

_log = logging.getLogger("mxjax.image")
_LABEL_DTYPES = ("int32", "float32", "int64", "float64")
_LAST = ("pad", "discard", "roll_over")


class ImageIter(DataIter):
    """Image data iterator with MXNet's augmenters (``mx.image.ImageIter``, MXNet 1.9.1).

    Reads images from a RecordIO file (``path_imgrec``, with ``path_imgidx`` for
    shuffling and partitioning), from an image list file (``path_imglist``: lines
    ``index<TAB>label(s)<TAB>path`` relative to ``path_root``) or from a Python
    ``imglist`` of ``[label(s), path]``. Each image is decoded to HWC RGB, passed
    through ``aug_list`` (default ``CreateAugmenter(data_shape, **kwargs)``), and
    transposed to CHW. Batches are ``DataBatch([data], [label], pad=...)`` of
    NDArrays; ``last_batch_handle`` is ``'pad'`` (fill from the start),
    ``'discard'`` or ``'roll_over'`` (the short batch starts the next epoch).
    Shuffling draws from :func:`mxjax.data.get_rng`.

    Args:
        batch_size: examples per batch.
        data_shape: ``(3, height, width)``.
        label_width: labels per example.
        path_imgrec: the ``.rec`` file.
        path_imglist: the ``.lst`` file.
        path_root: folder the image paths are relative to.
        path_imgidx: the ``.idx`` file of ``path_imgrec``.
        shuffle: shuffle at every reset (needs an index or a list).
        part_index: this worker's part.
        num_parts: number of parts the data is split into.
        aug_list: the augmenters; default from ``kwargs``.
        imglist: ``[[label(s), path], ...]``.
        data_name: name in ``provide_data``.
        label_name: name in ``provide_label``.
        dtype: label dtype, one of int32, float32, int64, float64.
        last_batch_handle: ``'pad'``, ``'discard'`` or ``'roll_over'``.
        **kwargs: arguments of :func:`CreateAugmenter`.

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from PIL import Image
        >>> import mxjax as mx
        >>> root = tempfile.mkdtemp()
        >>> for i in range(3):
        ...     Image.fromarray(np.full((6, 8, 3), 40 * i, np.uint8)).save(os.path.join(root, f"{i}.png"))
        >>> it = mx.image.ImageIter(2, (3, 4, 4), imglist=[[i, f"{i}.png"] for i in range(3)],
        ...                         path_root=root)
        >>> batch = it.next()
        >>> batch.data[0].shape, batch.label[0].asnumpy().tolist(), batch.pad
        ((2, 3, 4, 4), [0.0, 1.0], 0)
        >>> it.next().pad
        1
    """

    def __init__(
        self,
        batch_size: int,
        data_shape: tuple,
        label_width: int = 1,
        path_imgrec: str | None = None,
        path_imglist: str | None = None,
        path_root: str | None = None,
        path_imgidx: str | None = None,
        shuffle: bool = False,
        part_index: int = 0,
        num_parts: int = 1,
        aug_list: list | None = None,
        imglist: list | None = None,
        data_name: str = "data",
        label_name: str = "softmax_label",
        dtype: str = "float32",
        last_batch_handle: str = "pad",
        **kwargs: Any,
    ):
        super().__init__(batch_size)
        if not (path_imgrec or path_imglist or isinstance(imglist, list)):
            raise ValueError("ImageIter: give path_imgrec, path_imglist or imglist")
        if dtype not in _LABEL_DTYPES:
            raise ValueError(f"ImageIter: dtype must be one of {_LABEL_DTYPES}, received {dtype!r}")
        if last_batch_handle not in _LAST:
            raise ValueError(
                f"ImageIter: last_batch_handle must be one of {_LAST}, received "
                f"{last_batch_handle!r}"
            )
        self.check_data_shape(data_shape)
        self.imgrec: Any = None
        self.imgidx = None
        if path_imgrec:
            if path_imgidx:
                self.imgrec = MXIndexedRecordIO(path_imgidx, path_imgrec, "r")
                self.imgidx = list(self.imgrec.keys)
            else:
                self.imgrec = MXRecordIO(path_imgrec, "r")
        keys: list = []
        self.imglist: dict | None = None
        if path_imglist:
            self.imglist = {}
            with open(path_imglist) as f:
                for line in f:
                    fields = line.strip().split("\t")
                    if len(fields) < 3:
                        continue
                    key = int(fields[0])
                    self.imglist[key] = (np.array(fields[1:-1], dtype=dtype), fields[-1])
                    keys.append(key)
        elif isinstance(imglist, list):
            self.imglist = {}
            for index, item in enumerate(imglist, 1):
                if len(item) > 2:
                    label = np.array(item[:-1], dtype=dtype)
                else:
                    label = np.array(item[0], dtype=dtype).reshape(-1)
                self.imglist[str(index)] = (label, item[-1])
                keys.append(str(index))
        self.path_root = path_root
        self.data_shape = tuple(data_shape)
        self.label_width = label_width
        self.dtype = dtype
        self.provide_data = [DataDesc(data_name, (batch_size, *self.data_shape))]
        label_shape = (batch_size, label_width) if label_width > 1 else (batch_size,)
        self.provide_label = [DataDesc(label_name, label_shape)]
        self.shuffle = shuffle
        if self.imgrec is None:
            self.seq: list | None = keys
        elif shuffle or num_parts > 1 or path_imgidx:
            if self.imgidx is None:
                raise ValueError("ImageIter: shuffle and num_parts > 1 need path_imgidx")
            self.seq = self.imgidx
        else:
            self.seq = None
        if num_parts > 1:
            if not 0 <= part_index < num_parts:
                raise ValueError(
                    f"ImageIter: part_index must be in [0, {num_parts}), received {part_index}"
                )
            n = len(self.seq) // num_parts
            self.seq = self.seq[part_index * n : (part_index + 1) * n]
        self.auglist = CreateAugmenter(data_shape, **kwargs) if aug_list is None else aug_list
        self.last_batch_handle = last_batch_handle
        self.num_image = len(self.seq) if self.seq is not None else None
        self.cur = 0
        self._allow_read = True
        self._cache: tuple | None = None
        self.reset()

    # -- epochs ---------------------------------------------------------------
    def reset(self) -> None:
        """Starts a new epoch (keeping a rolled-over partial batch)."""
        if self.seq is not None and self.shuffle:
            get_rng().shuffle(self.seq)
        if self.last_batch_handle != "roll_over" or self._cache is None:
            if self.imgrec is not None:
                self.imgrec.reset()
            self.cur = 0
            self._allow_read = True

    def hard_reset(self) -> None:
        """Starts a new epoch and drops a rolled-over partial batch."""
        self._cache = None
        self.reset()

    # -- reading --------------------------------------------------------------
    def next_sample(self) -> tuple[Any, bytes]:
        """The next ``(label, encoded image)``; StopIteration at the end of the data."""
        if not self._allow_read:
            raise StopIteration
        if self.seq is None:
            s = self.imgrec.read()
            if s is None:
                if self.last_batch_handle != "discard":
                    self.imgrec.reset()
                raise StopIteration
            header, img = unpack(s)
            return header.label, img
        if self.cur >= self.num_image:
            if self.last_batch_handle != "discard":
                self.cur = 0
            raise StopIteration
        idx = self.seq[self.cur]
        self.cur += 1
        if self.imgrec is not None:
            header, img = unpack(self.imgrec.read_idx(idx))
            return (header.label if self.imglist is None else self.imglist[idx][0]), img
        label, fname = self.imglist[idx]
        return label, self.read_image(fname)

    def read_image(self, fname: str) -> bytes:
        """The bytes of the image file ``fname`` (relative to ``path_root``)."""
        with open(os.path.join(self.path_root or "", fname), "rb") as f:
            return f.read()

    def imdecode(self, s: bytes) -> Any:
        """Decodes one image (HWC RGB NDArray); a broken image raises RuntimeError."""
        try:
            return mxi.imdecode(s)
        except Exception as e:
            where = self.seq[(self.cur - 1) % self.num_image] if self.seq else self.cur - 1
            if self.imglist is not None and where in self.imglist:
                where = self.imglist[where][1]
            raise RuntimeError(f"ImageIter: broken image {where}: {e}") from None

    def check_data_shape(self, data_shape: tuple) -> None:
        """Checks ``data_shape`` is ``(3, height, width)``."""
        if len(data_shape) != 3:
            raise ValueError(f"ImageIter: data_shape must be (C, H, W), received {data_shape}")
        if data_shape[0] != 3:
            raise ValueError(f"ImageIter: expects 3 channels, received data_shape {data_shape}")

    def check_valid_image(self, data: Any) -> None:
        """Raises RuntimeError for an empty image (it is then skipped)."""
        if len(data[0].shape) == 0:
            raise RuntimeError("Data shape is wrong")

    def augmentation_transform(self, data: Any) -> Any:
        """Applies the augmenters in order."""
        if all(isinstance(a, Augmenter) for a in self.auglist):
            return SequentialAug(self.auglist)(data)  # one NumPy pass through the chain
        for aug in self.auglist:
            data = aug(data)
        return data

    def postprocess_data(self, datum: Any) -> Any:
        """HWC to CHW before the image enters the batch."""
        return datum.transpose((2, 0, 1))

    # -- batches --------------------------------------------------------------
    def _fill(self, data: np.ndarray, label: np.ndarray, start: int = 0) -> int:
        i = start
        try:
            while i < self.batch_size:
                lab, s = self.next_sample()
                img = self.imdecode(s)
                try:
                    self.check_valid_image(img)
                except RuntimeError as e:
                    _log.debug("Invalid image, skipping: %s", e)
                    continue
                out = to_numpy(self.postprocess_data(self.augmentation_transform(img)))
                if out.shape != self.data_shape:
                    raise ValueError(
                        f"ImageIter: the augmenters produced shape {out.shape}, expected "
                        f"{self.data_shape} (data_shape)"
                    )
                data[i] = out
                lab, shape = np.asarray(lab, label.dtype), label.shape[1:]
                same = lab.size == int(np.prod(shape))
                label[i] = lab.reshape(shape) if same else np.broadcast_to(lab, shape)
                i += 1
        except StopIteration:
            if not i:
                raise
        return i

    def next(self) -> DataBatch:
        """The next ``DataBatch``; StopIteration at the end of an epoch."""
        if self._cache is not None:
            data, label, i = self._cache
        else:
            data = np.zeros((self.batch_size, *self.data_shape), np.float32)
            label = np.zeros(self.provide_label[0].shape, self.dtype)
            i = self._fill(data, label)
        pad = self.batch_size - i
        if pad:
            if self.last_batch_handle == "discard":
                raise StopIteration
            if self.last_batch_handle == "roll_over" and self._cache is None:
                self._cache = (data, label, i)
                raise StopIteration
            self._fill(data, label, i)
            if self.last_batch_handle == "pad":
                self._allow_read = False
            else:
                self._cache = None
        return DataBatch([mxi._nd(data)], [mxi._nd(label)], pad=pad)
