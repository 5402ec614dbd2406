"""Eager elementwise ``nd`` operators on the host: no XLA program per shape.

An eager operator (not recording, not inside a hybridized trace) on small CPU
arrays would otherwise compile one XLA program per input shape and dtype:
code that loops over many shapes (test-style code, data preparation,
metrics) spends seconds compiling programs that run for microseconds. MXNet
has no such cost. :func:`host_apply` runs the operators listed here with
NumPy instead when doing so gives the same result as the XLA program: exact
IEEE operations (``+ - * /``, comparisons, ``sqrt``, ``square``, ``abs``,
negation, ``astype``) on operands of one dtype, or an array with a Python scalar whose
promotion NumPy and JAX agree on. Anything else returns None and runs on JAX.
The one difference: the host's division is always correctly rounded (as
MXNet's), where XLA rewrites ``a / broadcast(b)`` as ``a * (1 / b)``, which
can differ in the last bit.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.nd import _fns as F
from mxjax._src.nd.ndarray import NDArray

__all__ = ["MAX_HOST_SIZE", "host_apply"]

MAX_HOST_SIZE = 1 << 20
"""Inputs with more elements than this run on XLA (the compiled program is worth its cost)."""

_DTYPES = frozenset(
    np.dtype(t)
    for t in (
        np.float16,
        np.float32,
        np.float64,
        np.int8,
        np.int16,
        np.int32,
        np.int64,
        np.uint8,
        np.uint16,
        np.uint32,
        np.uint64,
    )
)
_Tracer = jax.core.Tracer


def _div(a, b):
    if (a if isinstance(a, np.ndarray) else b).dtype.kind == "f":
        return np.true_divide(a, b)
    if np.any(b == 0):  # XLA's integer division by zero has its own convention
        raise _Fallback
    q = np.floor_divide(a, b)  # MXNet/XLA: truncate toward zero
    return q + ((np.remainder(a, b) != 0) & ((a < 0) != (b < 0))).astype(q.dtype)


_CMP = {
    "eq": np.equal,
    "ne": np.not_equal,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
}


def _cmp(a, b, op):
    dt = a.dtype if isinstance(a, np.ndarray) else b.dtype
    return _CMP[op](a, b).astype(dt)


def _float_only(np_fn):
    def run(a):
        if a.dtype.kind != "f":  # jnp promotes integers to float32, NumPy to float64
            raise _Fallback
        return np_fn(a)

    return run


def _astype(a, dtype):
    dtype = np.dtype(dtype)
    if dtype not in _DTYPES or jax.dtypes.canonicalize_dtype(dtype) != dtype:
        raise _Fallback
    if a.dtype.kind == "f" and dtype.kind in "iu":
        info = np.iinfo(dtype)  # NaN, inf and out-of-range values convert differently
        if not (np.isfinite(a).all() and info.min <= a.min() and a.max() <= info.max):
            raise _Fallback
    return a.astype(dtype)


_BINARY = {F.add: np.add, F.sub: np.subtract, F.mul: np.multiply, F.div: _div, F.cmp: _cmp}
_UNARY = {
    jnp.sqrt: _float_only(np.sqrt),
    jnp.square: np.square,
    jnp.abs: np.abs,
    jnp.negative: np.negative,
    F.reshape1: lambda a: np.reshape(a, (1,)),
}
_WITH_ARG = {F.astype: _astype}


class _Fallback(Exception):
    pass


def _host_array(a):
    """``a``'s value as a NumPy array when it is a small concrete CPU array of a plain dtype."""
    if not isinstance(a, jax.Array) or isinstance(a, _Tracer):
        raise _Fallback
    if a.dtype not in _DTYPES or a.size > MAX_HOST_SIZE:
        raise _Fallback
    if not getattr(a, "is_fully_addressable", False) or len(a.sharding.device_set) != 1:
        raise _Fallback
    if next(iter(a.sharding.device_set)).platform != "cpu":
        raise _Fallback
    return np.asarray(a)


def _scalar_ok(v, dtype) -> bool:
    """Whether ``array(dtype) <op> v`` promotes the same way in NumPy and JAX (to ``dtype``)."""
    if isinstance(v, bool):
        return False
    if isinstance(v, float):
        return dtype.kind == "f"
    if isinstance(v, int):
        if dtype.kind == "f":
            return True
        info = np.iinfo(dtype)
        return info.min <= v <= info.max
    return False


def host_apply(fn, inputs):
    """``fn(*inputs)`` computed with NumPy as an NDArray, or None when it must run on JAX.

    ``fn`` is the pure function :func:`mxjax._src.dispatch.apply` received; only
    the operators listed in this module qualify, on eager CPU arrays of at
    most :data:`MAX_HOST_SIZE` elements of one dtype (see the module docstring).

    Examples:
        >>> from mxjax import nd
        >>> from mxjax._src.nd import _fns as F
        >>> from mxjax._src.nd.host import host_apply
        >>> host_apply(F.add, (nd.array([1.0, 2.0]), nd.array([[3.0]]))).asnumpy()
        array([[4., 5.]], dtype=float32)
        >>> host_apply(F.add, (nd.array([1.0]), 2.5)).asnumpy()
        array([3.5], dtype=float32)
        >>> host_apply(F.add, (nd.array([1], dtype="int32"), 2.5)) is None  # promotes differently
        True
    """
    try:
        if fn in _BINARY:
            np_fn = _BINARY[fn]
            extra = ()
            if fn is F.cmp:
                if len(inputs) != 3 or inputs[2] not in _CMP:
                    return None
                extra = (inputs[2],)
            elif len(inputs) != 2:
                return None
            a, b = inputs[0], inputs[1]
            arrays = [x for x in (a, b) if isinstance(x, NDArray)]
            if not arrays or any(type(x) is not NDArray for x in arrays):
                return None
            vals = [_host_array(x._data) for x in arrays]
            dtype = vals[0].dtype
            if any(v.dtype != dtype for v in vals):
                return None
            if len(vals) == 1:
                scalar = b if isinstance(a, NDArray) else a
                if not _scalar_ok(scalar, dtype):
                    return None
                args = (vals[0], scalar) if isinstance(a, NDArray) else (scalar, vals[0])
            else:
                args = tuple(vals)
            ref = arrays[0]._data
        elif fn in _UNARY or fn in _WITH_ARG:
            n = 1 if fn in _UNARY else 2
            if len(inputs) != n or type(inputs[0]) is not NDArray:
                return None
            np_fn = _UNARY[fn] if n == 1 else _WITH_ARG[fn]
            args = (_host_array(inputs[0]._data),)
            extra = tuple(inputs[1:])
            ref = inputs[0]._data
        else:
            return None
        with np.errstate(all="ignore"):  # inf/nan/overflow as IEEE and XLA give them
            out = np.asarray(np_fn(*args, *extra))
    except (_Fallback, TypeError, OverflowError):
        return None
    except ValueError:  # shapes that do not broadcast: let JAX raise its error
        return None
    return NDArray(jax.device_put(np.ascontiguousarray(out), ref.sharding))
