"""``nd`` shape, indexing and sorting operators (MXNet 1.x semantics)."""

from __future__ import annotations

import builtins
import math

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.dispatch import apply as _apply
from mxjax._src.errors import ShapeMismatchError
from mxjax._src.nd._mode import _state
from mxjax._src.nd.creation import res_into
from mxjax._src.nd.ndarray import NDArray
from mxjax._src.nd.shape import infer_reshape

__all__ = [
    "argsort", "broadcast_axis", "broadcast_like", "broadcast_to", "concat", "expand_dims",
    "flatten", "flip", "one_hot", "pick", "repeat", "reshape", "reshape_like", "slice",
    "slice_axis", "sort", "split", "squeeze", "stack", "swapaxes", "take", "tile", "topk",
    "transpose", "where",
]  # fmt: skip


def _shape(x):
    return tuple(x.shape)


def reshape(data, shape=None, reverse=False, **kwargs):
    """Reshapes with MXNet's special codes (see :meth:`NDArray.reshape`).

    Examples:
        >>> from mxjax import nd
        >>> nd.reshape(nd.zeros((2, 3, 4)), shape=(0, -1)).shape
        (2, 12)
    """
    return _apply(jnp.reshape, data, infer_reshape(_shape(data), tuple(shape), reverse))


def reshape_like(lhs, rhs, lhs_begin=None, lhs_end=None, rhs_begin=None, rhs_end=None):
    """Reshapes ``lhs`` to ``rhs``'s shape, or axes ``[lhs_begin, lhs_end)`` of ``lhs`` to
    axes ``[rhs_begin, rhs_end)`` of ``rhs`` (None: from the start / to the end).

    Examples:
        >>> from mxjax import nd
        >>> nd.reshape_like(nd.zeros((6,)), nd.zeros((2, 3))).shape
        (2, 3)
        >>> nd.reshape_like(nd.zeros((30, 7)), nd.zeros((5, 6, 7)), lhs_begin=0, lhs_end=1,
        ...                 rhs_begin=0, rhs_end=2).shape
        (5, 6, 7)
    """
    ls, rs = _shape(lhs), _shape(rhs)
    lb, le, _ = builtins.slice(lhs_begin, lhs_end).indices(len(ls))
    rb, re, _ = builtins.slice(rhs_begin, rhs_end).indices(len(rs))
    new = ls[:lb] + rs[rb:re] + ls[le:]
    if math.prod(new) != math.prod(ls):
        raise ValueError(
            f"nd.reshape_like: cannot reshape lhs of shape {ls} to {new} (different sizes)"
        )
    return _apply(jnp.reshape, lhs, new)


def flatten(data, inplace=False):
    """MXNet's Flatten: ``(N, ...)`` to ``(N, prod(...))`` (1-D input gives ``(N, 1)``).

    ``inplace=True`` is accepted for MXNet compatibility; JAX arrays are
    immutable, so the result never shares memory with ``data`` (later writes
    to ``data`` are not seen through it).

    Examples:
        >>> from mxjax import nd
        >>> nd.flatten(nd.zeros((2, 3, 4))).shape
        (2, 12)
    """
    s = _shape(data)
    return _apply(jnp.reshape, data, (s[0], -1) if s else (1, 1))


def expand_dims(data, axis, inplace=False):
    """Inserts a unit axis at ``axis``.

    ``inplace=True`` is accepted for MXNet compatibility; JAX arrays are
    immutable, so the result never shares memory with ``data`` (later writes
    to ``data`` are not seen through it).

    Examples:
        >>> from mxjax import nd
        >>> nd.expand_dims(nd.zeros((2, 3)), 1).shape
        (2, 1, 3)
    """
    return _apply(jnp.expand_dims, data, axis)


def squeeze(data, axis=None, inplace=False):
    """Removes unit axes (all of them if ``axis`` is None); all-unit shapes give ``(1,)`` as in MXNet.

    ``inplace=True`` is accepted for MXNet compatibility; JAX arrays are
    immutable, so the result never shares memory with ``data`` (later writes
    to ``data`` are not seen through it).

    Examples:
        >>> from mxjax import nd
        >>> nd.squeeze(nd.zeros((1, 2, 1))).shape
        (2,)
        >>> nd.squeeze(nd.zeros((1, 1)), inplace=True).shape
        (1,)
    """
    if isinstance(axis, list):
        axis = tuple(axis)
    res = _apply(jnp.squeeze, data, axis)
    if res.ndim == 0:
        res = _apply(jnp.reshape, res, (1,))
    return res


