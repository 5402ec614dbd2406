"""MXNet 1.x ``nd`` operators kept for old code: ``ElementWiseSum``, ``crop``, ``concatenate``, ...

Each is a thin, recorded operator (or an alias of one) with MXNet 1.9.1's
signature, and ``nd.contrib``'s common elementwise helpers
(``isinf``/``isfinite``/``isnan``, ``arange_like``, ``index_copy``, ...).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from mxjax._src.dispatch import apply as _apply
from mxjax._src.nd.creation import array, full, res_into
from mxjax._src.nd.ndarray import NDArray
from mxjax._src.nd.ops import add_n
from mxjax._src.nd.ops_shape import concat, slice

__all__ = [
    "ElementWiseSum",
    "allclose",
    "arange_like",
    "choose_element_0index",
    "concatenate",
    "crop",
    "div_sqrt_dim",
    "fill_element_0index",
    "from_numpy",
    "index_array",
    "index_copy",
    "isfinite",
    "isinf",
    "isnan",
    "moveaxis",
    "onehot_encode",
    "reset_arrays",
]


def ElementWiseSum(*args, **kwargs):  # noqa: N802
    """The sum of all arguments (MXNet's ``add_n`` under its old name).

    Examples:
        >>> from mxjax import nd
        >>> nd.ElementWiseSum(nd.ones((2,)), nd.ones((2,)) * 2).asnumpy()
        array([3., 3.], dtype=float32)
    """
    res = add_n(*args)
    out = kwargs.get("out")
    return res if out is None else res_into(out, res)


def _choose(a, idx):
    return jnp.take_along_axis(a, idx.astype(jnp.int32)[:, None], axis=1)[:, 0]


def choose_element_0index(lhs, rhs, out=None):
    """``lhs[i, rhs[i]]`` for each row ``i`` of a 2-D ``lhs``.

    Examples:
        >>> from mxjax import nd
        >>> nd.choose_element_0index(nd.array([[1, 2], [3, 4]]), nd.array([1, 0])).asnumpy()
        array([2., 3.], dtype=float32)
    """
    res = _apply(_choose, lhs, rhs)
    return res if out is None else res_into(out, res)


def _fill(a, val, idx):
    rows = jnp.arange(a.shape[0])
    return a.at[rows, idx.astype(jnp.int32)].set(val.astype(a.dtype))


def fill_element_0index(lhs, mhs, rhs, out=None):
    """A copy of 2-D ``lhs`` with ``lhs[i, rhs[i]] = mhs[i]`` for each row ``i``.

    Examples:
        >>> from mxjax import nd
        >>> nd.fill_element_0index(nd.zeros((2, 2)), nd.array([5, 6]), nd.array([1, 0])).asnumpy()
        array([[0., 5.],
               [6., 0.]], dtype=float32)
    """
    res = _apply(_fill, lhs, mhs, rhs)
    return res if out is None else res_into(out, res)


def onehot_encode(indices, out):
    """Writes the one-hot rows of ``indices`` into ``out`` (shape ``(n, depth)``); returns ``out``.

    Examples:
        >>> from mxjax import nd
        >>> out = nd.zeros((2, 3))
        >>> nd.onehot_encode(nd.array([2, 0]), out).asnumpy()
        array([[0., 0., 1.],
               [1., 0., 0.]], dtype=float32)
    """
    if not isinstance(out, NDArray) or out.ndim != 2:
        raise ValueError(
            "nd.onehot_encode: out must be a 2-D NDArray of shape (len(indices), depth)"
        )
    idx = indices.asnumpy().astype(np.int64)
    res = np.zeros(out.shape, dtype=out.dtype)
    res[np.arange(out.shape[0]), idx] = 1
    return res_into(out, jnp.asarray(res))


def crop(data, begin, end, step=None, out=None):
    """The old name of :func:`~mxjax.nd.slice`.

    Examples:
        >>> from mxjax import nd
        >>> nd.crop(nd.ones((2, 3, 4)), begin=(0, 0, 0), end=(2, 1, 3)).shape
        (2, 1, 3)
    """
    res = slice(data, begin, end, step)
    return res if out is None else res_into(out, res)


def concatenate(arrays, axis=0, always_copy=True):
    """Joins a list of arrays along ``axis`` (MXNet 1.x's Python-level helper).

    Examples:
        >>> from mxjax import nd
        >>> nd.concatenate([nd.ones((1, 2)), nd.zeros((2, 2))]).shape
        (3, 2)
    """
    arrays = list(arrays)
    if not arrays:
        raise ValueError("nd.concatenate: arrays must not be empty")
    if len(arrays) == 1 and not always_copy:
        return arrays[0]
    return concat(*arrays, dim=axis)


def moveaxis(tensor, source, destination):
    """Moves axis ``source`` to position ``destination`` (ints, or lists of axes).

    Examples:
        >>> from mxjax import nd
        >>> nd.moveaxis(nd.zeros((1, 2, 3)), 0, -1).shape
        (2, 3, 1)
        >>> nd.moveaxis(nd.zeros((1, 2, 3)), [0, 1], [2, 0]).shape
        (2, 3, 1)
    """
    ndim = tensor.ndim
    src, dst = _axes(source, ndim, "source"), _axes(destination, ndim, "destination")
    if len(src) != len(dst):
        raise ValueError(
            f"nd.moveaxis: source {source!r} and destination {destination!r} must have the "
            "same number of elements"
        )
    order = [n for n in range(ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _apply(jnp.transpose, tensor, tuple(order))


def _axes(a, ndim, what):
    axes = tuple(a) if isinstance(a, (list, tuple, range)) else (a,)
    out = []
    for ax in axes:
        ax = int(ax)
        if not -ndim <= ax < ndim:
            raise ValueError(
                f"nd.moveaxis: {what} axis {ax} is out of bounds for an array of dimension {ndim}"
            )
        out.append(ax % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"nd.moveaxis: repeated axis in {what} {a!r}")
    return out


def from_numpy(ndarray, zero_copy=True):
    """An NDArray holding the values of a NumPy array.

    ``zero_copy`` is accepted for MXNet compatibility; the values are always
    copied (JAX owns its buffers), so later writes to either array are not
    seen by the other.

    Examples:
        >>> import numpy as np
        >>> from mxjax import nd
        >>> nd.from_numpy(np.arange(3, dtype="int32")).asnumpy()
        array([0, 1, 2], dtype=int32)
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"nd.from_numpy: expected a numpy.ndarray, got {type(ndarray).__name__}")
    return array(ndarray, dtype=ndarray.dtype)


# ----------------------------------------------------------------------------- contrib
def _isinf(a):
    return jnp.isinf(a).astype(a.dtype)


def _isfinite(a):
    return jnp.isfinite(a).astype(a.dtype)


def _isnan(a):
    return jnp.isnan(a).astype(a.dtype)


def isinf(data):
    """1 where ``data`` is +-inf, else 0 (in ``data``'s dtype).

    Examples:
        >>> from mxjax import nd
        >>> nd.contrib.isinf(nd.array([1.0, float("inf")])).asnumpy()
        array([0., 1.], dtype=float32)
    """
    return _apply(_isinf, data)


def isfinite(data):
    """1 where ``data`` is finite, else 0 (in ``data``'s dtype).

    Examples:
        >>> from mxjax import nd
        >>> nd.contrib.isfinite(nd.array([1.0, float("nan")])).asnumpy()
        array([1., 0.], dtype=float32)
    """
    return _apply(_isfinite, data)


def isnan(data):
    """1 where ``data`` is NaN, else 0 (in ``data``'s dtype).

    Examples:
        >>> from mxjax import nd
        >>> nd.contrib.isnan(nd.array([1.0, float("nan")])).asnumpy()
        array([0., 1.], dtype=float32)
    """
    return _apply(_isnan, data)


def _arange_like(a, start, step, repeat, axis):
    n = a.size if axis is None else a.shape[axis]
    v = start + step * (jnp.arange(n) // repeat)
    v = v.astype(a.dtype)
    return v.reshape(a.shape) if axis is None else v


def arange_like(data, start=0.0, step=1.0, repeat=1, ctx=None, axis=None):
    """``arange`` with the shape of ``data`` (or the length of its ``axis``).

    Examples:
        >>> from mxjax import nd
        >>> nd.contrib.arange_like(nd.zeros((2, 2))).asnumpy()
        array([[0., 1.],
               [2., 3.]], dtype=float32)
    """
    return _apply(_arange_like, data, float(start), float(step), int(repeat), axis)


def _index_copy(old, idx, new):
    return old.at[idx.astype(jnp.int32)].set(new.astype(old.dtype))


def index_copy(old_tensor, index_vector, new_tensor):
    """A copy of ``old_tensor`` whose rows ``index_vector`` are replaced by ``new_tensor``'s rows.

    Examples:
        >>> from mxjax import nd
        >>> nd.contrib.index_copy(nd.zeros((3, 2)), nd.array([2]), nd.ones((1, 2))).asnumpy()
        array([[0., 0.],
               [0., 0.],
               [1., 1.]], dtype=float32)
    """
    return _apply(_index_copy, old_tensor, index_vector, new_tensor)


def _div_sqrt_dim(a):
    return a / jnp.sqrt(jnp.asarray(a.shape[-1], a.dtype))


def div_sqrt_dim(data):
    """``data / sqrt(data.shape[-1])`` (attention scaling).

    Examples:
        >>> from mxjax import nd
        >>> nd.contrib.div_sqrt_dim(nd.ones((1, 4))).asnumpy()
        array([[0.5, 0.5, 0.5, 0.5]], dtype=float32)
    """
    return _apply(_div_sqrt_dim, data)


def _index_array(a, axes):
    idx = jnp.indices(a.shape)
    if axes is not None:
        idx = idx[jnp.asarray(axes)]
    return jnp.moveaxis(idx, 0, -1).astype(jnp.int32)


def index_array(data, axes=None):
    """The index of every element of ``data``: shape ``data.shape + (len(axes),)``.

    Examples:
        >>> from mxjax import nd
        >>> nd.contrib.index_array(nd.zeros((1, 2))).asnumpy().tolist()
        [[[0, 0], [0, 1]]]
    """
    if axes is not None:
        axes = tuple(int(a) % data.ndim for a in ((axes,) if isinstance(axes, int) else axes))
    return _apply(_index_array, data, axes)


def _allclose(a, b, rtol, atol, equal_nan):
    return jnp.reshape(jnp.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan), (1,)).astype(
        jnp.float32
    )


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=True):
    """1 (shape ``(1,)``) when all ``|a - b| <= atol + rtol * |b|``, else 0.

    Examples:
        >>> from mxjax import nd
        >>> nd.contrib.allclose(nd.ones((2,)), nd.ones((2,)) + 1e-9).asnumpy()
        array([1.], dtype=float32)
    """
    return _apply(_allclose, a, b, float(rtol), float(atol), bool(equal_nan))


def reset_arrays(*data, num_arrays=None):
    """Sets every array of ``data`` to zero in place (MXNet's ``reset_arrays``, used by ``zero_grad``).

    Args:
        *data: the NDArrays to reset.
        num_arrays: the number of arrays (checked against ``len(data)`` when given).

    Examples:
        >>> from mxjax import nd
        >>> a, b = nd.ones((2,)), nd.ones((1, 2), dtype="float16")
        >>> nd.reset_arrays(a, b, num_arrays=2)
        >>> a.asnumpy().tolist(), b.asnumpy().tolist(), b.dtype.__name__
        ([0.0, 0.0], [[0.0, 0.0]], 'float16')
    """
    if num_arrays is not None and num_arrays != len(data):
        raise ValueError(f"reset_arrays: num_arrays={num_arrays} but {len(data)} arrays were given")
    for a in data:
        if not isinstance(a, NDArray):
            raise TypeError(f"reset_arrays: expected NDArrays; received {type(a).__name__}")
        # nd.full fills on the host on CPU: jnp.zeros compiles one program per shape
        a._data = full(a.shape, 0, a.context, a._data.dtype).jax
        a._entry = None
