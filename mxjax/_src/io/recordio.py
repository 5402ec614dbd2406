"""MXNet's RecordIO files (``mx.recordio``): ``.rec`` records, ``.idx`` indices, image records.

Record layout (dmlc-core): ``uint32 magic 0xced7230a``, ``uint32 lrec`` (upper
3 bits: continuation flag, lower 29: length), the payload, zero padding to 4
bytes. A payload containing the magic number at an aligned offset is split
there (flags 1/2/3) and rejoined on reading, exactly as MXNet's writer does.
Image records start with an ``IRHeader`` (``flag, label, id, id2``; a label
vector follows when ``flag > 0``). Images are encoded with Pillow in OpenCV's
channel order (BGR), so files interoperate with MXNet's ``pack_img``/
``unpack_img``.
"""

from __future__ import annotations

import io as _io
import os
import struct
from collections import namedtuple
from typing import Any

import numpy as np

from mxjax._src.errors import MXJaxError

__all__ = [
    "IRHeader",
    "MXIndexedRecordIO",
    "MXRecordIO",
    "RecordIOError",
    "pack",
    "pack_img",
    "unpack",
    "unpack_img",
]

_MAGIC = 0xCED7230A
_MAGIC_BYTES = struct.pack("<I", _MAGIC)
_LEN_MASK = (1 << 29) - 1


class RecordIOError(MXJaxError, ValueError):
    """A ``.rec`` or ``.idx`` file is corrupt or truncated (names the file and offset).

    Examples:
        >>> import mxjax as mx
        >>> issubclass(mx.recordio.RecordIOError, ValueError)
        True
    """


class MXRecordIO:
    """Sequential reader/writer of a RecordIO file (``mx.recordio.MXRecordIO``).

    Args:
        uri: path of the ``.rec`` file.
        flag: ``'r'`` to read, ``'w'`` to write.

    Examples:
        >>> import os, tempfile, mxjax as mx
        >>> f = os.path.join(tempfile.mkdtemp(), "a.rec")
        >>> w = mx.recordio.MXRecordIO(f, "w")
        >>> for s in (b"abc", b"defgh"):
        ...     w.write(s)
        >>> w.close()
        >>> r = mx.recordio.MXRecordIO(f, "r")
        >>> r.read(), r.read(), r.read()
        (b'abc', b'defgh', None)
    """

    def __init__(self, uri: str, flag: str):
        if flag not in ("r", "w"):
            raise ValueError(f"MXRecordIO: flag must be 'r' or 'w'; received {flag!r}")
        self.uri = os.fspath(uri)
        self.flag = flag
        self.is_open = False
        self._f: Any = None
        self.open()

    def open(self) -> None:
        """Opens the file (truncating it for ``'w'``)."""
        self._f = open(self.uri, "rb" if self.flag == "r" else "wb")  # noqa: SIM115
        self.writable = self.flag == "w"
        self.is_open = True

    def close(self) -> None:
        """Closes the file."""
        if self.is_open:
            self._f.close()
            self.is_open = False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __getstate__(self):
        raise TypeError("MXRecordIO objects cannot be pickled; reopen the file instead")

    def reset(self) -> None:
        """Moves back to the start (reopens the file; a writer starts over)."""
        self.close()
        self.open()

    def tell(self) -> int:
        """The current byte offset."""
        return self._f.tell()

    def _check_open(self, writing: bool) -> None:
        if not self.is_open:
            raise ValueError(f"MXRecordIO: {self.uri!r} is closed")
        if writing != self.writable:
            raise ValueError(
                f"MXRecordIO: {self.uri!r} was opened with flag {self.flag!r}; cannot "
                f"{'write' if writing else 'read'}"
            )

    def write(self, buf: bytes) -> None:
        """Appends one record."""
        self._check_open(True)
        if not isinstance(buf, (bytes, bytearray, memoryview)):
            raise TypeError(f"MXRecordIO.write: expected bytes; received {type(buf).__name__}")
        buf = bytes(buf)
        n = len(buf)
        if n >= 1 << 29:
            raise ValueError(f"MXRecordIO.write: a record must be < 512 MiB; received {n} bytes")
        out = []
        start = 0
        for i in range(0, (n >> 2) << 2, 4):
            if buf[i : i + 4] == _MAGIC_BYTES:  # split at an embedded magic number
                out.append(
                    struct.pack("<II", _MAGIC, ((1 if start == 0 else 2) << 29) | (i - start))
                )
                out.append(buf[start:i])
                start = i + 4
        out.append(struct.pack("<II", _MAGIC, ((3 if start else 0) << 29) | (n - start)))
        out.append(buf[start:])
        out.append(b"\0" * (-n % 4))
        self._f.write(b"".join(out))

    def _fail(self, offset: int, why: str) -> RecordIOError:
        return RecordIOError(
            f"RecordIO file {self.uri!r} is corrupt at byte offset {offset}: {why}"
        )

    def read(self) -> bytes | None:
        """Reads the next record; None at the end of the file.

        Raises:
            RecordIOError: a bad magic number or a truncated record, naming the offset.
        """
        self._check_open(False)
        parts: list[bytes] = []
        while True:
            offset = self._f.tell()
            head = self._f.read(8)
            if not head:
                if parts:
                    raise self._fail(offset, "the file ends inside a multi-part record")
                return None
            if len(head) < 8:
                raise self._fail(offset, f"truncated record header ({len(head)} of 8 bytes)")
            magic, lrec = struct.unpack("<II", head)
            if magic != _MAGIC:
                raise self._fail(offset, f"expected magic 0xced7230a, found {magic:#010x}")
            cflag, length = lrec >> 29, lrec & _LEN_MASK
            padded = (length + 3) & ~3
            data = self._f.read(padded)
            if len(data) < length:
                raise self._fail(
                    offset, f"truncated record: header says {length} bytes, {len(data)} remain"
                )
            parts.append(data[:length])
            if cflag == 0:
                if len(parts) > 1:
                    raise self._fail(offset, "a complete record inside a multi-part record")
                return parts[0]
            if cflag == 3:
                return _MAGIC_BYTES.join(parts)
            if cflag == 1 and len(parts) > 1:
                raise self._fail(offset, "a record start inside a multi-part record")
            if cflag not in (1, 2):
                raise self._fail(offset, f"unknown continuation flag {cflag}")


