"""MXNet's binary NDArray-list format (``nd.save``/``nd.load``, Gluon ``.params``).

Layout (all little-endian)::

    uint64 0x112 (list magic) | uint64 0 (reserved) | uint64 n
    n x NDArray:
        uint32 magic (0xF993FAC9 = V2, 0xF993FACA = V3; anything else: legacy V1,
               where this word is the number of dimensions)
        int32  storage type (V2/V3 only; 0 = dense)
        shape: uint32 ndim (int32 in V3), then ndim x int64 (uint32 in V1)
        (an array with ndim 0 ends here: MXNet's "none" array)
        int32 dev_type | int32 dev_id | int32 type flag | raw data
    uint64 m | m x (uint64 length | UTF-8 name)      # m is 0 or n

The reader checks every size against the file length and never executes code.
"""

from __future__ import annotations

import math
import os
import struct
from collections.abc import Mapping

import numpy as np

from mxjax._src.errors import MXJaxError
from mxjax._src.io.atomic import atomic_write

__all__ = [
    "ParamsFormatError", "array_from_bytes", "array_to_bytes", "dumps", "load_params", "loads",
    "save_params",
]  # fmt: skip

LIST_MAGIC = 0x112
V1_MAGIC = 0xF993FAC8
V2_MAGIC = 0xF993FAC9
V3_MAGIC = 0xF993FACA

# MXNet's mshadow type flags.
FLAG_TO_DTYPE = {
    0: np.dtype("float32"),
    1: np.dtype("float64"),
    2: np.dtype("float16"),
    3: np.dtype("uint8"),
    4: np.dtype("int32"),
    5: np.dtype("int8"),
    6: np.dtype("int64"),
    7: np.dtype("bool"),
    8: np.dtype("int16"),
    9: np.dtype("uint16"),
    10: np.dtype("uint32"),
    11: np.dtype("uint64"),
}
DTYPE_TO_FLAG = {v: k for k, v in FLAG_TO_DTYPE.items()}
_STYPES = {0: "default", 1: "row_sparse", 2: "csr"}


class ParamsFormatError(MXJaxError, ValueError):
    """A ``.params`` file is corrupt, truncated or uses an unsupported feature.

    Examples:
        >>> from mxjax import io
        >>> try:
        ...     io.loads(b"not a params file")
        ... except io.ParamsFormatError as e:
        ...     print("magic" in str(e) or "truncated" in str(e))
        True
    """


class _Reader:
    def __init__(self, buf: bytes, name: str):
        self.buf = memoryview(buf)
        self.pos = 0
        self.name = name

    def fail(self, what: str) -> ParamsFormatError:
        return ParamsFormatError(f"{self.name}: {what} (at byte offset {self.pos})")

    def take(self, n: int, what: str) -> memoryview:
        if n < 0 or self.pos + n > len(self.buf):
            raise self.fail(
                f"file truncated while reading {what}: need {n} bytes, "
                f"{len(self.buf) - self.pos} left"
            )
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str, what: str):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt), what))[0]


