"""Convolution layers against MXNet 1.9.1 goldens and NumPy references."""

from __future__ import annotations

import itertools
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mxjax import layers as L
from mxjax._src.layers import conv as conv_mod

GOLDEN = np.load(os.path.join(os.path.dirname(__file__), "..", "golden", "conv", "conv.npz"))

# Same configurations as tests/golden/conv/make_golden.py.
CONFIGS = {
    "conv1d": L.Conv1D(4, 3, strides=2, padding=1, dilation=2),
    "conv2d": L.Conv2D(
        6, (3, 2), strides=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2, activation="relu"
    ),
    "conv2d_nobias": L.Conv2D(3, 1, use_bias=False),
    "conv3d": L.Conv3D(3, 2, strides=(1, 2, 1), padding=1),
    "conv1dT": L.Conv1DTranspose(3, 3, strides=2, padding=1, output_padding=1),
    "conv2dT": L.Conv2DTranspose(
        4, (3, 4), strides=(2, 3), padding=(1, 2), output_padding=(1, 0), dilation=(2, 1), groups=2
    ),
    "conv2dT_big_pad": L.Conv2DTranspose(2, 2, strides=3, padding=2, use_bias=False),
    "conv3dT": L.Conv3DTranspose(2, 3, strides=2, padding=1, activation="tanh"),
}


def _golden(name, key):
    return jnp.asarray(GOLDEN[f"{name}/{key}"])


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_matches_mxnet_forward_and_gradients(name):
    layer = CONFIGS[name]
    x = _golden(name, "x")
    params, _ = layer.init(jax.random.key(0), x)
    params = {k: _golden(name, k) for k in params}  # also checks names and shapes exist
    for k, v in params.items():
        assert v.shape == GOLDEN[f"{name}/{k}"].shape

    def f(p, x):
        return layer.apply(p, {}, x)[0]

    y, vjp = jax.vjp(f, params, x)
    np.testing.assert_allclose(y, GOLDEN[f"{name}/y"], rtol=1e-5, atol=1e-5)
    dparams, dx = vjp(_golden(name, "dy"))
    np.testing.assert_allclose(dx, GOLDEN[f"{name}/dx"], rtol=1e-4, atol=1e-4)
    for k, g in dparams.items():
        np.testing.assert_allclose(g, GOLDEN[f"{name}/d{k}"], rtol=1e-4, atol=1e-4)


def test_init_shapes_match_gluon():
    # Shapes printed by MXNet 1.9.1 Gluon for channels=8, kernel 3, groups=2, in_channels=4.
    x2, x3 = jnp.ones((1, 4, 5, 5)), jnp.ones((1, 4, 5, 5, 5))
    cases = [
        (L.Conv2D(8, 3, groups=2), x2, (8, 2, 3, 3)),
        (L.Conv2D(8, 3, groups=2, layout="NHWC"), jnp.ones((1, 5, 5, 4)), (8, 3, 3, 2)),
        (L.Conv2DTranspose(8, 3, groups=2), x2, (4, 4, 3, 3)),
        (L.Conv2DTranspose(8, 3, groups=2, layout="NHWC"), jnp.ones((1, 5, 5, 4)), (4, 3, 3, 4)),
        (L.Conv3D(8, 3, groups=2, layout="NDHWC"), jnp.ones((1, 5, 5, 5, 4)), (8, 3, 3, 3, 2)),
        (L.Conv3DTranspose(8, 3, groups=2), x3, (4, 4, 3, 3, 3)),
    ]
    for layer, x, shape in cases:
        params, state = jax.eval_shape(layer.init, jax.random.key(0), x)
        assert params["weight"].shape == shape, layer
        assert params["bias"].shape == (8,)
        assert state == {}