class MXIndexedRecordIO(MXRecordIO):
    """RecordIO with random access through an ``.idx`` file (``key\\toffset`` lines).

    Args:
        idx_path: path of the index file.
        uri: path of the ``.rec`` file.
        flag: ``'r'`` or ``'w'`` (the index is written on ``close``).
        key_type: type of the keys (int by default).

    Examples:
        >>> import os, tempfile, mxjax as mx
        >>> d = tempfile.mkdtemp()
        >>> w = mx.recordio.MXIndexedRecordIO(os.path.join(d, "a.idx"), os.path.join(d, "a.rec"), "w")
        >>> for i in range(3):
        ...     w.write_idx(i, b"record %d" % i)
        >>> w.close()
        >>> r = mx.recordio.MXIndexedRecordIO(os.path.join(d, "a.idx"), os.path.join(d, "a.rec"), "r")
        >>> r.keys, r.read_idx(2)
        ([0, 1, 2], b'record 2')
    """

    def __init__(self, idx_path: str, uri: str, flag: str, key_type: type = int):
        self.idx_path = os.fspath(idx_path)
        self.idx: dict = {}
        self.keys: list = []
        self.key_type = key_type
        self._fidx: Any = None
        super().__init__(uri, flag)

    def open(self) -> None:
        super().open()
        self.idx = {}
        self.keys = []
        if self.flag == "w":
            self._fidx = open(self.idx_path, "w")  # noqa: SIM115
            return
        if not os.path.exists(self.idx_path):
            raise FileNotFoundError(
                f"MXIndexedRecordIO: index file {self.idx_path!r} does not exist"
            )
        size = os.path.getsize(self.uri)
        with open(self.idx_path) as f:
            for lineno, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                fields = line.split("\t")
                try:
                    key, pos = self.key_type(fields[0]), int(fields[1])
                except (ValueError, IndexError):
                    raise RecordIOError(
                        f"index file {self.idx_path!r} line {lineno}: expected 'key<TAB>offset'; "
                        f"found {line!r}"
                    ) from None
                if not 0 <= pos < max(size, 1):
                    raise RecordIOError(
                        f"index file {self.idx_path!r} line {lineno}: offset {pos} is outside "
                        f"{self.uri!r} ({size} bytes)"
                    )
                self.idx[key] = pos
                self.keys.append(key)

    def close(self) -> None:
        if self.is_open and self.flag == "w" and self._fidx is not None:
            self._fidx.close()
            self._fidx = None
        super().close()

    def seek(self, idx: Any) -> None:
        """Moves to the record with key ``idx``."""
        if idx not in self.idx:
            raise KeyError(f"MXIndexedRecordIO: key {idx!r} is not in {self.idx_path!r}")
        self._f.seek(self.idx[idx])

    def read_idx(self, idx: Any) -> bytes:
        """Reads the record with key ``idx``."""
        self.seek(idx)
        out = self.read()
        if out is None:
            raise RecordIOError(
                f"RecordIO file {self.uri!r}: key {idx!r} points at offset {self.idx[idx]}, the "
                f"end of the file"
            )
        return out

    def write_idx(self, idx: Any, buf: bytes) -> None:
        """Writes a record under key ``idx``."""
        key = self.key_type(idx)
        pos = self.tell()
        self.write(buf)
        self._fidx.write(f"{key}\t{pos}\n")
        self.idx[key] = pos
        self.keys.append(key)


