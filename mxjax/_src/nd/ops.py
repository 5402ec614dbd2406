"""The ``nd`` math, neural-network and reduction operators (each records a tape node)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mxjax._src import ops as core_ops
from mxjax._src.dispatch import apply as _apply
from mxjax._src.nd import _fns as F
from mxjax._src.nd._mode import is_recording, is_training
from mxjax._src.nd.creation import array, res_into
from mxjax._src.nd.ndarray import register_methods
from mxjax._src.nd.ops_shape import *  # noqa: F403
from mxjax._src.nd.ops_shape import __all__ as _shape_all
from mxjax._src.nd.random import next_key


@jax.custom_jvp
def _relu(x):
    return jnp.maximum(x, jnp.zeros((), x.dtype))


@_relu.defjvp
def _relu_jvp(primals, tangents):
    # MXNet 1.9.1's relu gradient is NaN where the input is NaN (jax.nn.relu's is 0)
    (x,), (t,) = primals, tangents
    slope = jnp.where(jnp.isnan(x), x, (x > 0).astype(x.dtype))
    return _relu(x), t * slope


_UNARY = {
    "exp": jnp.exp, "log": jnp.log, "sqrt": jnp.sqrt, "square": jnp.square, "abs": jnp.abs,
    "sign": jnp.sign, "negative": jnp.negative, "reciprocal": jnp.reciprocal,
    "rsqrt": jax.lax.rsqrt, "cbrt": jnp.cbrt, "sin": jnp.sin, "cos": jnp.cos, "tan": jnp.tan,
    "arcsin": jnp.arcsin, "arccos": jnp.arccos, "arctan": jnp.arctan, "sinh": jnp.sinh,
    "cosh": jnp.cosh, "arcsinh": jnp.arcsinh, "arccosh": jnp.arccosh, "arctanh": jnp.arctanh,
    "floor": jnp.floor, "ceil": jnp.ceil, "round": jnp.round, "rint": jnp.rint,
    "trunc": jnp.trunc, "log2": jnp.log2, "log10": jnp.log10,
    "log1p": jnp.log1p, "expm1": jnp.expm1, "relu": _relu, "sigmoid": jax.nn.sigmoid,
    "tanh": jnp.tanh, "softsign": core_ops.softsign, "erf": jax.scipy.special.erf,
    "gamma": lambda a: jnp.exp(jax.scipy.special.gammaln(a)),
    "gammaln": jax.scipy.special.gammaln,
}  # fmt: skip

_BINARY = {
    "add": F.add, "subtract": F.sub, "multiply": F.mul, "divide": F.div, "modulo": F.mod,
    "power": F.power,
    "maximum": lambda a, b: jnp.maximum(*F._align(a, b)),
    "minimum": lambda a, b: jnp.minimum(*F._align(a, b)),
    "hypot": lambda a, b: jnp.hypot(*F._align(a, b)),
}  # fmt: skip
_CMPS = {
    "equal": "eq", "not_equal": "ne", "greater": "gt", "greater_equal": "ge",
    "lesser": "lt", "lesser_equal": "le",
}  # fmt: skip


def _unary(name, fn):
    def op(data, out=None, **kwargs):
        res = _apply(fn, data)
        return res if out is None else res_into(out, res)

    op.__name__ = name
    op.__doc__ = f"""Elementwise ``{name}`` (records a tape node).

    Examples:
        >>> from mxjax import nd
        >>> nd.{name}(nd.array([0.5])).shape
        (1,)
    """
    return op


def _binary(name, fn):
    def op(lhs, rhs, out=None, **kwargs):
        # MXNet ignores attributes of parameterless operators (e.g. ``axis=``).
        res = _apply(fn, lhs, rhs)
        return res if out is None else res_into(out, res)

    op.__name__ = name
    op.__doc__ = f"""Elementwise ``{name}`` with broadcasting; NDArrays or scalars.

    Examples:
        >>> from mxjax import nd
        >>> nd.{name}(nd.array([[2.0]]), nd.array([1.0])).shape
        (1, 1)
    """
    return op


def _cmp(name, code):
    def op(lhs, rhs, out=None, **kwargs):
        res = _apply(F.cmp, lhs, rhs, code)
        return res if out is None else res_into(out, res)

    op.__name__ = name
    op.__doc__ = f"""Elementwise ``{name}`` as 0/1 in the input's dtype.

    Examples:
        >>> from mxjax import nd
        >>> nd.{name}(nd.array([1.0, 2.0]), nd.array([2.0, 2.0])).dtype
        <class 'numpy.float32'>
    """
    return op


_generated = {}
for _n, _f in _UNARY.items():
    _generated[_n] = _unary(_n, _f)
for _n, _f in _BINARY.items():
    _generated[_n] = _binary(_n, _f)
    for _prefix in ("broadcast_", "elemwise_"):
        _full = _prefix + _n.replace("subtract", "sub").replace("multiply", "mul")
        _generated[_full] = _binary(_full, _f)
for _n, _c in _CMPS.items():
    _generated[_n] = _cmp(_n, _c)
    _generated["broadcast_" + _n] = _cmp("broadcast_" + _n, _c)
for _alias, _n in (("broadcast_div", "divide"), ("broadcast_mod", "modulo"),
                   ("broadcast_power", "power"), ("elemwise_div", "divide"),
                   ("broadcast_plus", "add"), ("broadcast_minus", "subtract")):  # fmt: skip
    _generated[_alias] = _generated[_n]
globals().update(_generated)


def _reduction(name):
    def op(data, axis=None, keepdims=False, exclude=False, out=None, **kwargs):
        res = _apply(F.reduce, data, name, F.norm_axis(axis, data.ndim, exclude), keepdims)
        return res if out is None else res_into(out, res)

    op.__name__ = name
    op.__doc__ = f"""``{name}`` over ``axis`` (all axes if None; all others if ``exclude``).

    Full reductions return shape ``(1,)``, as in MXNet 1.x.

    Examples:
        >>> from mxjax import nd
        >>> nd.{name}(nd.ones((2, 3)), axis=1).shape
        (2,)
    """
    return op


sum = _reduction("sum")  # noqa: A001
mean = _reduction("mean")
max = _reduction("max")  # noqa: A001
min = _reduction("min")  # noqa: A001
prod = _reduction("prod")


def argmax(data, axis=None, keepdims=False, out=None):
    """Indices of the maxima along ``axis`` as float32.

    Examples:
        >>> from mxjax import nd
        >>> nd.argmax(nd.array([[1, 3, 2]]), axis=1).asnumpy()
        array([1.], dtype=float32)
    """
    return data.argmax(axis=axis, keepdims=keepdims, out=out)


def argmin(data, axis=None, keepdims=False, out=None):
    """Indices of the minima along ``axis`` as float32.

    Examples:
        >>> from mxjax import nd
        >>> nd.argmin(nd.array([[1, 3, 2]]), axis=1).asnumpy()
        array([0.], dtype=float32)
    """
    return data.argmin(axis=axis, keepdims=keepdims, out=out)


def norm(data, ord=2, axis=None, keepdims=False):  # noqa: A002
    """L1 or L2 norm over ``axis`` (all elements, shape ``(1,)``, if None).

    Examples:
        >>> from mxjax import nd
        >>> nd.norm(nd.array([3, 4])).asnumpy()
        array([5.], dtype=float32)
    """
    return data.norm(ord=ord, axis=axis, keepdims=keepdims)


def clip(data, a_min, a_max, out=None):
    """Clips values into ``[a_min, a_max]`` (into ``out`` when given).

    Examples:
        >>> from mxjax import nd
        >>> nd.clip(nd.array([-2, 0, 2]), -1, 1).asnumpy()
        array([-1.,  0.,  1.], dtype=float32)
    """
    res = _apply(jnp.clip, data, a_min, a_max)
    return res if out is None else res_into(out, res)


def _add_n(*xs):
    out = xs[0]
    for x in xs[1:]:
        out = out + x
    return out


def add_n(*args):
    """Sum of all arguments.

    Examples:
        >>> from mxjax import nd
        >>> nd.add_n(nd.ones(2), nd.ones(2)).asnumpy()
        array([2., 2.], dtype=float32)
    """
    return _apply(_add_n, *args)


def _dot(a, b, ta, tb):
    if ta:
        a = jnp.transpose(a)
    if tb:
        b = jnp.transpose(b)
    out = jnp.tensordot(a, b, axes=1)
    return out.reshape((1,)) if out.ndim == 0 else out


def dot(lhs, rhs, transpose_a=False, transpose_b=False):
    """MXNet's dot: contracts the last axis of ``lhs`` with the first of ``rhs``.

    Examples:
        >>> from mxjax import nd
        >>> nd.dot(nd.ones((2, 3)), nd.ones((2, 4)), transpose_a=True).shape
        (3, 4)
    """
    return _apply(_dot, lhs, rhs, transpose_a, transpose_b)


def _batch_dot(a, b, ta, tb):
    if ta:
        a = jnp.swapaxes(a, -1, -2)
    if tb:
        b = jnp.swapaxes(b, -1, -2)
    return jnp.matmul(a, b)


def batch_dot(lhs, rhs, transpose_a=False, transpose_b=False):
    """Batched matrix product of ``(B, M, K)`` and ``(B, K, N)`` arrays.

    Examples:
        >>> from mxjax import nd
        >>> nd.batch_dot(nd.ones((2, 3, 4)), nd.ones((2, 5, 4)), transpose_b=True).shape
        (2, 3, 5)
    """
    return _apply(_batch_dot, lhs, rhs, transpose_a, transpose_b)


def _softmax(a, axis, t):
    return jax.nn.softmax(a / t, axis=axis)


def _log_softmax(a, axis, t):
    return jax.nn.log_softmax(a / t, axis=axis)


def softmax(data, axis=-1, temperature=None, dtype=None, **kwargs):
    """Softmax along ``axis``, optionally with a temperature.

    Examples:
        >>> from mxjax import nd
        >>> nd.softmax(nd.array([[0.0, 0.0]])).asnumpy()
        array([[0.5, 0.5]], dtype=float32)
    """
    return _apply(_softmax, data, axis, 1.0 if temperature is None else temperature)


def log_softmax(data, axis=-1, temperature=None, dtype=None, **kwargs):
    """Log-softmax along ``axis``.

    Examples:
        >>> from mxjax import nd
        >>> nd.log_softmax(nd.array([[0.0, 0.0]])).shape
        (1, 2)
    """
    return _apply(_log_softmax, data, axis, 1.0 if temperature is None else temperature)


def Activation(data, act_type):  # noqa: N802
    """MXNet's Activation op: ``relu``, ``sigmoid``, ``tanh``, ``softrelu``, ``softsign``.

    Examples:
        >>> from mxjax import nd
        >>> nd.Activation(nd.array([-1.0, 1.0]), act_type="relu").asnumpy()
        array([0., 1.], dtype=float32)
    """
    return _apply(core_ops.activation_fn(act_type, "nd.Activation"), data)


def _leaky(a, act_type, slope):
    if act_type == "leaky":
        return jnp.where(a > 0, a, a * slope)
    return jnp.where(a > 0, a, slope * jnp.expm1(a))


def LeakyReLU(data, act_type="leaky", slope=0.25, **kwargs):  # noqa: N802
    """Leaky ReLU (``act_type='leaky'``) or ELU (``'elu'``).

    Examples:
        >>> from mxjax import nd
        >>> nd.LeakyReLU(nd.array([-1.0]), slope=0.1).asnumpy()
        array([-0.1], dtype=float32)
    """
    if act_type in ("leaky", "elu"):
        return _apply(_leaky, data, act_type, slope)
    raise ValueError(f"nd.LeakyReLU: act_type must be 'leaky' or 'elu', got {act_type!r}")


def _fc(x, w, b, flatten):
    if flatten:
        x = x.reshape((x.shape[0], -1))
    y = jnp.matmul(x, w.T)
    if b is not None:
        y = y + b.reshape((1,) * (y.ndim - 1) + (-1,))
    return y


def FullyConnected(data, weight, bias=None, num_hidden=None, no_bias=False, flatten=True):  # noqa: N802
    """MXNet's FullyConnected: ``data @ weight.T + bias`` (``weight`` is ``(units, in)``).

    Examples:
        >>> from mxjax import nd
        >>> nd.FullyConnected(nd.ones((2, 3)), nd.ones((4, 3)), nd.zeros(4), num_hidden=4).shape
        (2, 4)
    """
    return _apply(_fc, data, weight, None if no_bias else bias, bool(flatten))


def cast(data, dtype):
    """Casts to ``dtype`` (MXNet's ``cast``/``Cast``); differentiable for float types.

    Examples:
        >>> from mxjax import nd
        >>> nd.cast(nd.array([1.7]), "int32").asnumpy()
        array([1], dtype=int32)
    """
    return data.astype(dtype)


Cast = cast


def _dropout(a, key, p):
    keep = jax.random.bernoulli(key, 1.0 - p, a.shape)
    return jnp.where(keep, a / (1.0 - p), jnp.zeros((), a.dtype))


def Dropout(data, p=0.5, mode="training", axes=(), **kwargs):  # noqa: N802
    """Drops a fraction ``p`` of entries and rescales the rest by ``1/(1-p)``.

    Active only while ``autograd.is_training()`` (``mode='training'``) or always
    (``mode='always'``); uses the facade's global random generator.

    Examples:
        >>> from mxjax import autograd, nd
        >>> nd.Dropout(nd.ones((2,)), p=0.5).asnumpy()  # not training: identity
        array([1., 1.], dtype=float32)
    """
    if not 0 <= p < 1:
        raise ValueError(f"nd.Dropout: p must be in [0, 1), got {p!r}")
    if p == 0 or (mode == "training" and not is_training()):
        if is_recording():  # a recorded identity, so that its output has a graph (as MXNet)
            return _apply(_identity, data)
        return data
    return _apply(_dropout, data, next_key(), float(p))


def _identity(x):
    return x


def eye(N, M=0, k=0, ctx=None, dtype="float32"):  # noqa: N803
    """A 2-D array with ones on the ``k``-th diagonal.

    Examples:
        >>> from mxjax import nd
        >>> nd.eye(2).asnumpy()
        array([[1., 0.],
               [0., 1.]], dtype=float32)
    """
    return array(jnp.eye(N, M or N, k, dtype=dtype), ctx=ctx, dtype=dtype)


def linspace(start, stop, num, endpoint=True, ctx=None, dtype="float32"):
    """``num`` evenly spaced values from ``start`` to ``stop``.

    Examples:
        >>> from mxjax import nd
        >>> nd.linspace(0, 1, 3).asnumpy()
        array([0. , 0.5, 1. ], dtype=float32)
    """
    return array(jnp.linspace(start, stop, num, endpoint=endpoint), ctx=ctx, dtype=dtype)


def waitall() -> None:
    """Blocks until all pending computations finish.

    Examples:
        >>> from mxjax import nd
        >>> nd.waitall()
    """
    jax.effects_barrier()


__all__ = [
    *_shape_all, *sorted(_generated), "Activation", "Cast", "Dropout", "cast", "eye", "linspace", "FullyConnected", "LeakyReLU", "add_n",
    "argmax", "argmin", "batch_dot", "clip", "dot", "log_softmax", "max", "mean", "min",
    "norm", "prod", "softmax", "sum", "waitall",
]  # fmt: skip

# Names callable as NDArray methods (``x.relu()``) through ``NDArray.__getattr__``.
METHODS: set[str] = {
    *_UNARY, "clip", "dot", "softmax", "log_softmax", "flatten", "expand_dims", "squeeze",
    "transpose", "swapaxes", "flip", "tile", "repeat", "broadcast_to", "broadcast_axis",
    "broadcast_like", "split", "slice", "slice_axis", "take", "pick", "one_hot", "sort",
    "argsort", "topk", "maximum", "minimum", "cast", "reshape_like",
}  # fmt: skip
register_methods({name: globals()[name] for name in sorted(METHODS)})