def transpose(data, axes=None):
    """Permutes axes (reverses them when ``axes`` is None or empty).

    Examples:
        >>> from mxjax import nd
        >>> nd.transpose(nd.zeros((2, 3, 4)), axes=(1, 0, 2)).shape
        (3, 2, 4)
    """
    return _apply(jnp.transpose, data, tuple(axes) if axes else None)


def swapaxes(data, dim1=0, dim2=0):
    """Swaps two axes.

    Examples:
        >>> from mxjax import nd
        >>> nd.swapaxes(nd.zeros((2, 3)), 0, 1).shape
        (3, 2)
    """
    return _apply(jnp.swapaxes, data, dim1, dim2)


def flip(data, axis):
    """Reverses the order of elements along ``axis``.

    Examples:
        >>> from mxjax import nd
        >>> nd.flip(nd.array([1, 2]), axis=0).asnumpy()
        array([2., 1.], dtype=float32)
    """
    return _apply(jnp.flip, data, axis)


def tile(data, reps):
    """Repeats the whole array ``reps`` times per axis.

    Examples:
        >>> from mxjax import nd
        >>> nd.tile(nd.array([1, 2]), (2,)).asnumpy()
        array([1., 2., 1., 2.], dtype=float32)
    """
    return _apply(jnp.tile, data, tuple(reps) if not isinstance(reps, int) else (reps,))


def repeat(data, repeats, axis=None):
    """Repeats each element ``repeats`` times (flattening when ``axis`` is None).

    Examples:
        >>> from mxjax import nd
        >>> nd.repeat(nd.array([1, 2]), 2).asnumpy()
        array([1., 1., 2., 2.], dtype=float32)
    """
    return _apply(jnp.repeat, data, repeats, axis)


def broadcast_to(data, shape):
    """Broadcasts to ``shape``; a 0 keeps the input dimension.

    Examples:
        >>> from mxjax import nd
        >>> nd.broadcast_to(nd.zeros((2, 1)), (0, 3)).shape
        (2, 3)
    """
    s = _shape(data)
    if len(shape) != len(s):
        raise ValueError(
            f"nd.broadcast_to: shape {tuple(shape)} must have the input's rank {len(s)} "
            f"(input shape {s})"
        )
    target = tuple(d if t == 0 else t for d, t in zip(s, shape))
    return _broadcast(data, target)


def _broadcast(data, target):
    """``data`` broadcast to ``target``: on the host when eager on CPU (no XLA program per shape)."""
    a = data._data if isinstance(data, NDArray) else None
    if (
        a is not None
        and not _state.recording
        and isinstance(a, jax.Array)
        and not isinstance(a, jax.core.Tracer)
        and getattr(a, "is_fully_addressable", False)
        and all(d.platform == "cpu" for d in a.devices())
    ):
        try:
            host = np.broadcast_to(np.asarray(a), target)
        except ValueError as e:
            raise ValueError(
                f"nd.broadcast_to: cannot broadcast shape {a.shape} to {target}"
            ) from e
        return NDArray(jax.device_put(np.ascontiguousarray(host), a.sharding))
    return _apply(jnp.broadcast_to, data, target)


def broadcast_axis(data, axis=(), size=()):
    """Broadcasts unit axes ``axis`` to sizes ``size``.

    Examples:
        >>> from mxjax import nd
        >>> nd.broadcast_axis(nd.zeros((2, 1)), axis=1, size=3).shape
        (2, 3)
    """
    axis = (axis,) if isinstance(axis, int) else tuple(axis)
    size = (size,) if isinstance(size, int) else tuple(size)
    target = list(_shape(data))
    for a, n in zip(axis, size):
        target[a] = n
    return _broadcast(data, tuple(target))


def broadcast_like(lhs, rhs, lhs_axes=None, rhs_axes=None, out=None):
    """Broadcasts ``lhs`` to ``rhs``'s shape, or only axes ``lhs_axes`` to ``rhs``'s ``rhs_axes``.

    Raises:
        ShapeMismatchError: ``lhs_axes``/``rhs_axes`` empty or of different lengths,
            or a broadcast axis of ``lhs`` that is not 1 (MXNet raises ``MXNetError``).

    Examples:
        >>> from mxjax import nd
        >>> nd.broadcast_like(nd.zeros((1, 3)), nd.zeros((2, 3))).shape
        (2, 3)
        >>> nd.broadcast_like(nd.zeros((1, 2, 1)), nd.zeros((5, 6)), lhs_axes=(0, 2),
        ...                   rhs_axes=(1, 0)).shape
        (6, 2, 5)
    """
    if lhs_axes is None and rhs_axes is None:
        target = tuple(rhs.shape)
    else:
        la = (lhs_axes,) if isinstance(lhs_axes, int) else tuple(lhs_axes or ())
        ra = (rhs_axes,) if isinstance(rhs_axes, int) else tuple(rhs_axes or ())
        if not la or len(la) != len(ra):
            raise ShapeMismatchError(
                "nd.broadcast_like: lhs_axes and rhs_axes must be non-empty and of the same "
                f"length, got {lhs_axes!r} and {rhs_axes!r}"
            )
        target = list(lhs.shape)
        for a, b in zip(la, ra):
            target[a] = rhs.shape[b]
        target = tuple(target)
    for d, t in zip(lhs.shape, target):
        if d not in (1, t):
            raise ShapeMismatchError(
                f"nd.broadcast_like: cannot broadcast shape {lhs.shape} to {target}"
            )
    res = _broadcast(lhs, target)
    return res if out is None else res_into(out, res)