IRHeader = namedtuple("HEADER", ["flag", "label", "id", "id2"])
IRHeader.__doc__ = """Header of an image record: ``flag``, ``label`` (a float or an array), ``id``, ``id2``.

Examples:
    >>> import mxjax as mx
    >>> mx.recordio.IRHeader(0, 3.0, 7, 0).label
    3.0
"""
_IR_FORMAT = "<IfQQ"
_IR_SIZE = struct.calcsize(_IR_FORMAT)


def pack(header: IRHeader, s: bytes) -> bytes:
    """Packs a header and a payload into one record (a label array goes after the header).

    Examples:
        >>> import mxjax as mx
        >>> rec = mx.recordio.pack(mx.recordio.IRHeader(0, [1.0, 2.0], 5, 0), b"img")
        >>> h, s = mx.recordio.unpack(rec)
        >>> h.flag, h.label.tolist(), h.id, s
        (2, [1.0, 2.0], 5, b'img')
    """
    header = IRHeader(*header)
    label = header.label
    if isinstance(label, (int, float, np.number)) and not isinstance(label, bool):
        head = struct.pack(_IR_FORMAT, 0, float(label), int(header.id), int(header.id2))
        return head + bytes(s)
    arr = np.asarray(label, dtype=np.float32).ravel()
    head = struct.pack(_IR_FORMAT, arr.size, 0.0, int(header.id), int(header.id2))
    return head + arr.tobytes() + bytes(s)


def unpack(s: bytes) -> tuple[IRHeader, bytes]:
    """Splits a record into its ``IRHeader`` and payload."""
    if len(s) < _IR_SIZE:
        raise RecordIOError(f"unpack: a record of {len(s)} bytes is shorter than the header")
    flag, label, id_, id2 = struct.unpack(_IR_FORMAT, s[:_IR_SIZE])
    s = s[_IR_SIZE:]
    if flag > 0:
        if len(s) < 4 * flag:
            raise RecordIOError(f"unpack: the header announces {flag} labels; the record is short")
        label = np.frombuffer(s[: 4 * flag], dtype=np.float32).copy()
        s = s[4 * flag :]
    return IRHeader(flag, label, id_, id2), s


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            "mx.recordio image functions need Pillow: pip install 'mxjax[image]'"
        ) from None
    return Image


def decode_image(buf: bytes, iscolor: int = -1) -> np.ndarray:
    """Decodes JPEG/PNG bytes to an HWC uint8 array in OpenCV's order (BGR), as ``cv2.imdecode``."""
    Image = _pil()
    try:
        img = Image.open(_io.BytesIO(buf))
        img.load()
    except Exception as e:
        raise RecordIOError(f"cannot decode the image payload ({len(buf)} bytes): {e}") from None
    if iscolor == 0:
        return np.asarray(img.convert("L"))
    if iscolor == 1 or img.mode not in ("L",):
        arr = np.asarray(img.convert("RGB"))
        return arr[:, :, ::-1].copy()
    return np.asarray(img)


def unpack_img(s: bytes, iscolor: int = -1) -> tuple[IRHeader, np.ndarray]:
    """Unpacks an image record: ``(header, image)`` with the image HWC BGR uint8 (``cv2``'s order).

    Args:
        s: the record.
        iscolor: -1 as stored, 0 grayscale, 1 color.
    """
    header, payload = unpack(s)
    return header, decode_image(payload, iscolor)


def pack_img(header: IRHeader, img: np.ndarray, quality: int = 95, img_fmt: str = ".jpg") -> bytes:
    """Encodes an image (HWC, BGR as for ``cv2``) and packs it with ``header``.

    Args:
        header: the ``IRHeader``.
        img: uint8 array, ``(H, W)`` or ``(H, W, 3)`` in BGR order.
        quality: JPEG quality (1-100) or PNG compression level (0-9).
        img_fmt: ``'.jpg'`` or ``'.png'``.

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> img = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)
        >>> rec = mx.recordio.pack_img(mx.recordio.IRHeader(0, 1.0, 0, 0), img, img_fmt=".png")
        >>> header, out = mx.recordio.unpack_img(rec)
        >>> bool((out == img).all()), header.label
        (True, 1.0)
    """
    Image = _pil()
    img = np.asarray(img)
    if img.dtype != np.uint8:
        raise TypeError(f"pack_img: expected a uint8 image; received dtype {img.dtype}")
    if img.ndim == 3 and img.shape[2] == 3:
        pil = Image.fromarray(img[:, :, ::-1])
    elif img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 1):
        pil = Image.fromarray(img.reshape(img.shape[:2]))
    else:
        raise ValueError(f"pack_img: expected an (H, W) or (H, W, 3) image; received {img.shape}")
    buf = _io.BytesIO()
    fmt = img_fmt.lower()
    if fmt in (".jpg", ".jpeg"):
        pil.save(buf, format="JPEG", quality=int(quality))
    elif fmt == ".png":
        pil.save(buf, format="PNG", compress_level=min(max(int(quality), 0), 9))
    else:
        raise ValueError(f"pack_img: img_fmt must be '.jpg' or '.png'; received {img_fmt!r}")
    return pack(header, buf.getvalue())
