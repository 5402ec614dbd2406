"""``mx.io.ImageRecordIter``: batches of decoded, augmented images from a RecordIO file.

The pipeline is MXNet 1.9.1's default one: decode (Pillow, in OpenCV's BGR
order), optionally resize the shorter side to ``resize`` (OpenCV's bilinear
rule), crop ``data_shape`` at the centre (or at random with ``rand_crop``),
mirror at random with ``rand_mirror``, swap to RGB, then
``(pixel - mean) / std * scale``. Decoding runs on ``preprocess_threads``
threads. With ``round_batch`` (the default) the last batch is filled from the
start of the data and ``pad`` counts the filler.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from mxjax._src.io.iterators import DataBatch, DataDesc, DataIter, _nd_array
from mxjax._src.io.recordio import MXIndexedRecordIO, MXRecordIO, decode_image, unpack

__all__ = ["ImageRecordIter"]


def resize_bilinear(img: np.ndarray, height: int, width: int) -> np.ndarray:
    """OpenCV's ``INTER_LINEAR`` resize (half-pixel centres, edge clamping) of an HWC uint8 image."""
    h, w = img.shape[:2]

    def coords(n_out, n_in):
        x = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
        x = np.clip(x, 0, None)
        x0 = np.minimum(np.floor(x).astype(np.int64), n_in - 1)
        x1 = np.minimum(x0 + 1, n_in - 1)
        return x0, x1, (x - x0).astype(np.float32)

    y0, y1, fy = coords(height, h)
    x0, x1, fx = coords(width, w)
    src = img.astype(np.float32)
    top = src[y0][:, x0] * (1 - fx)[None, :, None] + src[y0][:, x1] * fx[None, :, None]
    bot = src[y1][:, x0] * (1 - fx)[None, :, None] + src[y1][:, x1] * fx[None, :, None]
    out = top * (1 - fy)[:, None, None] + bot * fy[:, None, None]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _scan_offsets(path: str) -> list[int]:
    rec = MXRecordIO(path, "r")
    offsets = []
    try:
        while True:
            pos = rec.tell()
            if rec.read() is None:
                break
            offsets.append(pos)
    finally:
        rec.close()
    return offsets


