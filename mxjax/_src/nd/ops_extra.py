"""More ``nd`` operators of MXNet 1.9.1 (also NDArray methods): ``fix``, ``pad``, ``diag`` ...

Each is a thin, recorded operator with MXNet's signature and semantics,
checked against MXNet 1.9.1 in ``tests/facade/test_nd_extra_ops.py``.
"""

from __future__ import annotations

import builtins

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.dispatch import apply as _apply
from mxjax._src.nd import _fns as F
from mxjax._src.nd._mode import is_recording
from mxjax._src.nd.creation import ones_like, res_into, zeros_like
from mxjax._src.nd.ndarray import NDArray, register_methods
from mxjax._src.nd.ops import _softmax, broadcast_axis
from mxjax._src.nd.ops_shape import _getitem, _pyslice

__all__ = [
    "Embedding", "argmax_channel", "broadcast_axes", "degrees", "diag", "fix", "nanprod",
    "nansum", "pad", "radians", "rcbrt", "shape_array", "size_array", "slice_like", "softmin",
    "split_v2",
]  # fmt: skip


def _out(res, out):
    return res if out is None else res_into(out, res)


def _elementwise(name, fn, doc, example):
    def op(data, out=None, **kwargs):
        return _out(_apply(fn, data), out)

    op.__name__ = name
    op.__doc__ = f"""{doc}

    Examples:
        >>> from mxjax import nd
        >>> nd.{name}({example[0]}).asnumpy()
        {example[1]}
    """
    return op


def _rcbrt(a):
    return 1.0 / jnp.cbrt(a)


fix = _elementwise(
    "fix", jnp.trunc, "Rounds toward zero.", ("nd.array([-1.5, 2.7])", "array([-1.,  2.], dtype=float32)")
)  # fmt: skip
degrees = _elementwise(
    "degrees", jnp.degrees, "Radians to degrees.", ("nd.array([0.0])", "array([0.], dtype=float32)")
)  # fmt: skip
radians = _elementwise(
    "radians", jnp.radians, "Degrees to radians.", ("nd.array([0.0])", "array([0.], dtype=float32)")
)  # fmt: skip
rcbrt = _elementwise(
    "rcbrt", _rcbrt, "The reciprocal cube root ``1 / cbrt(x)``.", ("nd.array([8.0])", "array([0.5], dtype=float32)")
)  # fmt: skip


def softmin(data, axis=-1, temperature=None, dtype=None, **kwargs):
    """Softmin along ``axis``: the softmax of ``-data``.

    Examples:
        >>> from mxjax import nd
        >>> nd.softmin(nd.array([[0.0, 0.0]])).asnumpy()
        array([[0.5, 0.5]], dtype=float32)
    """
    t = 1.0 if temperature is None else temperature
    return _apply(_softmax, data, axis, -t)


def _embedding(indices, weight):
    # MXNet truncates float indices toward zero and clips them to [0, input_dim - 1]
    idx = jnp.clip(indices.astype(jnp.int32), 0, weight.shape[0] - 1)
    return jnp.take(weight, idx, axis=0)