def _concat(d, *xs):
    return jnp.concatenate(xs, axis=d)


def _stack(d, *xs):
    return jnp.stack(xs, axis=d)


def concat(*data, dim=1):
    """Concatenates arrays along ``dim`` (default 1, as in MXNet).

    Examples:
        >>> from mxjax import nd
        >>> nd.concat(nd.zeros((2, 1)), nd.ones((2, 2))).shape
        (2, 3)
    """
    return _apply(_concat, dim, *data)


def stack(*data, axis=0):
    """Stacks arrays along a new axis.

    Examples:
        >>> from mxjax import nd
        >>> nd.stack(nd.zeros(3), nd.ones(3), axis=1).shape
        (3, 2)
    """
    return _apply(_stack, axis, *data)


def _split(a, n, axis, squeeze_axis):
    parts = jnp.split(a, n, axis=axis)
    return tuple(jnp.squeeze(p, axis) if squeeze_axis else p for p in parts)


def split(data, num_outputs, axis=1, squeeze_axis=False):
    """Splits into ``num_outputs`` equal parts along ``axis`` (a list, or one array if 1).

    Examples:
        >>> from mxjax import nd
        >>> [p.shape for p in nd.split(nd.zeros((2, 4)), 2)]
        [(2, 2), (2, 2)]
    """
    n = _shape(data)[axis]
    if n % num_outputs:
        raise ValueError(
            f"nd.split: axis {axis} of size {n} cannot be split into {num_outputs} equal parts"
        )
    out = _apply(_split, data, num_outputs, axis, bool(squeeze_axis))
    return out[0] if num_outputs == 1 else list(out)


def slice(data, begin, end, step=None):  # noqa: A001
    """Slices with per-axis ``begin``/``end``/``step`` (None means the full range).

    Examples:
        >>> from mxjax import nd
        >>> nd.slice(nd.arange(6).reshape(2, 3), begin=(None, 1), end=(None, None)).shape
        (2, 2)
    """
    step = step or (None,) * len(begin)
    key = tuple(_pyslice(b, e, s) for b, e, s in zip(begin, end, step))
    return _apply(_getitem, data, key)


def _getitem(a, key):
    return a[key]


_pyslice = builtins.slice


def slice_axis(data, axis, begin, end):
    """Slices ``[begin, end)`` along one axis (``end=None`` means to the end).

    Examples:
        >>> from mxjax import nd
        >>> nd.slice_axis(nd.zeros((2, 5)), axis=1, begin=1, end=None).shape
        (2, 4)
    """
    nd_ = len(_shape(data))
    key = [_pyslice(None, None, None)] * nd_
    key[axis] = _pyslice(begin, end, None)
    return _apply(_getitem, data, tuple(key))


def _idx(i):
    return i.astype(jnp.int32)


def _take(x, i, axis, mode):
    return jnp.take(x, _idx(i), axis=axis, mode=mode)


def take(a, indices, axis=0, mode="clip"):
    """Gathers slices along ``axis`` at ``indices`` (``mode``: 'clip' or 'wrap').

    Examples:
        >>> from mxjax import nd
        >>> nd.take(nd.array([[1, 2], [3, 4]]), nd.array([1])).asnumpy()
        array([[3., 4.]], dtype=float32)
    """
    if mode not in ("clip", "wrap", "raise"):
        raise ValueError(f"nd.take: mode must be 'clip', 'wrap' or 'raise', got {mode!r}")
    return _apply(_take, a, indices, axis, "wrap" if mode == "wrap" else "clip")


def _pick(x, i, axis, keepdims, mode):
    ax = axis % x.ndim
    i = _idx(i)
    i = jnp.mod(i, x.shape[ax]) if mode == "wrap" else jnp.clip(i, 0, x.shape[ax] - 1)
    out = jnp.take_along_axis(x, jnp.expand_dims(i, ax), axis=ax)
    return out if keepdims else jnp.squeeze(out, ax)


