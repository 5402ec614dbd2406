"""``nd.save``/``nd.load`` (MXNet's binary format) and DLPack exchange."""

from __future__ import annotations

from collections.abc import Mapping

import jax
import numpy as np

from mxjax._src import context as _ctx, util as _util
from mxjax._src.io import params as _params
from mxjax._src.nd.ndarray import NDArray

__all__ = [
    "from_dlpack",
    "load",
    "load_frombuffer",
    "save",
    "to_dlpack_for_read",
    "to_dlpack_for_write",
]


def _host(a, what):
    if isinstance(a, NDArray):
        return np.asarray(a.jax)
    raise TypeError(f"nd.save: {what} must be an NDArray, got {type(a).__name__}")


def save(fname, data) -> None:
    """Saves an NDArray, a list of NDArrays or a dict str → NDArray (MXNet format).

    Args:
        fname: the file path (written atomically).
        data: what to save.

    Examples:
        >>> import os, tempfile
        >>> from mxjax import nd
        >>> p = os.path.join(tempfile.mkdtemp(), "x.nd")
        >>> nd.save(p, {"a": nd.ones((2,))})
        >>> nd.load(p)["a"].asnumpy()
        array([1., 1.], dtype=float32)
    """
    if isinstance(data, NDArray):
        payload = [_host(data, "data")]
    elif isinstance(data, Mapping):
        payload = {}
        for k, v in data.items():
            if not isinstance(k, str):
                raise TypeError(f"nd.save: dict keys must be str, got {type(k).__name__}")
            payload[k] = _host(v, f"data[{k!r}]")
    elif isinstance(data, (list, tuple)):
        payload = [_host(v, f"data[{i}]") for i, v in enumerate(data)]
    else:
        raise TypeError(
            "nd.save: data must be an NDArray, a list of NDArrays or a dict str -> NDArray, "
            f"got {type(data).__name__}"
        )
    _params.save_params(fname, payload, np_shape=_util.is_np_shape())


def load(fname, ctx=None):
    """Loads NDArrays saved by :func:`save` or by MXNet (``nd.save``, ``.params``).

    Returns:
        A list of NDArrays, or a dict str → NDArray when the file stores names.

    Examples:
        >>> import os, tempfile
        >>> from mxjax import nd
        >>> p = os.path.join(tempfile.mkdtemp(), "x.nd")
        >>> nd.save(p, [nd.arange(3)])
        >>> nd.load(p)[0].shape
        (3,)
    """
    return _to_nd(_params.load_params(fname, np_shape=_util.is_np_shape()), ctx)


def load_frombuffer(buf, ctx=None):
    """Loads NDArrays from the bytes of a file written by :func:`save` or by MXNet.

    Returns:
        A list of NDArrays, or a dict str → NDArray when the bytes store names.

    Raises:
        ParamsFormatError: the bytes are not a complete NDArray file (an
            ``MXJaxError`` and ``ValueError``; MXNet raises ``MXNetError``).

    Examples:
        >>> import os, tempfile
        >>> from mxjax import nd
        >>> p = os.path.join(tempfile.mkdtemp(), "x.nd")
        >>> nd.save(p, {"w": nd.ones((2,))})
        >>> with open(p, "rb") as f:
        ...     nd.load_frombuffer(f.read())["w"].asnumpy()
        array([1., 1.], dtype=float32)
    """
    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError(f"nd.load_frombuffer: buf must be bytes, got {type(buf).__name__}")
    return _to_nd(_params.loads(bytes(buf), np_shape=_util.is_np_shape()), ctx)


def _to_nd(res, ctx):
    dev = (ctx or _ctx.current_context()).jax_device

    def conv(a):
        return NDArray(jax.device_put(a, dev))

    if isinstance(res, dict):
        return {k: conv(v) for k, v in res.items()}
    return [conv(v) for v in res]


class _Capsule:
    """Gives a raw DLPack capsule the ``__dlpack__`` protocol."""

    def __init__(self, capsule, device):
        self._capsule = capsule
        self._device = device

    def __dlpack__(self, stream=None, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return self._device


def from_dlpack(dlpack) -> NDArray:
    """Wraps a DLPack tensor (an object with ``__dlpack__`` or a capsule) without copying.

    Examples:
        >>> import numpy as np
        >>> from mxjax import nd
        >>> nd.from_dlpack(np.arange(3.0, dtype=np.float32)).asnumpy()
        array([0., 1., 2.], dtype=float32)
    """
    if not hasattr(dlpack, "__dlpack__"):
        dlpack = _Capsule(dlpack, (1, 0))
    return NDArray(jax.dlpack.from_dlpack(dlpack))


def to_dlpack_for_read(data: NDArray):
    """A DLPack capsule viewing ``data`` (zero-copy; do not write through it).

    Examples:
        >>> from mxjax import nd
        >>> x = nd.array([1, 2])
        >>> nd.from_dlpack(nd.to_dlpack_for_read(x)).asnumpy()
        array([1., 2.], dtype=float32)
    """
    return data.to_dlpack_for_read()


def to_dlpack_for_write(data: NDArray):
    """Same as :func:`to_dlpack_for_read`: JAX arrays are immutable, so writes are not
    seen by ``data``.

    Examples:
        >>> from mxjax import nd
        >>> cap = nd.to_dlpack_for_write(nd.zeros((1,)))
    """
    return to_dlpack_for_read(data)