def Embedding(  # noqa: N802
    data, weight, input_dim, output_dim, dtype="float32", sparse_grad=False, out=None, **kwargs
):
    """Maps integer indices to rows of ``weight``: ``out[..., :] = weight[data[...], :]``.

    MXNet's ``Embedding`` operator. Indices (any dtype; floats are truncated)
    are clipped to ``[0, input_dim - 1]``; the output has shape
    ``data.shape + (output_dim,)`` and ``weight``'s dtype (``dtype`` names the
    weight's dtype when MXNet infers it, as here it is given). Recorded under
    autograd: the gradient w.r.t. ``weight`` sums the output gradients of each
    index's row. With ``sparse_grad=True`` that gradient is row-sparse: the
    weight's gradient must be attached with ``stype='row_sparse'`` (a Gluon
    Parameter with ``grad_stype='row_sparse'``), and with ``sparse_grad=False``
    it must be dense, as MXNet 1.9.1 checks.

    Args:
        data: the indices, any shape.
        weight: ``(input_dim, output_dim)`` embedding matrix.
        input_dim: vocabulary size (``weight.shape[0]``).
        output_dim: embedding size (``weight.shape[1]``).
        dtype: the weight's dtype.
        sparse_grad: whether the gradient w.r.t. ``weight`` is row-sparse.

    Raises:
        ValueError: ``weight``'s shape is not ``(input_dim, output_dim)``, or the
            attached gradient's storage type does not match ``sparse_grad``.

    Examples:
        >>> from mxjax import autograd, nd
        >>> w = nd.arange(6).reshape((3, 2))
        >>> nd.Embedding(nd.array([2, 0, 7]), w, input_dim=3, output_dim=2).asnumpy()
        array([[4., 5.],
               [0., 1.],
               [4., 5.]], dtype=float32)
        >>> w.attach_grad(stype="row_sparse")
        >>> with autograd.record():
        ...     y = nd.Embedding(nd.array([[0, 2], [2, 2]]), w, 3, 2, sparse_grad=True)
        >>> y.backward()
        >>> w.grad.stype, w.grad.asnumpy().tolist()
        ('row_sparse', [[1.0, 1.0], [0.0, 0.0], [3.0, 3.0]])
    """
    if not isinstance(weight, NDArray):
        raise TypeError(
            f"nd.Embedding: weight must be an NDArray; received {type(weight).__name__}"
        )
    expect = (int(input_dim), int(output_dim))
    if tuple(weight.shape) != expect:
        raise ValueError(
            f"nd.Embedding: weight must have shape (input_dim, output_dim) = {expect}; "
            f"received {tuple(weight.shape)}"
        )
    grad = getattr(weight, "_grad", None)
    if is_recording() and grad is not None and weight._grad_req not in (None, "null"):
        stype = getattr(grad, "stype", "default")
        if (stype == "row_sparse") != bool(sparse_grad):
            raise ValueError(
                f"nd.Embedding: cannot use sparse_grad={bool(sparse_grad)} while the storage "
                f"type of the gradient w.r.t. the embedding weight is {stype!r}"
            )
    if not isinstance(data, NDArray):
        data = NDArray(jnp.asarray(np.asarray(data)))
    res = _apply(_embedding, data, weight)
    res._ctx = data._ctx  # on the indices' context (cpu(1) on a one-device host), as MXNet
    return _out(res, out)


def _nanreduce(a, name, axis, keepdims):
    fill = 0 if name == "sum" else 1
    return F.reduce(jnp.where(jnp.isnan(a), jnp.asarray(fill, a.dtype), a), name, axis, keepdims)


def nansum(data, axis=None, keepdims=False, exclude=False, out=None, **kwargs):
    """Sum over ``axis``, NaN counted as zero (full reductions give shape ``(1,)``).

    Examples:
        >>> from mxjax import nd
        >>> nd.nansum(nd.array([1.0, float("nan"), 2.0])).asnumpy()
        array([3.], dtype=float32)
    """
    ax = F.norm_axis(axis, data.ndim, exclude)
    return _out(_apply(_nanreduce, data, "sum", ax, keepdims), out)


def nanprod(data, axis=None, keepdims=False, exclude=False, out=None, **kwargs):
    """Product over ``axis``, NaN counted as one (full reductions give shape ``(1,)``).

    Examples:
        >>> from mxjax import nd
        >>> nd.nanprod(nd.array([2.0, float("nan"), 3.0])).asnumpy()
        array([6.], dtype=float32)
    """
    ax = F.norm_axis(axis, data.ndim, exclude)
    return _out(_apply(_nanreduce, data, "prod", ax, keepdims), out)