class ImageRecordIter(DataIter):
    """Iterates over images in a RecordIO file (``mx.io.ImageRecordIter``).

    Args:
        path_imgrec: the ``.rec`` file (image records from ``pack_img``/``im2rec``).
        data_shape: ``(channels, height, width)`` of the output images (channels 1 or 3).
        batch_size: images per batch.
        path_imgidx: the ``.idx`` file (optional; the records are scanned otherwise).
        shuffle: shuffle the records every epoch (NumPy's generator seeded with ``seed``).
        label_width: labels per image.
        mean_r, mean_g, mean_b, std_r, std_g, std_b: per-channel normalization.
        scale: multiplier applied after normalization.
        rand_crop, rand_mirror: random crop position and horizontal flip.
        resize: resize the shorter side to this size first (-1: no resize).
        round_batch: fill the last batch from the start (``pad`` says how many).
        preprocess_threads: decoding threads.
        data_name, label_name: names of the data and label.
        seed: random seed of shuffling and augmentation.
        num_parts, part_index: read only part ``part_index`` of ``num_parts``.

    Raises:
        RecordIOError: a corrupt file (naming the file and offset).

    Examples:
        >>> import os, tempfile, numpy as np, mxjax as mx
        >>> f = os.path.join(tempfile.mkdtemp(), "x.rec")
        >>> w = mx.recordio.MXRecordIO(f, "w")
        >>> for i in range(3):
        ...     img = np.full((6, 6, 3), 10 * i, np.uint8)
        ...     w.write(mx.recordio.pack_img(mx.recordio.IRHeader(0, i, i, 0), img, img_fmt=".png"))
        >>> w.close()
        >>> it = mx.io.ImageRecordIter(path_imgrec=f, data_shape=(3, 4, 4), batch_size=2)
        >>> [(b.data[0].shape, b.label[0].asnumpy().tolist(), b.pad) for b in it]
        [((2, 3, 4, 4), [0.0, 1.0], 0), ((2, 3, 4, 4), [2.0, 0.0], 1)]
    """

    def __init__(
        self,
        path_imgrec: str,
        data_shape: Any,
        batch_size: int,
        path_imgidx: str | None = None,
        shuffle: bool = False,
        label_width: int = 1,
        mean_r: float = 0.0,
        mean_g: float = 0.0,
        mean_b: float = 0.0,
        std_r: float = 1.0,
        std_g: float = 1.0,
        std_b: float = 1.0,
        scale: float = 1.0,
        rand_crop: bool = False,
        rand_mirror: bool = False,
        resize: int = -1,
        round_batch: bool = True,
        preprocess_threads: int = 4,
        data_name: str = "data",
        label_name: str = "softmax_label",
        seed: int = 0,
        num_parts: int = 1,
        part_index: int = 0,
        dtype: str = "float32",
        **kwargs: Any,
    ):
        super().__init__(batch_size)
        del kwargs  # prefetch_buffer, ctx, inter_method ...: accepted
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(
                f"ImageRecordIter: batch_size must be a positive int; received {batch_size!r}"
            )
        shape = tuple(int(d) for d in data_shape)
        if len(shape) != 3 or shape[0] not in (1, 3) or min(shape) <= 0:
            raise ValueError(
                f"ImageRecordIter: data_shape must be (channels 1 or 3, height, width); "
                f"received {data_shape!r}"
            )
        if not os.path.exists(path_imgrec):
            raise FileNotFoundError(f"ImageRecordIter: {path_imgrec!r} does not exist")
        self.path_imgrec = path_imgrec
        self.data_shape = shape
        self.label_width = int(label_width)
        self.shuffle = shuffle
        self.rand_crop, self.rand_mirror = rand_crop, rand_mirror
        self.resize = int(resize)
        self.round_batch = round_batch
        self._mean = np.array([mean_r, mean_g, mean_b], np.float32)[: shape[0]]
        self._std = np.array([std_r, std_g, std_b], np.float32)[: shape[0]]
        self._scale = float(scale)
        self._dtype = np.dtype(dtype)
        self._data_name, self._label_name = data_name, label_name
        self._rng = np.random.RandomState(seed)
        if path_imgidx:
            idx = MXIndexedRecordIO(path_imgidx, path_imgrec, "r")
            offsets = [idx.idx[k] for k in idx.keys]
            idx.close()
        else:
            offsets = _scan_offsets(path_imgrec)
        n = len(offsets) // num_parts
        self._offsets = offsets[part_index * n : (part_index + 1) * n]
        if not self._offsets:
            raise ValueError(f"ImageRecordIter: {path_imgrec!r} holds no records")
        self._pool = ThreadPoolExecutor(max(int(preprocess_threads), 1))
        self._order: np.ndarray = np.arange(0)
        self._start = 0
        self._cur: DataBatch | None = None
        self.reset()

    @property
    def provide_data(self):
        return [DataDesc(self._data_name, (self.batch_size, *self.data_shape), self._dtype)]

    @property
    def provide_label(self):
        shape = (self.batch_size,) if self.label_width == 1 else (self.batch_size, self.label_width)
        return [DataDesc(self._label_name, shape, np.float32)]

    def reset(self) -> None:
        self._order = np.arange(len(self._offsets))
        if self.shuffle:
            self._rng.shuffle(self._order)
        self._pos = self._start
        self._start = 0

    def _read(self, offset: int) -> bytes:
        rec = MXRecordIO(self.path_imgrec, "r")
        try:
            rec._f.seek(offset)
            buf = rec.read()
        finally:
            rec.close()
        if buf is None:
            raise ValueError(
                f"ImageRecordIter: no record at offset {offset} of {self.path_imgrec!r}"
            )
        return buf

    def _process(self, offset: int, crop_seed: int):
        header, payload = unpack(self._read(offset))
        c, h, w = self.data_shape
        img = decode_image(payload, 1 if c == 3 else 0)
        if img.ndim == 2:
            img = img[:, :, None]
        if self.resize > 0:
            rows, cols = img.shape[:2]
            if rows > cols:
                nh, nw = self.resize * rows // cols, self.resize
            else:
                nh, nw = self.resize, self.resize * cols // rows
            img = resize_bilinear(img, nh, nw)
        rows, cols = img.shape[:2]
        if rows < h or cols < w:
            raise ValueError(
                f"ImageRecordIter: record at offset {offset} has an image of {rows}x{cols}, "
                f"smaller than data_shape {self.data_shape}; set resize="
            )
        rng = np.random.RandomState(crop_seed)
        if self.rand_crop:
            y, x = rng.randint(0, rows - h + 1), rng.randint(0, cols - w + 1)
        else:
            y, x = (rows - h) // 2, (cols - w) // 2
        img = img[y : y + h, x : x + w]
        if self.rand_mirror and rng.randint(2):
            img = img[:, ::-1]
        if c == 3:
            img = img[:, :, ::-1]  # BGR -> RGB, as MXNet's iterator outputs
        out = (img.astype(np.float32) - self._mean) / self._std * self._scale
        label = header.label
        lab = np.zeros(self.label_width, np.float32)
        flat = np.atleast_1d(np.asarray(label, np.float32))
        lab[: min(len(flat), self.label_width)] = flat[: self.label_width]
        return out.transpose(2, 0, 1), lab

    def iter_next(self) -> bool:
        n, bs = len(self._order), self.batch_size
        if self._pos >= n:
            return False
        idx = list(range(self._pos, min(self._pos + bs, n)))
        self._pos += len(idx)
        pad = bs - len(idx)
        if pad and self.round_batch:
            fill = [i % n for i in range(pad)]
            idx += fill
            self._start = pad % n
        seeds = self._rng.randint(0, 2**31 - 1, size=len(idx))
        results = list(
            self._pool.map(self._process, [self._offsets[self._order[i]] for i in idx], seeds)
        )
        data = np.zeros((bs, *self.data_shape), self._dtype)
        label = np.zeros((bs, self.label_width), np.float32)
        for i, (x, y) in enumerate(results):
            data[i], label[i] = x, y
        if self.label_width == 1:
            label = label[:, 0]
        self._cur = DataBatch([_nd_array(data)], [_nd_array(label)], pad=pad)
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

    def __del__(self):
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=False)
