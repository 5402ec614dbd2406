"""Reader for the IDX format (MNIST, Fashion-MNIST), plain or gzip-compressed."""

from __future__ import annotations

import gzip
import os
import struct
import zlib

import numpy as np

from mxjax._src.errors import MXJaxError

__all__ = ["CorruptFileError", "read_idx"]

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class CorruptFileError(MXJaxError, ValueError):
    """A data file is truncated, has the wrong magic number or inconsistent sizes.

    Examples:
        >>> from mxjax.data import CorruptFileError
        >>> issubclass(CorruptFileError, ValueError)
        True
    """


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Reads an IDX file (``.gz`` or plain) into a NumPy array, checking its header.

    Args:
        path: the file.

    Returns:
        The array, with the shape given by the header.

    Raises:
        FileNotFoundError: if the file does not exist.
        CorruptFileError: on a truncated gzip stream, a bad magic number, or a
            payload whose size disagrees with the header.

    Examples:
        >>> import importlib.resources
        >>> from mxjax._src.data.idx import read_idx
        >>> root = importlib.resources.files("mxjax") / "_datasets" / "mnist-5k"
        >>> read_idx(root / "t10k-labels-idx1-ubyte.gz").shape
        (1000,)
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"IDX file not found: {path}") from None
    if path.endswith(".gz") or raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as e:
            raise CorruptFileError(f"{path}: corrupt or truncated gzip stream ({e})") from None
    if len(raw) < 4:
        raise CorruptFileError(f"{path}: file too short for an IDX header ({len(raw)} bytes)")
    zero, dtype_code, ndim = raw[0] << 8 | raw[1], raw[2], raw[3]
    if zero != 0 or dtype_code not in _DTYPES or ndim == 0:
        raise CorruptFileError(
            f"{path}: wrong IDX magic number 0x{raw[:4].hex()}; expected 0x0000TTNN "
            f"(TT a type code in {sorted(hex(c) for c in _DTYPES)}, NN the number of dimensions)"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise CorruptFileError(
            f"{path}: truncated IDX header: expected {header} bytes, found {len(raw)}"
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(_DTYPES[dtype_code])
    expected = int(np.prod(shape)) * dtype.itemsize
    payload = len(raw) - header
    if payload != expected:
        raise CorruptFileError(
            f"{path}: header declares shape {shape} ({expected} bytes of data) but the file holds "
            f"{payload} bytes; the file is truncated or not an IDX file"
        )
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))