def argmax_channel(data, out=None):
    """Index of the maximum along axis 1 (the channel axis), as float32.

    Examples:
        >>> from mxjax import nd
        >>> nd.argmax_channel(nd.array([[0, 1, 2], [5, 4, 3]])).asnumpy()
        array([2., 0.], dtype=float32)
    """
    return data.argmax(axis=1, out=out)


def shape_array(data, out=None, **kwargs):
    """The shape of ``data`` as a 1-D integer array (int64 in MXNet; int32 without JAX's x64).

    Examples:
        >>> from mxjax import nd
        >>> nd.shape_array(nd.zeros((2, 3))).asnumpy().tolist()
        [2, 3]
    """
    return _out(NDArray(jax.device_put(np.asarray(data.shape, np.int64))), out)


def size_array(data, out=None, **kwargs):
    """The number of elements of ``data`` as a 1-element integer array.

    Examples:
        >>> from mxjax import nd
        >>> nd.size_array(nd.zeros((2, 3))).asnumpy().tolist()
        [6]
    """
    return _out(NDArray(jax.device_put(np.asarray([data.size], np.int64))), out)


def broadcast_axes(data, axis=(), size=(), out=None):
    """Alias of :func:`broadcast_axis` (MXNet's other name).

    Examples:
        >>> from mxjax import nd
        >>> nd.broadcast_axes(nd.zeros((2, 1)), axis=1, size=3).shape
        (2, 3)
    """
    return _out(broadcast_axis(data, axis=axis, size=size), out)


def _split_at(a, cuts, axis, squeeze_axis):
    parts = jnp.split(a, cuts, axis=axis)
    return tuple(jnp.squeeze(p, axis) if squeeze_axis else p for p in parts)


def split_v2(data, indices_or_sections, axis=0, squeeze_axis=False):
    """Splits along ``axis`` into equal sections (an int) or at indices (a tuple), as NumPy.

    Examples:
        >>> from mxjax import nd
        >>> [p.shape for p in nd.split_v2(nd.zeros((2, 6)), (1, 3), axis=1)]
        [(2, 1), (2, 2), (2, 3)]
    """
    n = data.shape[axis]
    if isinstance(indices_or_sections, int):
        if n % indices_or_sections:
            raise ValueError(
                f"nd.split_v2: axis {axis} of size {n} cannot be split into "
                f"{indices_or_sections} equal sections"
            )
        step = n // indices_or_sections
        cuts = tuple(range(step, n, step))
    else:
        cuts = tuple(int(i) for i in indices_or_sections)
        cuts = cuts[1:] if cuts and cuts[0] == 0 else cuts  # MXNet allows a leading 0
    out = _apply(_split_at, data, cuts, axis, bool(squeeze_axis))
    return out[0] if len(out) == 1 else list(out)


def slice_like(data, shape_like, axes=(), out=None):
    """Slices ``data`` to the shape of ``shape_like`` along ``axes`` (all axes if empty).

    Examples:
        >>> from mxjax import nd
        >>> nd.slice_like(nd.zeros((4, 5)), nd.zeros((2, 3))).shape
        (2, 3)
        >>> nd.slice_like(nd.zeros((4, 5)), nd.zeros((2, 3)), axes=(1,)).shape
        (4, 3)
    """
    target = tuple(shape_like.shape)
    axes = tuple(axes) if axes else tuple(range(builtins.min(data.ndim, len(target))))
    key = [builtins.slice(None)] * data.ndim
    for a in axes:
        key[a % data.ndim] = builtins.slice(0, target[a % len(target)])
    return _out(_apply(_getitem, data, tuple(key)), out)


def _pad(a, widths, mode, value):
    if mode == "constant":
        return jnp.pad(a, widths, mode="constant", constant_values=jnp.asarray(value, a.dtype))
    return jnp.pad(a, widths, mode=mode)