def pick(data, index, axis=-1, keepdims=False, mode="clip"):
    """Picks one element per position along ``axis`` at ``index``.

    Examples:
        >>> from mxjax import nd
        >>> nd.pick(nd.array([[1, 2], [3, 4]]), nd.array([1, 0])).asnumpy()
        array([2., 3.], dtype=float32)
    """
    return _apply(_pick, data, index, axis, bool(keepdims), mode)


def one_hot(indices, depth, on_value=1.0, off_value=0.0, dtype="float32"):
    """One-hot encodes integer ``indices`` into a new last axis of size ``depth``.

    Examples:
        >>> from mxjax import nd
        >>> nd.one_hot(nd.array([1, 0]), 3).asnumpy()
        array([[0., 1., 0.],
               [1., 0., 0.]], dtype=float32)
    """

    def fn(i):
        i = jnp.expand_dims(_idx(i), -1)
        hot = i == jnp.arange(depth).reshape((1,) * (i.ndim - 1) + (depth,))
        return jnp.where(hot, on_value, off_value).astype(dtype)

    return NDArray(fn(indices.jax))


def _where(c, a, b):
    if c.ndim == 1 and a.ndim > 1:
        c = c.reshape((-1,) + (1,) * (a.ndim - 1))
        c = jnp.broadcast_to(c, a.shape)
    return jnp.where(c != 0, a, b)


def where(condition, x, y):
    """Elementwise ``x`` where ``condition`` is nonzero else ``y`` (1-D condition picks rows).

    Examples:
        >>> from mxjax import nd
        >>> nd.where(nd.array([1, 0]), nd.ones(2), nd.zeros(2)).asnumpy()
        array([1., 0.], dtype=float32)
    """
    return _apply(_where, condition, x, y)


def _sortable(data, axis):
    return (data.reshape((-1,)), 0) if axis is None else (data, axis)


def _sort(a, axis, descending):
    return jnp.sort(a, axis=axis, descending=descending)


def sort(data, axis=-1, is_ascend=True):
    """Sorts along ``axis`` (flattened when None).

    Examples:
        >>> from mxjax import nd
        >>> nd.sort(nd.array([3, 1, 2]), is_ascend=False).asnumpy()
        array([3., 2., 1.], dtype=float32)
    """
    if axis is None:
        data = reshape(data, (-1,))
        axis = 0
    return _apply(_sort, data, axis, not is_ascend)


def argsort(data, axis=-1, is_ascend=True, dtype="float32"):
    """Indices that sort along ``axis``, as ``dtype`` (float32 by default).

    Examples:
        >>> from mxjax import nd
        >>> nd.argsort(nd.array([3, 1, 2])).asnumpy()
        array([1., 2., 0.], dtype=float32)
    """
    a, ax = _sortable(data.jax, axis)
    return NDArray(jnp.argsort(a, axis=ax, stable=True, descending=not is_ascend).astype(dtype))


def _take_along(a, i, axis):
    return jnp.take_along_axis(a, i, axis=axis)


def topk(data, axis=-1, k=1, ret_typ="indices", is_ascend=False, dtype="float32"):
    """The ``k`` largest (or smallest) entries along ``axis``.

    ``ret_typ`` is ``'indices'`` (as ``dtype``), ``'value'``, ``'both'`` (``[value,
    indices]``) or ``'mask'`` (0/1 of the input's shape).

    Examples:
        >>> from mxjax import nd
        >>> nd.topk(nd.array([[3, 1, 2]]), k=2, ret_typ="value").asnumpy()
        array([[3., 2.]], dtype=float32)
    """
    if ret_typ not in ("indices", "value", "both", "mask"):
        raise ValueError(
            f"nd.topk: ret_typ must be 'indices', 'value', 'both' or 'mask', got {ret_typ!r}"
        )
    if axis is None:
        data = reshape(data, (-1,))
        axis = 0
    ax = axis % data.ndim
    order = jnp.argsort(data.jax, axis=ax, stable=True, descending=not is_ascend)
    idx = jnp.take(order, jnp.arange(k), axis=ax)
    if ret_typ == "mask":
        m = jnp.zeros(data.shape, data.dtype)
        ones = jnp.ones(idx.shape, data.dtype)
        return NDArray(jnp.put_along_axis(m, idx, ones, axis=ax, inplace=False))
    ind = NDArray(idx.astype(dtype))
    if ret_typ == "indices":
        return ind
    val = _apply(_take_along, data, NDArray(idx), ax)
    return val if ret_typ == "value" else [val, ind]
