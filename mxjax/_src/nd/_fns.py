"""Pure ``jax.numpy`` kernels behind NDArray operators (module-level, so they are reused)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def _align(a, b):
    # MXNet broadcasts operands of different rank by prepending unit axes; do it
    # explicitly (the test suite forbids implicit rank promotion).
    na, nb = jnp.ndim(a), jnp.ndim(b)
    if na and nb and na != nb:
        if na < nb:
            a = jnp.reshape(a, (1,) * (nb - na) + jnp.shape(a))
        else:
            b = jnp.reshape(b, (1,) * (na - nb) + jnp.shape(b))
    return a, b


def _is_int(x):
    return not jnp.issubdtype(jnp.result_type(x), jnp.inexact)


def add(a, b):
    a, b = _align(a, b)
    return jnp.add(a, b)


def sub(a, b):
    a, b = _align(a, b)
    return jnp.subtract(a, b)


def mul(a, b):
    a, b = _align(a, b)
    return jnp.multiply(a, b)


def div(a, b):
    a, b = _align(a, b)
    if _is_int(a) and _is_int(b):
        a, b = jnp.asarray(a), jnp.asarray(b)
        dt = jnp.result_type(a, b)
        a, b = jnp.broadcast_arrays(a.astype(dt), b.astype(dt))
        return jax.lax.div(a, b)
    return jnp.true_divide(a, b)


def floordiv(a, b):
    a, b = _align(a, b)
    return jnp.floor_divide(a, b)


def mod(a, b):
    a, b = _align(a, b)
    return jnp.mod(a, b)


def power(a, b):
    a, b = _align(a, b)
    return jnp.power(a, b)


_CMP = {
    "eq": jnp.equal,
    "ne": jnp.not_equal,
    "lt": jnp.less,
    "le": jnp.less_equal,
    "gt": jnp.greater,
    "ge": jnp.greater_equal,
}


def cmp(a, b, op):
    """Comparison returning 0/1 in the dtype of the array operand (MXNet)."""
    dt = a.dtype if hasattr(a, "dtype") else b.dtype
    a, b = _align(a, b)
    return _CMP[op](a, b).astype(dt)


def astype(a, dtype):
    return a.astype(dtype)


def reshape1(a):
    return jnp.reshape(a, (1,))


def norm_axis(axis, ndim, exclude):
    """Normalizes MXNet's ``axis``/``exclude`` to a tuple of axes (None for all)."""
    if axis is None or (isinstance(axis, (tuple, list)) and len(axis) == 0 and not exclude):
        axes = tuple(range(ndim))
        return axes if not exclude else ()
    if isinstance(axis, int):
        axis = (axis,)
    axes = []
    for ax in axis:
        if not -ndim <= ax < max(ndim, 1):
            raise ValueError(f"axis {ax} is out of range for an array with {ndim} dimensions")
        axes.append(ax % max(ndim, 1))
    if exclude:
        return tuple(i for i in range(ndim) if i not in axes)
    return tuple(sorted(set(axes)))


_RED = {"sum": jnp.sum, "mean": jnp.mean, "max": jnp.max, "min": jnp.min, "prod": jnp.prod}


def reduce(a, name, axes, keepdims):
    out = _RED[name](a, axis=axes, keepdims=keepdims)
    if out.ndim == 0:  # MXNet 1.x returns shape (1,) for full reductions
        out = out.reshape((1,))
    return out


def norm(a, ord, axes, keepdims):  # noqa: A002
    if ord == 1:
        out = jnp.sum(jnp.abs(a), axis=axes, keepdims=keepdims)
    else:
        out = jnp.sqrt(jnp.sum(jnp.square(a), axis=axes, keepdims=keepdims))
    if out.ndim == 0:
        out = out.reshape((1,))
    return out


def argreduce(a, kind, axis, keepdims):
    fn = jnp.argmax if kind == "max" else jnp.argmin
    if axis is None:
        out = fn(a.reshape(-1)).reshape((1,))
        if keepdims:
            out = out.reshape((1,) * a.ndim)
    else:
        out = fn(a, axis=axis, keepdims=keepdims)
    return out.astype(jnp.float32)


def getitem(a, key):
    return a[key]


def setitem(a, key, v):
    v = jnp.asarray(v, dtype=a.dtype)
    target = jax.eval_shape(lambda x: x[key], jax.ShapeDtypeStruct(a.shape, a.dtype)).shape
    if v.ndim > len(target):
        v = v.reshape(v.shape[v.ndim - len(target) :])
    elif 0 < v.ndim < len(target):
        v = v.reshape((1,) * (len(target) - v.ndim) + v.shape)
    return a.at[key].set(jnp.broadcast_to(v, target))


def np_dtype(dtype):
    return np.dtype(dtype)