def pad(data, mode, pad_width, constant_value=0.0, out=None):
    """Pads a 4-D or 5-D array; ``pad_width`` has 2 entries (before, after) per axis.

    ``mode``: ``'constant'`` (``constant_value``), ``'edge'`` or ``'reflect'``.
    As in MXNet, the first two axes (batch, channel) cannot be padded.

    Examples:
        >>> from mxjax import nd
        >>> nd.pad(nd.ones((1, 1, 2, 2)), mode="constant", pad_width=(0, 0, 0, 0, 1, 1, 1, 1)).shape
        (1, 1, 4, 4)
    """
    if data.ndim not in (4, 5):
        raise ValueError(f"nd.pad: only 4-D or 5-D input is supported, got shape {data.shape}")
    if mode not in ("constant", "edge", "reflect"):
        raise ValueError(f"nd.pad: mode must be 'constant', 'edge' or 'reflect', got {mode!r}")
    pw = tuple(int(p) for p in pad_width)
    if len(pw) != 2 * data.ndim or any(pw[:4]):
        raise ValueError(
            f"nd.pad: pad_width must have {2 * data.ndim} entries with zeros for the first two "
            f"axes, got {tuple(pad_width)}"
        )
    widths = tuple((pw[2 * i], pw[2 * i + 1]) for i in range(data.ndim))
    return _out(_apply(_pad, data, widths, mode, constant_value), out)


def _diag(a, k, axis1, axis2):
    if a.ndim == 1:
        return jnp.diag(a, k)
    return jnp.diagonal(a, k, axis1, axis2)


def diag(data, k=0, axis1=0, axis2=1, out=None):
    """The ``k``-th diagonal of ``data`` (axes ``axis1``, ``axis2``), or a diagonal matrix of a 1-D array.

    Examples:
        >>> from mxjax import nd
        >>> nd.diag(nd.array([[1, 2], [3, 4]])).asnumpy()
        array([1., 4.], dtype=float32)
        >>> nd.diag(nd.array([1, 2])).shape
        (2, 2)
    """
    return _out(_apply(_diag, data, k, axis1, axis2), out)


def _crop_assign(lhs, rhs, begin, end, step=None, out=None):
    """``lhs`` with ``lhs[begin:end:step] = rhs`` (MXNet's ``nd._internal._crop_assign``).

    Examples:
        >>> from mxjax import nd
        >>> x = nd.ones((2, 3))
        >>> nd._internal._crop_assign(x, nd.zeros((1, 2)), begin=(0, 0), end=(1, 2)).asnumpy()
        array([[0., 0., 1.],
               [1., 1., 1.]], dtype=float32)
    """
    step = step or (None,) * len(begin)
    key = tuple(_pyslice(b, e, s) for b, e, s in zip(begin, end, step))
    return _out(_apply(_set_slice, lhs, key, rhs), out)


def _crop_assign_scalar(data, scalar=0.0, begin=(), end=(), step=None, out=None):
    """``data`` with ``data[begin:end:step] = scalar`` (MXNet's ``_crop_assign_scalar``).

    Examples:
        >>> from mxjax import nd
        >>> nd._internal._crop_assign_scalar(nd.ones((3,)), scalar=5, begin=(1,), end=(2,)).asnumpy()
        array([1., 5., 1.], dtype=float32)
    """
    step = step or (None,) * len(begin)
    key = tuple(_pyslice(b, e, s) for b, e, s in zip(begin, end, step))
    return _out(_apply(_set_slice, data, key, float(scalar)), out)


def _set_slice(a, key, v):
    return a.at[key].set(jnp.asarray(v, a.dtype))


_METHODS = (
    fix, degrees, radians, rcbrt, softmin, nansum, nanprod, argmax_channel, shape_array,
    size_array, broadcast_axes, split_v2, slice_like, pad, diag, zeros_like, ones_like,
)  # fmt: skip
register_methods({fn.__name__: fn for fn in _METHODS})
