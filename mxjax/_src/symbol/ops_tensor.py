"""Shape, indexing, reduction and source operators of the symbolic API.

Each is a few lines over ``jax.numpy`` with MXNet 1.9.1's names and
parameters; reshapes use the facade's one implementation of MXNet's codes.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.nd.shape import infer_reshape
from mxjax._src.symbol.attrs import (
    REQUIRED,
    _literal,
    choice,
    optional,
    p_axis,
    p_bool,
    p_float,
    p_int,
    p_shape,
    p_str,
)
from mxjax._src.symbol.ops_math import _same_shape_infer
from mxjax._src.symbol.registry import register


def p_opt_tuple(owner: str, key: str, s: str):
    """A tuple whose entries may be None (``slice``'s ``begin=(0, None)``)."""
    if s.strip() in ("", "()", "[]"):
        return ()
    v = _literal(owner, key, s)
    if not isinstance(v, (tuple, list)):
        v = (v,)
    return tuple(None if d is None else int(d) for d in v)


# ----------------------------------------------------------------- shape ops
def _reshape(p, ctx, data):
    if p.shape:
        target = infer_reshape(tuple(data.shape), tuple(p.shape), reverse=p.reverse)
    elif p.target_shape:
        t = list(p.target_shape)
        if p.keep_highest:
            t = [data.shape[0], *t]
        target = infer_reshape(tuple(data.shape), tuple(-1 if d == 0 else d for d in t))
    else:
        raise ValueError("Reshape: give shape=")
    return data.reshape(target)


register(
    "Reshape",
    _reshape,
    "reshape",
    params={
        "shape": (p_shape, ()),
        "reverse": (p_bool, False),
        "target_shape": (p_shape, ()),
        "keep_highest": (p_bool, False),
    },
    hint="reshape",
)


def _reshape_like(p, ctx, lhs, rhs):
    return lhs.reshape(rhs.shape)


register("reshape_like", _reshape_like, inputs=("lhs", "rhs"))


def _transpose(p, ctx, data):
    return jnp.transpose(data, tuple(p.axes) if p.axes else None)


register("transpose", _transpose, params={"axes": (p_shape, ())})


def _expand_dims(p, ctx, data):
    return jnp.expand_dims(data, p.axis)


register("expand_dims", _expand_dims, params={"axis": (p_int, REQUIRED)})


def _squeeze(p, ctx, data):
    return jnp.squeeze(data, axis=p.axis)


register("squeeze", _squeeze, params={"axis": (p_axis, None)})


def _swapaxes(p, ctx, data):
    return jnp.swapaxes(data, p.dim1, p.dim2)


register(
    "SwapAxis",
    _swapaxes,
    "swapaxes",
    params={"dim1": (p_int, 0), "dim2": (p_int, 0)},
    hint="swapaxis",
)


def _concat(p, ctx, *data):
    return jnp.concatenate(data, axis=p.dim)


def _concat_infer(p, s):
    return s


register(
    "Concat",
    _concat,
    "concat",
    params={"num_args": (p_int, REQUIRED), "dim": (p_int, 1)},
    variadic="num_args",
    hint="concat",
)


def _stack(p, ctx, *data):
    return jnp.stack(data, axis=p.axis)


register(
    "stack", _stack, params={"axis": (p_int, 0), "num_args": (p_int, REQUIRED)}, variadic="num_args"
)


def _add_n(p, ctx, *data):
    out = data[0]
    for d in data[1:]:
        out = out + d
    return out


register(
    "add_n",
    _add_n,
    "ElementWiseSum",
    "_contrib_add_n",
    params={"num_args": (p_int, REQUIRED)},
    variadic="num_args",
    infer=_same_shape_infer,
)


def _split(p, ctx, data):
    parts = jnp.split(data, p.num_outputs, axis=p.axis)
    if p.squeeze_axis:
        parts = [jnp.squeeze(x, axis=p.axis) for x in parts]
    return tuple(parts)


register(
    "SliceChannel",
    _split,
    "split",
    params={
        "num_outputs": (p_int, REQUIRED),
        "axis": (p_int, 1),
        "squeeze_axis": (p_bool, False),
    },
    num_outputs=lambda p: p.num_outputs,
    hint="slicechannel",
)


def _slice(p, ctx, data):
    idx = []
    for i in range(data.ndim):
        b = p.begin[i] if i < len(p.begin) else None
        e = p.end[i] if i < len(p.end) else None
        st = p.step[i] if i < len(p.step) else None
        idx.append(slice(b, e, st))
    return data[tuple(idx)]


register(
    "slice",
    _slice,
    "crop",
    params={
        "begin": (p_opt_tuple, REQUIRED),
        "end": (p_opt_tuple, REQUIRED),
        "step": (p_opt_tuple, ()),
    },
)


def _slice_axis(p, ctx, data):
    idx = [slice(None)] * data.ndim
    idx[p.axis] = slice(p.begin, p.end)
    return data[tuple(idx)]


register(
    "slice_axis",
    _slice_axis,
    params={"axis": (p_int, REQUIRED), "begin": (p_int, REQUIRED), "end": (optional(p_int), None)},
)


def _slice_like(p, ctx, data, shape_like):
    axes = p.axes if p.axes else tuple(range(min(data.ndim, shape_like.ndim)))
    idx = [slice(None)] * data.ndim
    for a in axes:
        idx[a] = slice(0, shape_like.shape[a])
    return data[tuple(idx)]


register("slice_like", _slice_like, params={"axes": (p_shape, ())}, inputs=("data", "shape_like"))


def _take(p, ctx, a, indices):
    idx = indices.astype(jnp.int32)
    mode = {"raise": "clip"}.get(p.mode, p.mode)
    return jnp.take(a, idx, axis=p.axis, mode=mode)


register(
    "take",
    _take,
    params={"axis": (p_int, 0), "mode": (choice("clip", "wrap", "raise"), "clip")},
    inputs=("a", "indices"),
)


def _pick(p, ctx, data, index):
    axis = p.axis if p.axis is not None else -1
    idx = index.astype(jnp.int32)
    n = data.shape[axis]
    idx = jnp.mod(idx, n) if p.mode == "wrap" else jnp.clip(idx, 0, n - 1)
    out = jnp.take_along_axis(data, jnp.expand_dims(idx, axis), axis=axis)
    return out if p.keepdims else jnp.squeeze(out, axis)


register(
    "pick",
    _pick,
    params={
        "axis": (optional(p_int), -1),
        "keepdims": (p_bool, False),
        "mode": (choice("clip", "wrap"), "clip"),
    },
    inputs=("data", "index"),
)


def _one_hot(p, ctx, indices):
    oh = jax.nn.one_hot(indices.astype(jnp.int32), p.depth, dtype=np.dtype(p.dtype))
    return oh * (p.on_value - p.off_value) + p.off_value


register(
    "one_hot",
    _one_hot,
    params={
        "depth": (p_int, REQUIRED),
        "on_value": (p_float, 1.0),
        "off_value": (p_float, 0.0),
        "dtype": (p_str, "float32"),
    },
    inputs=("indices",),
)


def _where(p, ctx, condition, x, y):
    if condition.shape != x.shape:
        condition = condition.reshape(condition.shape + (1,) * (x.ndim - condition.ndim))
    return jnp.where(condition != 0, x, y)


register("where", _where, inputs=("condition", "x", "y"))


def _tile(p, ctx, data):
    return jnp.tile(data, p.reps)


register("tile", _tile, params={"reps": (p_shape, REQUIRED)})


def _repeat(p, ctx, data):
    return jnp.repeat(data, p.repeats, axis=p.axis)


register("repeat", _repeat, params={"repeats": (p_int, REQUIRED), "axis": (optional(p_int), None)})


def _pad(p, ctx, data):
    pw = list(p.pad_width)
    pairs = [(pw[2 * i], pw[2 * i + 1]) for i in range(len(pw) // 2)]
    if p.mode == "constant":
        return jnp.pad(data, pairs, constant_values=p.constant_value)
    return jnp.pad(data, pairs, mode={"edge": "edge", "reflect": "reflect"}[p.mode])


register(
    "Pad",
    _pad,
    "pad",
    params={
        "mode": (choice("constant", "edge", "reflect"), "constant"),
        "pad_width": (p_shape, REQUIRED),
        "constant_value": (p_float, 0.0),
    },
    hint="pad",
)


def _broadcast_to(p, ctx, data):
    shape = tuple(d if s == 0 else s for d, s in zip(data.shape, p.shape))
    return jnp.broadcast_to(data, shape)


register("broadcast_to", _broadcast_to, params={"shape": (p_shape, REQUIRED)})


def _broadcast_like(p, ctx, lhs, rhs):
    if p.lhs_axes:
        shape = list(lhs.shape)
        for la, ra in zip(p.lhs_axes, p.rhs_axes):
            shape[la] = rhs.shape[ra]
        return jnp.broadcast_to(lhs, tuple(shape))
    return jnp.broadcast_to(lhs, rhs.shape)


register(
    "broadcast_like",
    _broadcast_like,
    params={"lhs_axes": (p_shape, ()), "rhs_axes": (p_shape, ())},
    inputs=("lhs", "rhs"),
)


def _broadcast_axis(p, ctx, data):
    axes = (p.axis,) if isinstance(p.axis, int) else tuple(p.axis or ())
    sizes = (p.size,) if isinstance(p.size, int) else tuple(p.size or ())
    shape = list(data.shape)
    for a, s in zip(axes, sizes):
        shape[a] = s
    return jnp.broadcast_to(data, tuple(shape))


register(
    "broadcast_axis",
    _broadcast_axis,
    "broadcast_axes",
    params={"axis": (p_axis, ()), "size": (p_axis, ())},
)


def _flip(p, ctx, data):
    return jnp.flip(data, axis=p.axis)


register("reverse", _flip, "flip", params={"axis": (p_axis, REQUIRED)})


# ----------------------------------------------------------------- reductions
def _axes(p, ndim):
    axis = p.axis
    if axis is None or axis == ():
        axes = tuple(range(ndim))
    else:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        axes = tuple(a % ndim for a in axes)
    if getattr(p, "exclude", False):
        axes = tuple(a for a in range(ndim) if a not in axes)
    return axes


def _reduction(fn):
    def compute(p, ctx, data):
        return fn(data, axis=_axes(p, data.ndim), keepdims=p.keepdims)

    return compute


_RED_PARAMS = {"axis": (p_axis, None), "keepdims": (p_bool, False), "exclude": (p_bool, False)}
for _k, _fn, _al in [
    ("sum", jnp.sum, ("sum_axis",)),
    ("mean", jnp.mean, ()),
    ("max", jnp.max, ("max_axis",)),
    ("min", jnp.min, ("min_axis",)),
    ("prod", jnp.prod, ()),
    ("nansum", jnp.nansum, ()),
    ("nanprod", jnp.nanprod, ()),
]:
    register(_k, _reduction(_fn), *_al, params=_RED_PARAMS)


def _norm(p, ctx, data):
    axes = _axes(p, data.ndim)
    if p.ord == 1:
        return jnp.sum(jnp.abs(data), axis=axes, keepdims=p.keepdims)
    return jnp.sqrt(jnp.sum(jnp.square(data), axis=axes, keepdims=p.keepdims))


register(
    "norm",
    _norm,
    params={
        "ord": (p_int, 2),
        "axis": (p_axis, None),
        "out_dtype": (optional(p_str), None),
        "keepdims": (p_bool, False),
    },
)


def _arg(fn):
    def compute(p, ctx, data):
        if p.axis is None:
            out = fn(data.reshape(-1)).astype(data.dtype)
            return out.reshape((1,) * data.ndim) if p.keepdims else out
        return fn(data, axis=p.axis, keepdims=p.keepdims).astype(data.dtype)

    return compute


register(
    "argmax",
    _arg(jnp.argmax),
    params={"axis": (optional(p_int), None), "keepdims": (p_bool, False)},
)
register(
    "argmin",
    _arg(jnp.argmin),
    params={"axis": (optional(p_int), None), "keepdims": (p_bool, False)},
)


def _argmax_channel(p, ctx, data):
    return jnp.argmax(data, axis=-1).astype(data.dtype)


register("argmax_channel", _argmax_channel)


def _sort(p, ctx, data):
    out = jnp.sort(data, axis=p.axis)
    return out if p.is_ascend else jnp.flip(out, axis=p.axis)


register("sort", _sort, params={"axis": (optional(p_int), -1), "is_ascend": (p_bool, True)})


def _argsort(p, ctx, data):
    key = data if p.is_ascend else -data
    return jnp.argsort(key, axis=p.axis, stable=True).astype(np.dtype(p.dtype))


register(
    "argsort",
    _argsort,
    params={
        "axis": (optional(p_int), -1),
        "is_ascend": (p_bool, True),
        "dtype": (p_str, "float32"),
    },
)


# ----------------------------------------------------------------- linear algebra
def _dot(p, ctx, lhs, rhs):
    a = lhs.T if p.transpose_a else lhs
    b = rhs.T if p.transpose_b else rhs
    if a.ndim > 2 or b.ndim > 2:
        return jnp.tensordot(a, b, axes=1)
    return jnp.matmul(a, b)


_DOT_PARAMS = {
    "transpose_a": (p_bool, False),
    "transpose_b": (p_bool, False),
    "forward_stype": (optional(p_str), None),
}
register("dot", _dot, params=_DOT_PARAMS, inputs=("lhs", "rhs"))


def _batch_dot(p, ctx, lhs, rhs):
    a = jnp.swapaxes(lhs, -1, -2) if p.transpose_a else lhs
    b = jnp.swapaxes(rhs, -1, -2) if p.transpose_b else rhs
    return jnp.matmul(a, b)


register("batch_dot", _batch_dot, params=_DOT_PARAMS, inputs=("lhs", "rhs"))


# ----------------------------------------------------------------- source ops
def _source(fn):
    def compute(p, ctx):
        return fn(p)

    return compute


_SRC_PARAMS = {"shape": (p_shape, ()), "ctx": (optional(p_str), None), "dtype": (p_str, "float32")}
register(
    "_zeros",
    _source(lambda p: jnp.zeros(p.shape, np.dtype(p.dtype))),
    "zeros",
    params=_SRC_PARAMS,
    inputs=(),
)
register(
    "_ones",
    _source(lambda p: jnp.ones(p.shape, np.dtype(p.dtype))),
    "ones",
    params=_SRC_PARAMS,
    inputs=(),
)
register(
    "_full",
    _source(lambda p: jnp.full(p.shape, p.value, np.dtype(p.dtype))),
    "full",
    params={**_SRC_PARAMS, "value": (p_float, REQUIRED)},
    inputs=(),
)


def _arange(p):
    stop = p.stop
    start = p.start
    if stop is None:
        start, stop = 0.0, start
    out = jnp.arange(start, stop, p.step, dtype=np.dtype(p.dtype))
    return jnp.repeat(out, p.repeat) if p.repeat != 1 else out


register(
    "_arange",
    _source(_arange),
    "arange",
    params={
        "start": (p_float, REQUIRED),
        "stop": (optional(p_float), None),
        "step": (p_float, 1.0),
        "repeat": (p_int, 1),
        "infer_range": (p_bool, False),
        "ctx": (optional(p_str), None),
        "dtype": (p_str, "float32"),
    },
    inputs=(),
)


def _shape_array(p, ctx, data):
    return jnp.asarray(data.shape, dtype=jnp.int64 if jax.config.x64_enabled else jnp.int32)


register("shape_array", _shape_array)