def np_conv(x, w, stride, pad, dil, groups):
    """Naive channels-first cross-correlation, (N, C, *S) x (O, C/g, *k)."""
    n = x.ndim - 2
    x = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad])
    k = w.shape[2:]
    out_sp = [(x.shape[2 + i] - dil[i] * (k[i] - 1) - 1) // stride[i] + 1 for i in range(n)]
    o, cg = w.shape[:2]
    og = o // groups
    y = np.zeros((x.shape[0], o, *out_sp))
    for oc in range(o):
        g = oc // og
        xs = x[:, g * cg : (g + 1) * cg]
        for pos in itertools.product(*[range(s) for s in out_sp]):
            for kk in itertools.product(*[range(s) for s in k]):
                idx = tuple(pos[i] * stride[i] + kk[i] * dil[i] for i in range(n))
                y[(slice(None), oc, *pos)] += (
                    xs[(slice(None), slice(None), *idx)] @ w[(oc, slice(None), *kk)]
                )
    return y


def np_conv_transpose(x, w, stride, pad, out_pad, dil, groups):
    """Naive transposed convolution by scattering, (N, C, *S) x (C, O/g, *k)."""
    n = x.ndim - 2
    cin, og = w.shape[:2]
    cg = cin // groups
    k = w.shape[2:]
    sp = x.shape[2:]
    full = [(sp[i] - 1) * stride[i] + dil[i] * (k[i] - 1) + 1 + out_pad[i] for i in range(n)]
    y = np.zeros((x.shape[0], og * groups, *full))
    for ic in range(cin):
        g = ic // cg
        for pos in itertools.product(*[range(s) for s in sp]):
            for kk in itertools.product(*[range(s) for s in k]):
                idx = tuple(pos[i] * stride[i] + kk[i] * dil[i] for i in range(n))
                for oc in range(og):
                    y[(slice(None), g * og + oc, *idx)] += (
                        x[(slice(None), ic, *pos)] * w[(ic, oc, *kk)]
                    )
    crop = tuple(slice(pad[i], full[i] - pad[i]) for i in range(n))
    return y[(slice(None), slice(None), *crop)]


def conv_derivatives(fs, dys, higher):
    """``derivatives(params, xs, dys)``: each ``f(p, x)``'s output and vjp with ``dy``, plus
    forward mode and second order (reverse over reverse) on the cases ``higher`` (one program
    when jitted; jit it anew for each convolution path)."""

    def derivatives(params, xs, dys):
        out = [jax.vjp(f, p, x) for f, p, x in zip(fs, params, xs)]
        out = [(y, vjp(dy)) for (y, vjp), dy in zip(out, dys)]
        for i in higher:
            f, p, x, dy = fs[i], params[i], xs[i], dys[i]
            out.append(jax.jvp(f, (p, x), (jax.tree.map(jnp.cos, p), jnp.sin(x)))[1])
            dx = lambda p, f=f, x=x, dy=dy: jax.grad(lambda x: jnp.sum(f(p, x) * dy))(x)  # noqa: E731
            out.append(jax.grad(lambda p, dx=dx: jnp.sum(dx(p) ** 2))(p))
        return out

    return derivatives


def assert_transpose_matches_numpy(y, x, params, kw, channels_last):
    """A transposed layer's output ``y`` for input ``x`` (channels first) and hyperparameters
    ``kw`` equals :func:`np_conv_transpose` plus the bias."""
    w = np.asarray(params["weight"])
    n = x.ndim - 2

    def t(v):
        return v if isinstance(v, tuple) else (v,) * n

    ref = np_conv_transpose(
        x,
        np.moveaxis(w, -1, 1) if channels_last else w,
        t(kw.get("strides", 1)),
        t(kw.get("padding", 0)),
        t(kw.get("output_padding", 0)),
        t(kw.get("dilation", 1)),
        kw.get("groups", 1),
    )
    if "bias" in params:
        ref = ref + np.asarray(params["bias"]).reshape((1, -1) + (1,) * n)
    y = np.asarray(y)
    np.testing.assert_allclose(
        np.moveaxis(y, -1, 1) if channels_last else y, ref, rtol=1e-5, atol=1e-5
    )


NUMPY_CASES = [
    (L.Conv1D, dict(channels=4, kernel_size=2, strides=3, padding=2, groups=2), (2, 2, 9)),
    (L.Conv2D, dict(channels=3, kernel_size=(2, 3), strides=(1, 2), dilation=(2, 1)), (1, 2, 6, 7)),
    (L.Conv3D, dict(channels=2, kernel_size=2, padding=(0, 1, 0)), (1, 2, 3, 3, 3)),
    (
        L.Conv2DTranspose,
        dict(channels=4, kernel_size=3, strides=2, padding=1, output_padding=1, groups=2),
        (1, 2, 3, 3),
    ),
    (L.Conv1DTranspose, dict(channels=2, kernel_size=3, strides=3, dilation=2), (2, 3, 4)),
    (L.Conv3DTranspose, dict(channels=1, kernel_size=2, strides=(1, 2, 1)), (1, 2, 2, 2, 2)),
]


def _to_last(a):
    return np.moveaxis(a, 1, -1)


@pytest.mark.parametrize("channels_last", [False, True], ids=["first", "last"])
@pytest.mark.parametrize("case", range(len(NUMPY_CASES)))
def test_matches_numpy_reference(case, channels_last):
    cls, kw, shape = NUMPY_CASES[case]
    rng = np.random.default_rng(case)
    x = rng.standard_normal(shape).astype(np.float32)
    n = x.ndim - 2
    layout = ("NCW", "NCHW", "NCDHW")[n - 1]
    if channels_last:
        layout = ("NWC", "NHWC", "NDHWC")[n - 1]
    layer = cls(**kw, layout=layout)
    xin = _to_last(x) if channels_last else x
    params, _ = layer.init(jax.random.key(1), jnp.asarray(xin))
    w = np.asarray(params["weight"])
    w_cf = np.moveaxis(w, -1, 1) if channels_last else w
    b = rng.standard_normal(params["bias"].shape).astype(np.float32)
    params["bias"] = jnp.asarray(b)
    y = np.asarray(layer.apply(params, {}, jnp.asarray(xin))[0])
    t = lambda v: tuple(v) if isinstance(v, tuple) else (v,) * n  # noqa: E731
    stride, pad, dil = t(kw.get("strides", 1)), t(kw.get("padding", 0)), t(kw.get("dilation", 1))
    groups = kw.get("groups", 1)
    if "Transpose" in cls.__name__:
        ref = np_conv_transpose(x, w_cf, stride, pad, t(kw.get("output_padding", 0)), dil, groups)
    else:
        ref = np_conv(x, w_cf, stride, pad, dil, groups)
    ref = ref + b.reshape((1, -1) + (1,) * n)
    if channels_last:
        ref = _to_last(ref)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("impl", ["direct", "channels_last"])
def test_internal_implementations_agree(monkeypatch, impl):
    monkeypatch.setattr(conv_mod, "_IMPL", impl)
    name = "conv2dT"
    layer = CONFIGS[name]
    params = {"weight": _golden(name, "weight"), "bias": _golden(name, "bias")}
    y = layer.apply(params, {}, _golden(name, "x"))[0]
    np.testing.assert_allclose(y, GOLDEN[f"{name}/y"], rtol=1e-5, atol=1e-5)
    layer = L.Conv2D(3, 2, layout="NHWC")
    x = jax.random.normal(jax.random.key(0), (1, 4, 4, 2))
    params, _ = layer.init(jax.random.key(1), x)
    w = np.moveaxis(np.asarray(params["weight"]), -1, 1)
    ref = _to_last(np_conv(np.moveaxis(np.asarray(x), -1, 1), w, (1, 1), (0, 0), (1, 1), 1))
    np.testing.assert_allclose(layer.apply(params, {}, x)[0], ref, rtol=1e-4, atol=1e-4)


def test_hyperparameters_are_normalized_and_hashable():
    a, b = L.Conv2D(4, 3), L.Conv2D(4, (3, 3), strides=[1, 1])
    assert a == b and hash(a) == hash(b)
    assert a.kernel_size == (3, 3) and a.padding == (0, 0) and a.layout == "NCHW"
    assert L.Conv1D(2, 3).layout == "NCW" and L.Conv3DTranspose(2, 3).layout == "NCDHW"


def test_in_sequential_names_follow_gluon():
    net = L.Sequential([L.Conv2D(4, 3), L.MaxPool2D(), L.Conv2D(6, 3), L.GlobalAvgPool2D()])
    x = jnp.ones((2, 1, 12, 12))
    params, _ = jax.eval_shape(net.init, jax.random.key(0), x)
    assert sorted(L.flatten_names(params)) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    y, _ = jax.eval_shape(net.apply, params, {}, x)
    assert y.shape == (2, 6, 1, 1)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: L.Conv2D(0, 3), "Conv2D: channels must be a positive int; received 0"),
        (lambda: L.Conv2D(4, (3, 3, 3)), r"Conv2D: kernel_size must be an int or a tuple of 2"),
        (lambda: L.Conv2D(4, 3, strides=0), "Conv2D: strides must be >= 1"),
        (lambda: L.Conv1D(4, 3, padding=-1), "Conv1D: padding must be >= 0"),
        (lambda: L.Conv2D(3, 3, groups=2), "channels=3 must be divisible by groups=2"),
        (lambda: L.Conv2D(4, 3, layout="NCW"), r"Conv2D: layout must be one of \('NCHW', 'NHWC'\)"),
        (lambda: L.Conv3DTranspose(4, 3, activation="nope"), "Conv3DTranspose: unknown activation"),
    ],
)
def test_bad_hyperparameters(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_bad_inputs_name_layer_expected_and_received():
    layer = L.Conv2D(4, 3)
    x = jnp.ones((2, 3, 5, 5))
    params, state = jax.eval_shape(layer.init, jax.random.key(0), x)
    with pytest.raises(ValueError, match=r"Conv2D: expected a 4-D .*received shape \(3, 5, 5\)"):
        layer.apply(params, state, x[0])
    with pytest.raises(ValueError, match=r"Conv2D: expected an input with 3 channels.*received 2"):
        layer.apply(params, state, jnp.ones((2, 2, 5, 5)))
    with pytest.raises(
        TypeError, match="Conv2D: expected a floating-point input.*received dtype int32"
    ):
        layer.apply(params, state, jnp.ones((2, 3, 5, 5), jnp.int32))
    with pytest.raises(
        ValueError, match=r"Conv2D: the dilated kernel \(3\) is larger than the padded"
    ):
        layer.apply(params, state, jnp.ones((2, 3, 2, 5)))
    with pytest.raises(ValueError, match="Conv2D: in_channels=5 but the example input has 3"):
        L.Conv2D(4, 3, in_channels=5).init(jax.random.key(0), x)
    with pytest.raises(ValueError, match="input's 3 channels must be divisible by groups=2"):
        L.Conv2D(4, 3, groups=2).init(jax.random.key(0), x)
    with pytest.raises(ValueError, match=r"Conv1DTranspose: padding=\(3,\) is too large"):
        L.Conv1DTranspose(2, 2, padding=3).init(jax.random.key(0), jnp.ones((1, 2, 2)))
    t = L.Conv2DTranspose(4, 3)
    p, s = jax.eval_shape(t.init, jax.random.key(0), x)
    with pytest.raises(ValueError, match=r"Conv2DTranspose: expected an input with 3 channels"):
        t.apply(p, s, jnp.ones((2, 4, 5, 5)))