def _read_array(r: _Reader, index: int):
    what = f"array {index}"
    magic = r.unpack("<I", f"{what} header")
    if magic in (V2_MAGIC, V3_MAGIC):
        stype = r.unpack("<i", f"{what} storage type")
        if stype != 0:
            raise r.fail(
                f"{what} uses storage type {stype} ({_STYPES.get(stype, 'unknown')}); "
                "only dense (0) arrays are supported"
            )
        ndim = r.unpack("<i" if magic == V3_MAGIC else "<I", f"{what} ndim")
        if ndim < 0 or ndim > 32:
            if magic == V3_MAGIC and ndim == -1:
                return None
            raise r.fail(f"{what} has an invalid number of dimensions {ndim}")
        shape = struct.unpack(f"<{ndim}q", r.take(8 * ndim, f"{what} shape"))
        if ndim == 0 and magic == V2_MAGIC:
            return None
    else:  # legacy V1 (or V0): the first word is ndim, dims are uint32
        if magic == V1_MAGIC:
            ndim = r.unpack("<I", f"{what} ndim")
        else:
            ndim = magic
        if ndim > 32:
            raise r.fail(f"{what} has an unknown header 0x{magic:08X}")
        shape = struct.unpack(f"<{ndim}I", r.take(4 * ndim, f"{what} shape"))
        if ndim == 0:
            return None
    if any(d < 0 for d in shape):
        raise r.fail(f"{what} has a negative dimension in shape {shape}")
    dev_type = r.unpack("<i", f"{what} context")
    r.unpack("<i", f"{what} context")
    if dev_type not in (1, 2, 3, 5):
        raise r.fail(f"{what} has an invalid device type {dev_type}")
    flag = r.unpack("<i", f"{what} dtype")
    dtype = FLAG_TO_DTYPE.get(flag)
    if dtype is None:
        raise r.fail(f"{what} has an unsupported type flag {flag}")
    count = math.prod(shape)  # Python ints: a crafted shape cannot overflow
    nbytes = count * dtype.itemsize
    if nbytes > len(r.buf) - r.pos:
        raise r.fail(
            f"{what} declares shape {shape} and dtype {dtype} ({nbytes} bytes) but only "
            f"{len(r.buf) - r.pos} bytes are left: the header is corrupt or the file truncated"
        )
    data = r.take(nbytes, f"{what} data of shape {shape} and dtype {dtype}")
    return np.frombuffer(data, dtype=dtype.newbyteorder("<")).astype(dtype).reshape(shape)


def loads(buf: bytes, name: str = "<bytes>", np_shape: bool | None = None):
    """Parses the bytes of an MXNet NDArray-list file.

    ``np_shape`` (True/False) requires the arrays to have been saved with (without)
    MXNet's NumPy-shape semantics, as ``mx.nd.load`` does; None accepts both.

    Returns:
        A dict name → ``np.ndarray`` when the file stores names, else a list.

    Raises:
        ParamsFormatError: bad magic, truncation, unsupported storage or dtype.

    Examples:
        >>> import numpy as np
        >>> from mxjax import io
        >>> io.loads(io.dumps({"w": np.ones(2, np.float32)}))
        {'w': array([1., 1.], dtype=float32)}
    """
    r = _Reader(buf, name)
    magic = r.unpack("<Q", "header")
    if magic != LIST_MAGIC:
        raise r.fail(f"bad magic 0x{magic:X}, expected 0x112 (not an MXNet NDArray file)")
    r.unpack("<Q", "header")
    n = r.unpack("<Q", "array count")
    if n > len(buf):
        raise r.fail(f"array count {n} is larger than the file")
    arrays = []
    for i in range(n):
        if np_shape is not None and r.pos + 4 <= len(r.buf):
            saved_np = struct.unpack_from("<I", r.buf, r.pos)[0] == V3_MAGIC
            if saved_np != np_shape:
                raise r.fail(
                    "array {} was {}saved in NumPy-shape semantics, but is being loaded {} them "
                    "(use mx.np_shape({}) around the load, as in MXNet)".format(
                        i, "" if saved_np else "not ", "without" if saved_np else "with", saved_np
                    )
                )
        arrays.append(_read_array(r, i))
    m = r.unpack("<Q", "name count")
    if m not in (0, n):
        raise r.fail(f"the file has {n} arrays but {m} names")
    names = []
    for i in range(m):
        length = r.unpack("<Q", f"name {i} length")
        raw = bytes(r.take(length, f"name {i}"))
        try:
            names.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise r.fail(f"name {i} is not valid UTF-8") from None
    if r.pos != len(buf):
        raise r.fail(f"{len(buf) - r.pos} unexpected trailing bytes")
    if m:
        return dict(zip(names, arrays))
    return arrays


def array_to_bytes(a) -> bytes:
    """One array in MXNet's raw-bytes form (``NDArray.__getstate__``'s ``'handle'``).

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.io.params import array_from_bytes, array_to_bytes
        >>> array_from_bytes(array_to_bytes(np.arange(3, dtype=np.float32)))
        array([0., 1., 2.], dtype=float32)
    """
    out: list = []
    _write_array(out, a)
    return b"".join(out)


