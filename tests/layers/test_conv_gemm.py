"""Convolutions with a tiny output run as a matrix product: NumPy references, gradients.

``mxjax._src.layers.conv_gemm`` replaces XLA's convolution when the kernel covers (nearly)
the whole padded input; here its results and gradients are checked against NumPy code
written for the test and against the ordinary convolution path.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mxjax import layers as L
from mxjax._src.layers import conv as conv_mod, conv_gemm as conv_gemm_mod
from mxjax._src.layers.conv_gemm import conv_gemm, use_gemm
from tests.layers.test_conv import assert_transpose_matches_numpy, conv_derivatives, np_conv

CLASSES = {1: L.Conv1D, 2: L.Conv2D, 3: L.Conv3D}
LAYOUTS = {1: ("NCW", "NWC"), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}
SPATIAL = {1: (7,), 2: (7, 7), 3: (3, 4, 3)}


def np_whole_input_conv(x, w, groups):
    """``(N, C, *S)`` x ``(O, C/g, *S)`` -> ``(N, O)``: one dot product per group."""
    nb = x.shape[0]
    o, cg = w.shape[:2]
    xg = x.reshape(nb, groups, cg * int(np.prod(x.shape[2:])))
    wg = w.reshape(groups, o // groups, -1)
    return np.einsum("ngk,gok->ngo", xg, wg).reshape(nb, o)


def _uses_matmul(fn, *args):
    # A new function each time: make_jaxpr caches traces by function.
    text = str(jax.make_jaxpr(lambda *a: fn(*a))(*args))
    return "dot_general" in text and "conv_general_dilated" not in text


@pytest.mark.parametrize(
    "n, groups, use_bias, last",
    [(1, 1, True, False), (1, 2, False, True), (2, 1, True, True), (2, 2, False, False)]
    + [(3, 1, True, False), (3, 2, False, True)],
)
def test_kernel_equal_to_input_matches_numpy(n, groups, use_bias, last):
    rng = np.random.default_rng(10 * n + groups)
    x = rng.standard_normal((2, 4, *SPATIAL[n])).astype(np.float32)
    layer = CLASSES[n](6, SPATIAL[n], groups=groups, use_bias=use_bias, layout=LAYOUTS[n][last])
    xin = np.moveaxis(x, 1, -1) if last else x
    params, _ = layer.init(jax.random.key(0), jnp.asarray(xin))
    w = np.asarray(params["weight"])
    ref = np_whole_input_conv(x, np.moveaxis(w, -1, 1) if last else w, groups)
    if use_bias:
        b = rng.standard_normal(6).astype(np.float32)
        params["bias"] = jnp.asarray(b)
        ref = ref + b
    ref = ref.reshape((2,) + (1,) * n + (6,) if last else (2, 6) + (1,) * n)

    def f(p, x):
        return layer.apply(p, {}, x)[0]

    assert _uses_matmul(f, params, jnp.asarray(xin))
    np.testing.assert_allclose(jax.jit(f)(params, jnp.asarray(xin)), ref, rtol=1e-5, atol=1e-5)


# (n, spatial, kernel, strides, padding, dilation, groups): a few output positions.
NEAR_CASES = [
    (1, (9,), (9,), (2,), (1,), (1,), 2),  # 2 positions, padded, strided
    (2, (7, 8), (3, 4), (1, 2), (0, 1), (3, 2), 1),  # dilated kernel spans the input
    (2, (6, 6), (5, 6), (1, 1), (0, 0), (1, 1), 2),  # 2 x 1 positions
    (2, (3, 3), (5, 5), (3, 3), (2, 2), (1, 1), 1),  # padding wider than the input
    (3, (4, 4, 5), (3, 4, 4), (1, 1, 2), (0, 0, 1), (1, 1, 1), 2),
    (2, (6, 6), (5, 5), (1, 1), (0, 0), (1, 1), 2),  # channels-last, batch x 4 > 6 channels
]


@pytest.mark.parametrize("case", range(len(NEAR_CASES)))
def test_few_output_positions_match_numpy(case):
    n, spatial, kernel, strides, pad, dil, groups = NEAR_CASES[case]
    last = bool(case % 2)
    assert use_gemm(spatial, kernel, strides, [(p, p) for p in pad], dil)
    rng = np.random.default_rng(case)
    x = rng.standard_normal((2, 4, *spatial)).astype(np.float32)
    w = rng.standard_normal((6, 4 // groups, *kernel)).astype(np.float32)
    xin = jnp.asarray(np.moveaxis(x, 1, -1) if last else x)
    f = jax.jit(lambda x, w: conv_gemm(x, w, strides, [(p, p) for p in pad], dil, groups, last))
    y = f(xin, jnp.asarray(w))
    ref = np_conv(x, w, strides, pad, dil, groups)
    np.testing.assert_allclose(np.moveaxis(y, -1, 1) if last else y, ref, rtol=1e-5, atol=1e-5)


# (class, hyperparameters, channels-first input shape): a few input positions.
TRANSPOSED_CASES = [
    (L.Conv1DTranspose, dict(channels=4, kernel_size=7, groups=2), (2, 2, 1)),
    (L.Conv2DTranspose, dict(channels=3, kernel_size=(3, 4), layout="NHWC"), (2, 4, 1, 1)),
    (
        L.Conv2DTranspose,
        dict(channels=2, kernel_size=4, strides=2, padding=1, output_padding=(1, 0)),
        (1, 3, 2, 2),
    ),
    (
        L.Conv3DTranspose,
        dict(channels=2, kernel_size=(2, 3, 2), dilation=2, use_bias=False, layout="NDHWC"),
        (2, 2, 1, 1, 1),
    ),
]


@pytest.mark.parametrize("case", range(len(TRANSPOSED_CASES)))
def test_transposed_with_few_input_positions_match_numpy(case):
    cls, kw, shape = TRANSPOSED_CASES[case]
    layer = cls(**kw)
    last = layer.layout[-1] == "C"
    rng = np.random.default_rng(case)
    x = rng.standard_normal(shape).astype(np.float32)
    xin = jnp.asarray(np.moveaxis(x, 1, -1) if last else x)
    params, _ = layer.init(jax.random.key(0), xin)

    def f(p, x):
        return layer.apply(p, {}, x)[0]

    assert _uses_matmul(f, params, xin)
    y = np.asarray(jax.jit(f)(params, xin))
    assert_transpose_matches_numpy(y, x, params, kw, last)


GRAD_CASES = [
    (L.Conv1D, dict(channels=4, kernel_size=5, groups=2), (2, 2, 5)),
    (L.Conv2D, dict(channels=4, kernel_size=(3, 4), padding=1, strides=2), (2, 3, 3, 4)),
    (L.Conv2D, dict(channels=4, kernel_size=3, dilation=2, groups=2, layout="NHWC"), (2, 6, 5, 2)),
    (L.Conv3D, dict(channels=2, kernel_size=(2, 3, 2), layout="NDHWC"), (2, 3, 3, 2, 2)),
    # Transposed: the convolution whose input gradient they are has a tiny output.
    (L.Conv2DTranspose, dict(channels=4, kernel_size=3, groups=2, layout="NHWC"), (2, 1, 1, 2)),
    (
        L.Conv1DTranspose,
        dict(channels=2, kernel_size=6, strides=2, padding=1, output_padding=1),
        (2, 3, 2),
    ),
    (L.Conv3DTranspose, dict(channels=2, kernel_size=2, dilation=2), (1, 2, 1, 1, 1)),
]


def test_forward_and_gradients_match_the_convolution_path(monkeypatch):
    rng = np.random.default_rng(0)
    normal = lambda shape: jnp.asarray(rng.standard_normal(shape), jnp.float32)  # noqa: E731
    layers = [cls(**kw) for cls, kw, _ in GRAD_CASES]
    xs = [normal(shape) for _, _, shape in GRAD_CASES]
    params = [
        jax.tree.map(lambda s: normal(s.shape), jax.eval_shape(layer.init, jax.random.key(0), x)[0])
        for layer, x in zip(layers, xs)
    ]
    fs = [lambda p, x, layer=layer: layer.apply(p, {}, x)[0] for layer in layers]
    dys = [normal(jax.eval_shape(f, p, x).shape) for f, p, x in zip(fs, params, xs)]

    # forward mode and second order on the grouped NHWC cases
    derivatives = conv_derivatives(fs, dys, higher=(2, 4))

    assert all(_uses_matmul(f, p, x) for f, p, x in zip(fs, params, xs))
    got = jax.jit(derivatives)(params, xs, dys)
    monkeypatch.setattr(conv_mod, "use_gemm", lambda *a: False)
    monkeypatch.setattr(conv_gemm_mod, "use_gemm", lambda *a: False)
    assert not any(_uses_matmul(f, p, x) for f, p, x in zip(fs, params, xs))
    ref = jax.jit(lambda *a: derivatives(*a))(params, xs, dys)
    for g, r in zip(jax.tree.leaves(got), jax.tree.leaves(ref)):
        np.testing.assert_allclose(g, r, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "spatial, kernel, strides, padding, dilation, expected",
    [
        ((224, 224), (224, 224), (1, 1), (0, 0), (1, 1), True),  # test_conv2d_16c
        ((5, 5), (3, 3), (3, 3), (0, 0), (1, 1), True),  # one position through the stride
        ((5, 5), (1, 1), (5, 5), (0, 0), (1, 1), True),  # 1 x 1 kernel, one position
        ((6, 6), (5, 5), (1, 1), (0, 0), (1, 1), True),  # 4 positions, 9 inputs each
        ((28, 28), (21, 21), (1, 1), (0, 0), (1, 1), False),  # 64 positions: too many
        ((5, 5), (3, 3), (1, 1), (1, 1), (1, 1), False),  # an ordinary 'same' convolution
        ((3, 3), (2, 2), (1, 1), (0, 0), (1, 1), False),  # 4 positions, 2.25 inputs each
    ],
)
def test_use_gemm_threshold(spatial, kernel, strides, padding, dilation, expected):
    got = use_gemm(spatial, kernel, strides, [(p, p) for p in padding], dilation)
    assert got is expected
