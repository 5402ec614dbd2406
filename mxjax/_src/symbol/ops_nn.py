"""Neural-network operators of the symbolic API, each a thin call into :mod:`mxjax.layers`.

Parameter names, defaults and input lists are MXNet 1.9.1's; the maths is the
functional core's (``layers.Dense`` for ``FullyConnected``, ``layers.Conv2D``
for ``Convolution`` ...), so Gluon and symbol graphs share one implementation.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src import ops as _ops
from mxjax._src.layers import (
    activation as _act,
    basic as _basic,
    conv as _conv,
    dense as _dense,
    norm as _norm,
    pool as _pool,
)
from mxjax._src.symbol.attrs import (
    REQUIRED,
    choice,
    optional,
    p_bool,
    p_float,
    p_int,
    p_shape,
    p_str,
)
from mxjax._src.symbol.registry import register

_LAYOUT_CF = {1: "NCW", 2: "NCHW", 3: "NCDHW"}


def _prod(xs) -> int:
    return int(math.prod(int(x) for x in xs))


# ----------------------------------------------------------------- FullyConnected
@functools.cache
def _dense_layer(units: int, use_bias: bool, flatten: bool):
    return _dense.Dense(units, use_bias=use_bias, flatten=flatten)


def _fc(p, ctx, data, weight, bias=None):
    params = {"weight": weight} if bias is None else {"weight": weight, "bias": bias}
    return _dense_layer(p.num_hidden, not p.no_bias, p.flatten).apply(params, {}, data)[0]


def _fc_infer(p, s):
    d = s[0]
    if d is not None:
        n = _prod(d[1:]) if p.flatten else int(d[-1])
        s[1] = s[1] or (p.num_hidden, n)
    if not p.no_bias:
        s[2] = s[2] or (p.num_hidden,)
    return s


register(
    "FullyConnected",
    _fc,
    params={
        "num_hidden": (p_int, REQUIRED),
        "no_bias": (p_bool, False),
        "flatten": (p_bool, True),
    },
    inputs=lambda p: ("data", "weight") if p.no_bias else ("data", "weight", "bias"),
    infer=_fc_infer,
)


# ----------------------------------------------------------------- Convolution
def _conv_common(p, n_from_kernel=True):
    n = len(p.kernel)
    if not 1 <= n <= 3:
        raise ValueError(f"Convolution: kernel must have 1 to 3 dimensions; received {p.kernel}")
    layout = p.layout or _LAYOUT_CF[n]

    def tup(v, fill):
        return tuple(v) if v else (fill,) * n

    return n, layout, tup


@functools.cache
def _conv_layer(p):
    n, layout, tup = _conv_common(p)
    cls = {1: _conv.Conv1D, 2: _conv.Conv2D, 3: _conv.Conv3D}[n]
    return cls(
        p.num_filter,
        p.kernel,
        strides=tup(p.stride, 1),
        padding=tup(p.pad, 0),
        dilation=tup(p.dilate, 1),
        groups=p.num_group,
        layout=layout,
        use_bias=not p.no_bias,
    )


def _conv_apply(layer, data, weight, bias):
    params = {"weight": weight} if bias is None else {"weight": weight, "bias": bias}
    return layer.apply(params, {}, data)[0]


def _convolution(p, ctx, data, weight, bias=None):
    return _conv_apply(_conv_layer(p), data, weight, bias)


def _channels_last(layout: str) -> bool:
    return layout[-1] == "C"


def _conv_infer(p, s):
    n, layout, _ = _conv_common(p)
    d = s[0]
    if d is not None:
        c = int(d[-1] if _channels_last(layout) else d[1])
        g = p.num_group
        if _channels_last(layout):
            s[1] = s[1] or (p.num_filter, *p.kernel, c // g)
        else:
            s[1] = s[1] or (p.num_filter, c // g, *p.kernel)
    if not p.no_bias:
        s[2] = s[2] or (p.num_filter,)
    return s


_CONV_PARAMS = {
    "kernel": (p_shape, REQUIRED),
    "stride": (p_shape, ()),
    "dilate": (p_shape, ()),
    "pad": (p_shape, ()),
    "num_filter": (p_int, REQUIRED),
    "num_group": (p_int, 1),
    "workspace": (p_int, 1024),
    "no_bias": (p_bool, False),
    "cudnn_tune": (optional(p_str), None),
    "cudnn_off": (p_bool, False),
    "layout": (optional(p_str), None),
}

register(
    "Convolution",
    _convolution,
    params=_CONV_PARAMS,
    inputs=lambda p: ("data", "weight") if p.no_bias else ("data", "weight", "bias"),
    infer=_conv_infer,
)


# ----------------------------------------------------------------- Deconvolution
def _deconv_geometry(p, spatial):
    """MXNet's ``target_shape`` handling: padding and adj computed from the target size."""
    n = len(p.kernel)
    stride = tuple(p.stride) if p.stride else (1,) * n
    dilate = tuple(p.dilate) if p.dilate else (1,) * n
    pad = tuple(p.pad) if p.pad else (0,) * n
    adj = tuple(p.adj) if p.adj else (0,) * n
    if p.target_shape and any(p.target_shape):
        pads, adjs = [], []
        for i in range(n):
            total = stride[i] * (spatial[i] - 1) + dilate[i] * (p.kernel[i] - 1) + 1
            total -= p.target_shape[i]
            if total < 0:
                raise ValueError(
                    f"Deconvolution: target_shape {p.target_shape} is too large for input "
                    f"spatial size {tuple(spatial)}"
                )
            adjs.append(total % 2)
            pads.append((total + 1) // 2)
        pad, adj = tuple(pads), tuple(adjs)
    return stride, dilate, pad, adj


@functools.cache
def _deconv_layer(p, spatial):
    n, layout, _ = _conv_common(p)
    stride, dilate, pad, adj = _deconv_geometry(p, spatial)
    cls = {1: _conv.Conv1DTranspose, 2: _conv.Conv2DTranspose, 3: _conv.Conv3DTranspose}[n]
    return cls(
        p.num_filter,
        p.kernel,
        strides=stride,
        padding=pad,
        output_padding=adj,
        dilation=dilate,
        groups=p.num_group,
        layout=layout,
        use_bias=not p.no_bias,
    )


def _deconvolution(p, ctx, data, weight, bias=None):
    n, layout, _ = _conv_common(p)
    spatial = tuple(data.shape[1:-1] if _channels_last(layout) else data.shape[2:])
    return _conv_apply(_deconv_layer(p, spatial), data, weight, bias)


def _deconv_infer(p, s):
    n, layout, _ = _conv_common(p)
    d = s[0]
    if d is not None:
        c = int(d[-1] if _channels_last(layout) else d[1])
        g = p.num_group
        if _channels_last(layout):
            s[1] = s[1] or (c, *p.kernel, p.num_filter // g)
        else:
            s[1] = s[1] or (c, p.num_filter // g, *p.kernel)
    if not p.no_bias:
        s[2] = s[2] or (p.num_filter,)
    return s


register(
    "Deconvolution",
    _deconvolution,
    params={
        **_CONV_PARAMS,
        "adj": (p_shape, ()),
        "target_shape": (p_shape, ()),
        "no_bias": (p_bool, True),
    },
    inputs=lambda p: ("data", "weight") if p.no_bias else ("data", "weight", "bias"),
    infer=_deconv_infer,
)


# ----------------------------------------------------------------- Pooling
@functools.cache
def _pool_layer(p, ndim: int):
    n = ndim - 2
    layout = p.layout or _LAYOUT_CF.get(n)
    if layout is None:
        raise ValueError(f"Pooling: expected a 3-D to 5-D input; received {ndim}-D")
    if p.global_pool:
        kind = "Max" if p.pool_type == "max" else "Avg"
        return getattr(_pool, f"Global{kind}Pool{n}D")(layout=layout)
    if len(p.kernel) != n:
        raise ValueError(
            f"Pooling: kernel {p.kernel} has {len(p.kernel)} dimensions; the input has {n} "
            f"spatial dimensions"
        )
    if p.pooling_convention == "same":
        raise ValueError(
            "Pooling: pooling_convention='same' is not supported; use 'valid' or 'full'"
        )
    stride = tuple(p.stride) if p.stride else (1,) * n
    pad = tuple(p.pad) if p.pad else (0,) * n
    ceil = p.pooling_convention == "full"
    if p.pool_type == "max":
        return getattr(_pool, f"MaxPool{n}D")(p.kernel, stride, pad, ceil_mode=ceil, layout=layout)
    if p.pool_type in ("avg", "sum"):
        cip = True if p.count_include_pad is None else p.count_include_pad
        if p.pool_type == "sum":
            if ceil:
                raise ValueError(
                    "Pooling: pool_type='sum' with pooling_convention='full' is not supported"
                )
            cip = True
        return getattr(_pool, f"AvgPool{n}D")(
            p.kernel, stride, pad, ceil_mode=ceil, layout=layout, count_include_pad=cip
        )
    raise ValueError(f"Pooling: pool_type={p.pool_type!r} is not supported (max, avg, sum)")


def _pooling(p, ctx, data):
    layer = _pool_layer(p, data.ndim)
    y = layer.apply({}, {}, data)[0]
    if p.pool_type == "sum":
        if p.global_pool:
            n = data.ndim - 2
            lay = p.layout or _LAYOUT_CF[n]
            sp = data.shape[1:-1] if _channels_last(lay) else data.shape[2:]
            y = y * _prod(sp)
        else:
            # sum = average over the padded window times its element count
            y = y * _prod(p.kernel)
    return y


register(
    "Pooling",
    _pooling,
    params={
        "kernel": (p_shape, ()),
        "pool_type": (choice("max", "avg", "sum", "lp"), "max"),
        "global_pool": (p_bool, False),
        "cudnn_off": (p_bool, False),
        "pooling_convention": (choice("valid", "full", "same"), "valid"),
        "stride": (p_shape, ()),
        "pad": (p_shape, ()),
        "p_value": (optional(p_int), None),
        "count_include_pad": (optional(p_bool), None),
        "layout": (optional(p_str), None),
    },
)


# ----------------------------------------------------------------- activations
_EXTRA_ACT = {
    "log_sigmoid": jax.nn.log_sigmoid,
    "mish": lambda x: x * jnp.tanh(jax.nn.softplus(x)),
}


def _activation(p, ctx, data):
    fn = _EXTRA_ACT.get(p.act_type) or _ops.activation_fn(p.act_type, "Activation")
    return fn(data)


register(
    "Activation",
    _activation,
    params={
        "act_type": (
            choice("relu", "sigmoid", "tanh", "softrelu", "softsign", "log_sigmoid", "mish"),
            REQUIRED,
        )
    },
)


def _leaky(p, ctx, data, gamma=None):
    t = p.act_type
    if t == "leaky":
        return _act.LeakyReLU(p.slope).apply({}, {}, data)[0]
    if t == "elu":
        return _act.ELU(p.slope).apply({}, {}, data)[0]
    if t == "selu":
        return _act.SELU().apply({}, {}, data)[0]
    if t == "gelu":
        return _act.GELU().apply({}, {}, data)[0]
    if t == "prelu":
        layer = _act.PReLU(in_channels=int(gamma.shape[0]))
        return layer.apply({"alpha": gamma}, {}, data)[0]
    # rrelu: a random slope in [lower, upper] when training, their mean otherwise
    if ctx.train and ctx.key is not None:
        slope = jax.random.uniform(ctx.key, data.shape, data.dtype, p.lower_bound, p.upper_bound)
    else:
        slope = (p.lower_bound + p.upper_bound) / 2
    return jnp.where(data > 0, data, data * slope)


def _leaky_infer(p, s):
    if p.act_type == "prelu" and s[0] is not None and len(s) > 1:
        s[1] = s[1] or ((int(s[0][1]),) if len(s[0]) > 1 else (1,))
    return s


register(
    "LeakyReLU",
    _leaky,
    params={
        "act_type": (choice("leaky", "prelu", "elu", "selu", "gelu", "rrelu"), "leaky"),
        "slope": (p_float, 0.25),
        "lower_bound": (p_float, 0.125),
        "upper_bound": (p_float, 0.334),
    },
    inputs=lambda p: ("data", "gamma") if p.act_type == "prelu" else ("data",),
    infer=_leaky_infer,
    random=True,
    input_init={"gamma": '["Constant", {"value": 0.25}]'},
)


# ----------------------------------------------------------------- normalization
@functools.cache
def _bn_layer(p):
    return _norm.BatchNorm(
        axis=p.axis,
        momentum=p.momentum,
        epsilon=p.eps,
        scale=not p.fix_gamma,
        use_global_stats=p.use_global_stats,
    )


def _batchnorm(p, ctx, data, gamma, beta, moving_mean, moving_var):
    layer = _bn_layer(p)
    state = {"running_mean": moving_mean, "running_var": moving_var}
    y, new = layer.apply({"gamma": gamma, "beta": beta}, state, data, train=ctx.train)
    outs = (y,)
    if p.output_mean_var:
        axis = p.axis % data.ndim
        red = tuple(i for i in range(data.ndim) if i != axis)
        if ctx.train and not p.use_global_stats:
            x32 = data.astype(jnp.float32)
            mean = jnp.mean(x32, axis=red)
            var = jnp.mean(jnp.square(x32 - _ops.expand_to(mean, data.ndim, axis)), axis=red)
        else:
            mean, var = moving_mean, moving_var
        outs = (y, mean.astype(data.dtype), var.astype(data.dtype))
    return outs, (new["running_mean"], new["running_var"])


def _channel_infer(axis_of):
    def infer(p, s):
        d = s[0]
        if d is not None:
            c = (int(d[axis_of(p) % len(d)]),)
            for i in range(1, len(s)):
                s[i] = s[i] or c
        return s

    return infer


register(
    "BatchNorm",
    _batchnorm,
    params={
        "eps": (p_float, 1e-3),
        "momentum": (p_float, 0.9),
        "fix_gamma": (p_bool, True),
        "use_global_stats": (p_bool, False),
        "output_mean_var": (p_bool, False),
        "axis": (p_int, 1),
        "cudnn_off": (p_bool, False),
        "min_calib_range": (optional(p_float), None),
        "max_calib_range": (optional(p_float), None),
    },
    inputs=("data", "gamma", "beta"),
    aux=("moving_mean", "moving_var"),
    num_outputs=lambda p: 3 if p.output_mean_var else 1,
    output_names=lambda p: ("output", "mean", "var") if p.output_mean_var else ("output",),
    infer=_channel_infer(lambda p: p.axis),
)


def _layernorm(p, ctx, data, gamma, beta):
    layer = _norm.LayerNorm(axis=p.axis, epsilon=p.eps)
    y = layer.apply({"gamma": gamma, "beta": beta}, {}, data)[0]
    if not p.output_mean_var:
        return y
    x32 = data.astype(jnp.float32)
    mean = jnp.mean(x32, axis=p.axis, keepdims=True)
    std = jnp.sqrt(jnp.mean(jnp.square(x32 - mean), axis=p.axis, keepdims=True) + p.eps)
    return y, mean.astype(data.dtype), std.astype(data.dtype)


register(
    "LayerNorm",
    _layernorm,
    params={
        "axis": (p_int, -1),
        "eps": (p_float, 1e-5),
        "output_mean_var": (p_bool, False),
    },
    inputs=("data", "gamma", "beta"),
    num_outputs=lambda p: 3 if p.output_mean_var else 1,
    output_names=lambda p: ("output", "mean", "std") if p.output_mean_var else ("output",),
    infer=_channel_infer(lambda p: p.axis),
)


def _instancenorm(p, ctx, data, gamma, beta):
    layer = _norm.InstanceNorm(axis=1, epsilon=p.eps, scale=True, center=True)
    return layer.apply({"gamma": gamma, "beta": beta}, {}, data)[0]


register(
    "InstanceNorm",
    _instancenorm,
    params={"eps": (p_float, 1e-3)},
    inputs=("data", "gamma", "beta"),
    infer=_channel_infer(lambda p: 1),
)


def _groupnorm(p, ctx, data, gamma, beta):
    layer = _norm.GroupNorm(num_groups=p.num_groups, epsilon=p.eps)
    return layer.apply({"gamma": gamma, "beta": beta}, {}, data)[0]


def _groupnorm_infer(p, s):
    s[1] = s[1] or (p.num_groups,)
    s[2] = s[2] or (p.num_groups,)
    return s


register(
    "GroupNorm",
    _groupnorm,
    params={
        "num_groups": (p_int, 1),
        "eps": (p_float, 1e-5),
        "output_mean_var": (p_bool, False),
    },
    inputs=("data", "gamma", "beta"),
    infer=_groupnorm_infer,
)


def _l2norm(p, ctx, data):
    x32 = data.astype(jnp.float32)
    if p.mode == "instance":
        axes = tuple(range(1, data.ndim))
    elif p.mode == "channel":
        axes = (1,)
    else:
        axes = tuple(range(2, data.ndim))
    norm = jnp.sqrt(jnp.sum(jnp.square(x32), axis=axes, keepdims=True) + p.eps)
    return (x32 / norm).astype(data.dtype)


register(
    "L2Normalization",
    _l2norm,
    params={
        "eps": (p_float, 1e-10),
        "mode": (choice("instance", "channel", "spatial"), "instance"),
    },
)


# ----------------------------------------------------------------- dropout, embedding
def _dropout(p, ctx, data):
    if p.p == 0 or not (ctx.train or p.mode == "always") or ctx.key is None:
        return data
    layer = _basic.Dropout(rate=p.p, axes=tuple(p.axes))
    return layer.apply({}, {}, data, key=ctx.key, train=True)[0]


register(
    "Dropout",
    _dropout,
    params={
        "p": (p_float, 0.5),
        "mode": (choice("training", "always"), "training"),
        "axes": (p_shape, ()),
        "cudnn_off": (optional(p_bool), False),
    },
    random=True,
)


def _embedding(p, ctx, data, weight):
    layer = _basic.Embedding(p.input_dim, p.output_dim, dtype=p.dtype)
    return layer.apply({"weight": weight}, {}, data)[0]


def _embedding_infer(p, s):
    s[1] = s[1] or (p.input_dim, p.output_dim)
    return s


register(
    "Embedding",
    _embedding,
    params={
        "input_dim": (p_int, REQUIRED),
        "output_dim": (p_int, REQUIRED),
        "dtype": (p_str, "float32"),
        "sparse_grad": (p_bool, False),
    },
    inputs=("data", "weight"),
    infer=_embedding_infer,
)


def _flatten(p, ctx, data):
    return _basic.Flatten().apply({}, {}, data)[0]


register("Flatten", _flatten, "flatten", hint="flatten")


def _upsampling(p, ctx, *data):
    if p.sample_type != "nearest":
        raise ValueError("UpSampling: only sample_type='nearest' is supported")
    outs = []
    for x in data:
        y = x
        for ax in range(2, x.ndim):
            y = jnp.repeat(y, p.scale, axis=ax)
        outs.append(y)
    return outs[0] if len(outs) == 1 else jnp.concatenate(outs, axis=1)


register(
    "UpSampling",
    _upsampling,
    params={
        "scale": (p_int, REQUIRED),
        "num_filter": (p_int, 0),
        "sample_type": (choice("nearest", "bilinear"), REQUIRED),
        "multi_input_mode": (choice("concat", "sum"), "concat"),
        "num_args": (p_int, 1),
        "workspace": (p_int, 512),
    },
    variadic="num_args",
)


# ----------------------------------------------------------------- softmax family
def _softmax_like(fn):
    def compute(p, ctx, data, length=None):
        x = data
        if p.temperature is not None and p.temperature != 1.0:
            x = x / p.temperature
        y = fn(x.astype(jnp.float32), axis=p.axis)
        dtype = np.dtype(p.dtype) if p.dtype else data.dtype
        return y.astype(dtype)

    return compute


_SOFTMAX_PARAMS = {
    "axis": (p_int, -1),
    "temperature": (optional(p_float), None),
    "dtype": (optional(p_str), None),
    "use_length": (optional(p_bool), False),
}
register("softmax", _softmax_like(jax.nn.softmax), params=_SOFTMAX_PARAMS)
register("log_softmax", _softmax_like(jax.nn.log_softmax), params=_SOFTMAX_PARAMS)
register(
    "softmin",
    _softmax_like(lambda x, axis: jax.nn.softmax(-x, axis=axis)),
    params=_SOFTMAX_PARAMS,
)


def _softmax_activation(p, ctx, data):
    if p.mode == "channel":
        return jax.nn.softmax(data, axis=1)
    flat = data.reshape(data.shape[0], -1)
    return jax.nn.softmax(flat, axis=-1).reshape(data.shape)


register(
    "SoftmaxActivation",
    _softmax_activation,
    params={"mode": (choice("instance", "channel"), "instance")},
)


# ----------------------------------------------------------------- fused RNN
_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


def _rnn_sizes(p, input_size: int) -> list[tuple[str, int, tuple[int, ...]]]:
    """``(name, layer, shape)`` of the flat parameter vector, in MXNet's order: all weights
    (layer, direction, i2h then h2h), then all biases in the same order."""
    g, h, dirs = _GATES[p.mode], p.state_size, ("l", "r") if p.bidirectional else ("l",)
    out = []
    for kind in ("weight", "bias"):
        for layer_i in range(p.num_layers):
            n_in = input_size if layer_i == 0 else h * len(dirs)
            for d in dirs:
                for part in ("i2h", "h2h"):
                    shape = (g * h, n_in if part == "i2h" else h) if kind == "weight" else (g * h,)
                    out.append((f"{d}{layer_i}_{part}_{kind}", layer_i, shape))
    return out


@functools.cache
def _rnn_layer(p):
    from mxjax._src.layers import rnn as _rnn

    kw = dict(
        num_layers=p.num_layers,
        layout="TNC",
        dropout=p.p,
        bidirectional=p.bidirectional,
        use_sequence_length=p.use_sequence_length,
    )
    if p.mode == "lstm":
        return _rnn.LSTM(p.state_size, **kw)
    if p.mode == "gru":
        return _rnn.GRU(p.state_size, **kw)
    return _rnn.RNN(p.state_size, activation=p.mode[4:], **kw)


def _rnn(p, ctx, data, parameters, state, *rest):
    from mxjax._src.layers.base import unflatten_names
    from mxjax._src.layers.rnn import fused_name

    if p.projection_size:
        raise ValueError("RNN: projection_size is not supported by the symbolic RNN operator")
    flat, pos = {}, 0
    for name, _, shape in _rnn_sizes(p, int(data.shape[2])):
        size = _prod(shape)
        flat[fused_name(name, p.bidirectional)] = parameters[pos : pos + size].reshape(shape)
        pos += size
    if pos != parameters.shape[0]:
        raise ValueError(
            f"RNN: parameters has {parameters.shape[0]} values; mode={p.mode!r}, "
            f"state_size={p.state_size}, num_layers={p.num_layers} need {pos}"
        )
    rest = list(rest)
    lengths = rest.pop() if p.use_sequence_length else None  # the last input
    states = [state, *rest]  # [state] or [state, state_cell]
    layer = _rnn_layer(p)
    key = ctx.key if (ctx.train and p.p > 0) else None
    (out, finals), _ = layer.apply(
        unflatten_names(flat),
        {},
        data,
        states=states,
        key=key,
        train=ctx.train and key is not None,
        sequence_length=lengths,
    )
    return (out, *finals) if p.state_outputs else out


def _rnn_infer(p, s):
    d = s[0]
    if d is not None:
        total = sum(_prod(shape) for _, _, shape in _rnn_sizes(p, int(d[2])))
        s[1] = s[1] or (total,)
        states = (p.num_layers * (2 if p.bidirectional else 1), int(d[1]), p.state_size)
        n_states = 2 if p.mode == "lstm" else 1
        for i in range(2, 2 + n_states):
            s[i] = s[i] or states
        if p.use_sequence_length:
            s[2 + n_states] = s[2 + n_states] or (int(d[1]),)
    return s


register(
    "RNN",
    _rnn,
    params={
        "state_size": (p_int, REQUIRED),
        "num_layers": (p_int, REQUIRED),
        "bidirectional": (p_bool, False),
        "mode": (choice("rnn_relu", "rnn_tanh", "lstm", "gru"), REQUIRED),
        "p": (p_float, 0.0),
        "state_outputs": (p_bool, False),
        "projection_size": (optional(p_int), None),
        "lstm_state_clip_min": (optional(p_float), None),
        "lstm_state_clip_max": (optional(p_float), None),
        "lstm_state_clip_nan": (p_bool, False),
        "use_sequence_length": (p_bool, False),
    },
    inputs=lambda p: (
        (
            ("data", "parameters", "state", "state_cell")
            if p.mode == "lstm"
            else ("data", "parameters", "state")
        )
        + (("sequence_length",) if p.use_sequence_length else ())
    ),
    num_outputs=lambda p: (3 if p.mode == "lstm" else 2) if p.state_outputs else 1,
    output_names=lambda p: (
        ("output", "state", "state_cell") if p.mode == "lstm" else ("output", "state")
    )[: (3 if p.mode == "lstm" else 2) if p.state_outputs else 1],
    infer=_rnn_infer,
    random=True,
)
