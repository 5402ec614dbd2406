"""``mx.recordio``: MXNet's RecordIO files (``.rec``/``.idx``) and image records.

Examples:
    >>> import mxjax as mx
    >>> h, s = mx.recordio.unpack(mx.recordio.pack(mx.recordio.IRHeader(0, 2.0, 1, 0), b"x"))
    >>> h.label, s
    (2.0, b'x')
"""

from mxjax._src.io.recordio import (
    IRHeader as IRHeader,
    MXIndexedRecordIO as MXIndexedRecordIO,
    MXRecordIO as MXRecordIO,
    RecordIOError as RecordIOError,
    pack as pack,
    pack_img as pack_img,
    unpack as unpack,
    unpack_img as unpack_img,
)

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
