"""Loss-output operators: forward values and MXNet's hand-written gradients.

``SoftmaxOutput`` and the regression outputs ignore the gradient arriving from
above and return MXNet's own gradient (``softmax - onehot(label)``, scaled by
``grad_scale`` and the normalization), which is what ``Module.fit`` trains
with; they are written with ``jax.custom_vjp`` so one jitted program holds the
forward and backward passes. ``CTCLoss`` is MXNet's CTC operator (``TNC`` data,
blank first or last) over :func:`mxjax.losses.ctc_loss`.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.losses.sequence import ctc_loss
from mxjax._src.symbol.attrs import choice, p_bool, p_float
from mxjax._src.symbol.registry import register


def _zero_cotangent(x):
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return jnp.zeros_like(x)
    return np.zeros(x.shape, dtype=jax.dtypes.float0)


def _with_grad(forward, grad):
    """``f(data, label)`` with value ``forward(data)`` and gradient ``grad(out, label)``."""

    @jax.custom_vjp
    def f(data, label):
        return forward(data)

    def fwd(data, label):
        out = forward(data)
        return out, (out, label)

    def bwd(res, g):
        del g  # MXNet's loss layers ignore the head gradient
        out, label = res
        return grad(out, label).astype(out.dtype), _zero_cotangent(label)

    f.defvjp(fwd, bwd)
    return f


# ----------------------------------------------------------------- SoftmaxOutput
def _sm_axis(p, ndim):
    if p.multi_output:
        return 1
    return -1


def _sm_forward(p, data):
    if p.multi_output or p.preserve_shape or data.ndim <= 2:
        return jax.nn.softmax(data.astype(jnp.float32), axis=_sm_axis(p, data.ndim)).astype(
            data.dtype
        )
    flat = data.reshape(data.shape[0], -1)
    return jax.nn.softmax(flat.astype(jnp.float32), axis=-1).reshape(data.shape).astype(data.dtype)


def _sm_grad(p, out, label):
    axis = _sm_axis(p, out.ndim)
    if not (p.multi_output or p.preserve_shape) and out.ndim > 2:
        prob = out.reshape(out.shape[0], -1)
    else:
        prob = out
    prob = prob.astype(jnp.float32)
    if label.shape == prob.shape:  # probability labels
        grad = prob - label.astype(jnp.float32)
        valid = jnp.ones(label.shape[:1], jnp.float32)
        mask = None
    else:
        k = prob.shape[axis]
        lab = label.reshape(prob.shape[: axis % prob.ndim] + prob.shape[axis % prob.ndim + 1 :])
        idx = lab.astype(jnp.int32)
        onehot = jax.nn.one_hot(idx, k, axis=axis, dtype=jnp.float32)
        if p.smooth_alpha:
            onehot = onehot * (1 - p.smooth_alpha) + (1 - onehot) * (p.smooth_alpha / (k - 1))
        grad = prob - onehot
        mask = None
        if p.use_ignore:
            keep = (lab != p.ignore_label).astype(jnp.float32)
            mask = jnp.expand_dims(keep, axis)
            grad = grad * mask
            valid = keep
        else:
            valid = jnp.ones(lab.shape, jnp.float32)
    scale = p.grad_scale
    if p.normalization == "batch":
        grad = grad * (scale / prob.shape[0])
    elif p.normalization == "valid":
        grad = grad * (scale / jnp.maximum(jnp.sum(valid), 1.0))
    else:
        grad = grad * scale
    return grad.reshape(out.shape)


@functools.cache
def _softmax_output_fn(p):
    return _with_grad(lambda d: _sm_forward(p, d), lambda o, lab: _sm_grad(p, o, lab))


def _softmax_output(p, ctx, data, label):
    return _softmax_output_fn(p)(data, label)


def _sm_infer(p, s):
    d = s[0]
    if d is not None and s[1] is None:
        if p.multi_output:
            s[1] = (d[0], *d[2:])
        elif p.preserve_shape:
            s[1] = tuple(d[:-1])
        else:
            s[1] = (d[0],)
    return s


register(
    "SoftmaxOutput",
    _softmax_output,
    "Softmax",
    params={
        "grad_scale": (p_float, 1.0),
        "ignore_label": (p_float, -1.0),
        "multi_output": (p_bool, False),
        "use_ignore": (p_bool, False),
        "preserve_shape": (p_bool, False),
        "normalization": (choice("null", "batch", "valid"), "null"),
        "out_grad": (p_bool, False),
        "smooth_alpha": (p_float, 0.0),
    },
    inputs=("data", "label"),
    infer=_sm_infer,
    loss=True,
    hint="softmaxoutput",
)


# ----------------------------------------------------------------- regression outputs
def _regression(forward, grad_fn):
    @functools.cache
    def make(p):
        def grad(out, label):
            lab = label.reshape(out.shape).astype(jnp.float32)
            num_output = max(int(np.prod(label.shape[1:])), 1) if label.ndim else 1
            g = grad_fn(out.astype(jnp.float32), lab)
            return g * (p.grad_scale / num_output)

        return _with_grad(forward, grad)

    def compute(p, ctx, data, label):
        return make(p)(data, label)

    return compute


def _same_infer(p, s):
    if s[0] is not None and s[1] is None:
        s[1] = tuple(s[0])
    if s[1] is not None and s[0] is None:
        s[0] = tuple(s[1])
    return s


for _name, _fwd, _grad in [
    ("LinearRegressionOutput", lambda x: x, lambda o, y: o - y),
    ("LogisticRegressionOutput", jax.nn.sigmoid, lambda o, y: o - y),
    ("MAERegressionOutput", lambda x: x, lambda o, y: jnp.sign(o - y)),
]:
    register(
        _name,
        _regression(_fwd, _grad),
        params={"grad_scale": (p_float, 1.0)},
        inputs=("data", "label"),
        infer=_same_infer,
        loss=True,
    )


# ----------------------------------------------------------------- MakeLoss
@functools.cache
def _make_loss_fn(p):
    @jax.custom_vjp
    def f(data):
        return data

    def fwd(data):
        return data, data

    def bwd(data, g):
        del g
        grad = jnp.full(data.shape, p.grad_scale, jnp.float32)
        if p.normalization == "batch":
            grad = grad / data.shape[0]
        elif p.normalization == "valid":
            n = jnp.sum((data > p.valid_thresh).astype(jnp.float32))
            grad = grad / jnp.maximum(n, 1.0)
        return (grad.astype(data.dtype),)

    f.defvjp(fwd, bwd)
    return f


def _make_loss(p, ctx, data):
    return _make_loss_fn(p)(data)


register(
    "MakeLoss",
    _make_loss,
    "make_loss",
    params={
        "grad_scale": (p_float, 1.0),
        "valid_thresh": (p_float, 0.0),
        "normalization": (choice("null", "batch", "valid"), "null"),
    },
    loss=True,
    hint="makeloss",
)


# ----------------------------------------------------------------- CTCLoss
def _ctc_inputs(p):
    names = ["data", "label"]
    if p.use_data_lengths:
        names.append("data_lengths")
    if p.use_label_lengths:
        names.append("label_lengths")
    return tuple(names)


def _ctc(p, ctx, data, label, *lengths):
    del ctx
    lengths = list(lengths)
    data_lengths = lengths.pop(0) if p.use_data_lengths else None
    label_lengths = lengths.pop(0) if p.use_label_lengths else None
    if p.blank_label == "first":  # blank 0, labels 1.. padded with 0: move the blank last
        data = jnp.roll(data, -1, axis=-1)
        label = label - 1
    return ctc_loss(data, label, data_lengths, label_lengths, layout="TNC", label_layout="NT")


register(
    "CTCLoss",
    _ctc,
    "ctc_loss",
    "_contrib_CTCLoss",
    "_contrib_ctc_loss",
    params={
        "use_data_lengths": (p_bool, False),
        "use_label_lengths": (p_bool, False),
        "blank_label": (choice("first", "last"), "first"),
    },
    inputs=_ctc_inputs,
    hint="ctcloss",
)
