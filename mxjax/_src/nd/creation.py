"""Array creation: ``nd.array``, ``zeros``, ``ones``, ``full``, ``arange``, ..."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src import context as _ctx
from mxjax._src.nd.ndarray import NDArray

__all__ = ["arange", "array", "empty", "full", "ones", "ones_like", "zeros", "zeros_like"]


def _device(ctx):
    if ctx is None:
        ctx = _ctx.current_context()
    elif isinstance(ctx, str):
        ctx = _ctx.Context(ctx)
    if not isinstance(ctx, _ctx.Context):
        raise TypeError(f"ctx must be a Context such as mx.cpu(0), got {type(ctx).__name__}")
    return ctx.jax_device


def _placed(arr: NDArray, ctx) -> NDArray:
    """Marks ``arr`` with ``ctx`` when that context aliases another's device (``cpu(1)`` on one CPU)."""
    if isinstance(ctx, str):
        ctx = _ctx.Context(ctx)
    if ctx is not None and ctx != _ctx.context_of_device(ctx.jax_device):
        arr._ctx = ctx
    return arr


def _dtype(dtype, default="float32"):
    return np.dtype(default if dtype is None else dtype)


def array(source_array, ctx=None, dtype=None) -> NDArray:
    """Creates an NDArray from array-like data (a copy).

    As in MXNet, non-NDArray input becomes float32 unless ``dtype`` is given
    (float64 and int64 NumPy arrays included); an NDArray keeps its dtype.

    Args:
        source_array: nested lists, a NumPy array, a ``jax.Array`` or an NDArray.
        ctx: the :class:`~mxjax.context.Context` (default: the current one).
        dtype: the element type.

    Examples:
        >>> import numpy as np
        >>> from mxjax import nd
        >>> nd.array(np.array([1, 2], dtype=np.int64)).dtype
        <class 'numpy.float32'>
        >>> nd.array([1, 2], dtype="int32")
        <BLANKLINE>
        [1 2]
        <NDArray 2 @cpu(0)>
    """
    dev = _device(ctx)
    if isinstance(source_array, NDArray):
        dt = source_array.dtype if dtype is None else np.dtype(dtype)
        return _placed(NDArray(jax.device_put(source_array._data.astype(dt), dev)), ctx)
    dt = _dtype(dtype)
    if isinstance(source_array, jax.Array):
        return _placed(NDArray(jax.device_put(source_array.astype(dt), dev)), ctx)
    try:
        host = np.asarray(source_array, dtype=dt)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"nd.array: cannot convert {type(source_array).__name__} to an array of {dt}: {e}"
        ) from None
    return _placed(NDArray(jax.device_put(host, dev)), ctx)


def zeros(shape, ctx=None, dtype=None, **kwargs) -> NDArray:
    """An array of zeros (float32 by default).

    Examples:
        >>> from mxjax import nd
        >>> nd.zeros((2,)).asnumpy()
        array([0., 0.], dtype=float32)
        >>> out = nd.ones((2,)); nd.zeros((2,), out=out) is out
        True
    """
    res = full(shape, 0, ctx, dtype, out=kwargs.get("out"))
    stype = kwargs.get("stype")
    return res if stype in (None, "default") else res.tostype(stype)


def empty(shape, ctx=None, dtype=None) -> NDArray:
    """An uninitialized array; here zeros (XLA has no uninitialized buffers).

    Examples:
        >>> from mxjax import nd
        >>> nd.empty((1, 2)).shape
        (1, 2)
    """
    return full(shape, 0, ctx, dtype)


def ones(shape, ctx=None, dtype=None, **kwargs) -> NDArray:
    """An array of ones (float32 by default).

    Examples:
        >>> from mxjax import nd
        >>> nd.ones(2).asnumpy()
        array([1., 1.], dtype=float32)
        >>> out = nd.zeros((2,)); nd.ones((2,), out=out).asnumpy()
        array([1., 1.], dtype=float32)
    """
    return full(shape, 1, ctx, dtype, out=kwargs.get("out"))


def full(shape, val, ctx=None, dtype=None, out=None) -> NDArray:
    """An array filled with ``val`` (float32 by default).

    Examples:
        >>> from mxjax import nd
        >>> nd.full((2,), 7).asnumpy()
        array([7., 7.], dtype=float32)
    """
    if isinstance(shape, int):
        shape = (shape,)
    dev, shape, dt = _device(ctx), tuple(shape), _dtype(dtype)
    if dev.platform == "cpu":  # filled on the host: jnp.full compiles one program per shape
        res = jax.device_put(np.full(shape, val, dt), dev)
    else:
        with jax.default_device(dev):
            res = jnp.full(shape, val, dtype=dt)
    if out is not None:
        return res_into(out, res)
    return _placed(NDArray(res), ctx)


def res_into(out: NDArray, res) -> NDArray:
    """Writes ``res`` (an NDArray or a ``jax.Array``) into ``out`` and returns ``out`` (MXNet's ``out=``).

    The value is cast to ``out``'s dtype; a recorded result keeps its graph,
    so ``out`` can be differentiated through.

    Examples:
        >>> from mxjax import nd
        >>> out = nd.zeros((2,))
        >>> nd.exp(nd.zeros((2,)), out=out) is out, out.asnumpy()
        (True, array([1., 1.], dtype=float32))
    """
    if not isinstance(out, NDArray):
        raise TypeError(f"out must be an NDArray, got {type(out).__name__}")
    entry = None
    if isinstance(res, NDArray):
        entry = res._entry
        res = res._data
    if tuple(res.shape) != out.shape:
        raise ValueError(f"out has shape {out.shape}, but the result has shape {tuple(res.shape)}")
    if res.dtype != out._data.dtype:
        res = res.astype(out._data.dtype)
        entry = None  # a cast result is a new value, outside the recorded graph
    out._data = res
    out._entry = entry
    out._write_back()
    return out


def zeros_like(data, **kwargs) -> NDArray:
    """Zeros with the shape, dtype and context of ``data``.

    Examples:
        >>> from mxjax import nd
        >>> nd.zeros_like(nd.ones((2,))).asnumpy()
        array([0., 0.], dtype=float32)
    """
    return NDArray(jnp.zeros_like(data._data if isinstance(data, NDArray) else data))


def ones_like(data, **kwargs) -> NDArray:
    """Ones with the shape, dtype and context of ``data``.

    Examples:
        >>> from mxjax import nd
        >>> nd.ones_like(nd.zeros((2,))).asnumpy()
        array([1., 1.], dtype=float32)
    """
    return NDArray(jnp.ones_like(data._data if isinstance(data, NDArray) else data))


def arange(start, stop=None, step=1.0, repeat=1, infer_range=None, ctx=None, dtype=None):
    """Evenly spaced values in ``[start, stop)``, each repeated ``repeat`` times.

    Examples:
        >>> from mxjax import nd
        >>> nd.arange(3, repeat=2).asnumpy()
        array([0., 0., 1., 1., 2., 2.], dtype=float32)
    """
    if stop is None:
        start, stop = 0, start
    if not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"nd.arange: repeat must be an int >= 1, got {repeat!r}")
    dt = _dtype(dtype)
    host = np.arange(start, stop, step, dtype=np.float64).astype(dt)
    if repeat > 1:
        host = np.repeat(host, repeat)
    return _placed(NDArray(jax.device_put(host, _device(ctx))), ctx)