def array_from_bytes(buf, name: str = "<NDArray state>"):
    """Parses one array in MXNet's raw-bytes form (from ``NDArray.__getstate__``).

    Raises:
        ParamsFormatError: the bytes are not one complete array.
    """
    r = _Reader(bytes(buf), name)
    a = _read_array(r, 0)
    if r.pos != len(r.buf):
        raise r.fail(f"{len(r.buf) - r.pos} unexpected trailing bytes")
    return a


def _write_array(out: list, a, np_shape: bool = False) -> None:
    if a is None:
        out.append(struct.pack("<IiI", V2_MAGIC, 0, 0))
        return
    a = np.asarray(a)
    flag = DTYPE_TO_FLAG.get(a.dtype)
    if flag is None:
        raise TypeError(
            f"save_params: dtype {a.dtype} has no MXNet type flag; supported: "
            f"{sorted(str(d) for d in DTYPE_TO_FLAG)}"
        )
    if np_shape:  # MXNet's NumPy-shape format (V3): 0-d arrays stay 0-d
        shape = a.shape
        out.append(struct.pack("<Iii", V3_MAGIC, 0, len(shape)))
    else:
        shape = a.shape if a.ndim else (1,)
        out.append(struct.pack("<IiI", V2_MAGIC, 0, len(shape)))
    out.append(struct.pack(f"<{len(shape)}q", *shape))
    out.append(struct.pack("<iii", 1, 0, flag))
    out.append(np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes())


def dumps(data, np_shape: bool = False) -> bytes:
    """Serializes a dict name → array or a list of arrays to MXNet's format.

    With ``np_shape`` the arrays are written in MXNet's NumPy-shape format (what
    ``mx.nd.save`` writes under ``mx.np_shape(True)``; 0-d arrays stay 0-d).

    Examples:
        >>> import numpy as np
        >>> from mxjax import io
        >>> io.dumps([np.zeros(1, np.float32)])[:8]
        b'\\x12\\x01\\x00\\x00\\x00\\x00\\x00\\x00'
    """
    if isinstance(data, Mapping):
        names = [str(k) for k in data]
        arrays = list(data.values())
    elif isinstance(data, (list, tuple)):
        names, arrays = [], list(data)
    else:
        raise TypeError(
            f"save_params: data must be a dict of arrays or a list of arrays, got "
            f"{type(data).__name__}"
        )
    out = [struct.pack("<QQQ", LIST_MAGIC, 0, len(arrays))]
    for a in arrays:
        _write_array(out, a, np_shape)
    out.append(struct.pack("<Q", len(names)))
    for nm in names:
        raw = nm.encode("utf-8")
        out.append(struct.pack("<Q", len(raw)))
        out.append(raw)
    return b"".join(out)


def save_params(path, data, np_shape: bool = False) -> None:
    """Writes a dict or list of NumPy-convertible arrays as an MXNet ``.params`` file.

    Args:
        path: destination file (written atomically).
        data: dict name → array (Gluon's layout) or a list of arrays.

    Examples:
        >>> import os, tempfile, numpy as np
        >>> from mxjax import io
        >>> p = os.path.join(tempfile.mkdtemp(), "w.params")
        >>> io.save_params(p, {"0.weight": np.eye(2, dtype=np.float32)})
        >>> io.load_params(p)["0.weight"].shape
        (2, 2)
    """
    atomic_write(path, dumps(data, np_shape))


def load_params(path, np_shape: bool | None = None):
    """Reads an MXNet ``.params`` (NDArray list) file into NumPy arrays.

    Returns:
        A dict name → ``np.ndarray``, or a list when the file has no names.

    Raises:
        ParamsFormatError: naming the file and what is wrong with it.

    Examples:
        >>> import os, tempfile, numpy as np
        >>> from mxjax import io
        >>> p = os.path.join(tempfile.mkdtemp(), "l.params")
        >>> io.save_params(p, [np.arange(3, dtype=np.int32)])
        >>> io.load_params(p)
        [array([0, 1, 2], dtype=int32)]
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        buf = f.read()
    return loads(buf, path, np_shape)
