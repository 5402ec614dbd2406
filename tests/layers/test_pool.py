"""Pooling layers against MXNet 1.9.1 goldens and NumPy references."""

from __future__ import annotations

import itertools
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mxjax import layers as L

GOLDEN = np.load(os.path.join(os.path.dirname(__file__), "..", "golden", "conv", "pool.npz"))

# Same configurations as tests/golden/conv/make_golden.py.
CONFIGS = {
    "max2d_ceil_pad": L.MaxPool2D(3, 2, 1, ceil_mode=True),
    "max2d_floor": L.MaxPool2D(3, 2, 1),
    "max2d_default": L.MaxPool2D(),
    "avg2d_ceil_pad_cip": L.AvgPool2D(3, 2, 1, ceil_mode=True),
    "avg2d_ceil_pad_nocip": L.AvgPool2D(3, 2, 1, ceil_mode=True, count_include_pad=False),
    "avg2d_rect": L.AvgPool2D((3, 2), (2, 2), (1, 1), ceil_mode=True),
    "avg2d_floor_nocip": L.AvgPool2D(3, 2, 1, count_include_pad=False),
    "max1d_ceil": L.MaxPool1D(2, ceil_mode=True),
    "avg1d_ceil_nocip": L.AvgPool1D(3, 2, 1, ceil_mode=True, count_include_pad=False),
    "avg1d_ceil_cip": L.AvgPool1D(3, 2, 1, ceil_mode=True),
    "max3d_ceil_pad": L.MaxPool3D(2, 2, 1, ceil_mode=True),
    "avg3d_ceil_cip": L.AvgPool3D((2, 3, 2), (2, 2, 1), (1, 1, 0), ceil_mode=True),
    "gmax1d": L.GlobalMaxPool1D(),
    "gavg1d": L.GlobalAvgPool1D(),
    "gmax2d": L.GlobalMaxPool2D(),
    "gavg2d": L.GlobalAvgPool2D(),
    "gmax3d": L.GlobalMaxPool3D(),
    "gavg3d": L.GlobalAvgPool3D(),
}

# MXNet 1.9.1's backward of count_include_pad=True average pooling divides a ceil-mode
# window that runs past the padded input by the full pool size, while its forward (which
# we match) divides by the part inside the padded input: its gradient is not the gradient
# of its own output there. We check the true gradient against NumPy instead.
MXNET_INCONSISTENT_GRAD = {"avg2d_ceil_pad_cip", "avg1d_ceil_cip"}


def _apply(layer, x):
    return layer.apply({}, {}, x)[0]


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_matches_mxnet(name):
    layer = CONFIGS[name]
    x = jnp.asarray(GOLDEN[f"{name}/x"])
    assert layer.init(jax.random.key(0), x) == ({}, {})
    y, vjp = jax.vjp(lambda x: _apply(layer, x), x)
    np.testing.assert_allclose(y, GOLDEN[f"{name}/y"], rtol=1e-6, atol=1e-6)
    (dx,) = vjp(jnp.asarray(GOLDEN[f"{name}/dy"]))
    if name in MXNET_INCONSISTENT_GRAD:
        dx_ref = np_pool_grad(layer, GOLDEN[f"{name}/x"], GOLDEN[f"{name}/dy"])
        np.testing.assert_allclose(dx, dx_ref, rtol=1e-5, atol=1e-6)
        assert not np.allclose(dx, GOLDEN[f"{name}/dx"], atol=1e-3)  # still inconsistent
    else:
        np.testing.assert_allclose(dx, GOLDEN[f"{name}/dx"], rtol=1e-5, atol=1e-6)


def test_max_window_entirely_in_padding_gives_lowest_float_like_mxnet():
    y = GOLDEN["max3d_ceil_pad/y"]
    assert (y == np.finfo(np.float32).min).any()  # what MXNet returns there
    out = _apply(CONFIGS["max3d_ceil_pad"], jnp.asarray(GOLDEN["max3d_ceil_pad/x"]))
    assert bool(jnp.all(jnp.isfinite(out)))


def test_avg_window_with_nothing_to_count_raises_instead_of_nan():
    assert np.isnan(GOLDEN["avg3d_ceil_nocip/y"]).any()  # MXNet's silent NaN
    layer = L.AvgPool3D((2, 3, 2), (2, 2, 1), (1, 1, 0), ceil_mode=True, count_include_pad=False)
    with pytest.raises(
        ValueError,
        match=r"AvgPool3D: output position 3 of spatial dimension 0.*shape \(1, 2, 5, 6, 4\)",
    ):
        _apply(layer, jnp.asarray(GOLDEN["avg3d_ceil_nocip/x"]))


def _windows(layer, shape):
    """Yields (output index, tuple of slices into the input, divisor) in NumPy terms."""
    n = len(shape) - 2
    k, s, p = layer.pool_size, layer.strides, layer.padding
    out = []
    for i in range(n):
        span = shape[2 + i] + 2 * p[i] - k[i]
        out.append((int(np.ceil(span / s[i])) if layer.ceil_mode else span // s[i]) + 1)
    for pos in itertools.product(*[range(o) for o in out]):
        sl, div = [], 1
        for i, o in enumerate(pos):
            start = o * s[i] - p[i]
            lo, hi = max(start, 0), min(start + k[i], shape[2 + i])
            sl.append(slice(lo, hi))
            if getattr(layer, "count_include_pad", True):
                div *= min(start + k[i], shape[2 + i] + p[i]) - start
            else:
                div *= hi - lo
        yield pos, tuple(sl), div, out


def np_pool(layer, x):
    """Naive channels-first pooling with MXNet's 'full'/'valid' and padding rules."""
    y = None
    for pos, sl, div, out in _windows(layer, x.shape):
        if y is None:
            y = np.zeros(x.shape[:2] + tuple(out))
        win = x[(slice(None), slice(None), *sl)].reshape(x.shape[:2] + (-1,))
        if type(layer).__name__.startswith("Max"):
            y[(slice(None), slice(None), *pos)] = win.max(-1)
        else:
            y[(slice(None), slice(None), *pos)] = win.sum(-1) / div
    return y


def np_pool_grad(layer, x, dy):
    """Gradient of ``sum(np_pool(x) * dy)`` for average pooling."""
    dx = np.zeros(x.shape)
    for pos, sl, div, _ in _windows(layer, x.shape):
        g = dy[(slice(None), slice(None), *pos)] / div
        dx[(slice(None), slice(None), *sl)] += g.reshape(g.shape + (1,) * len(sl))
    return dx


NUMPY_CASES = [
    (L.MaxPool1D, dict(pool_size=3, strides=2, padding=1, ceil_mode=True), (2, 2, 10)),
    (L.AvgPool1D, dict(pool_size=4, strides=3, padding=2, ceil_mode=True), (1, 2, 9)),
    (L.MaxPool2D, dict(pool_size=(2, 3), strides=(1, 2), padding=(1, 1)), (1, 2, 5, 6)),
    (
        L.AvgPool2D,
        dict(pool_size=3, strides=2, padding=1, ceil_mode=True, count_include_pad=False),
        (1, 3, 6, 7),
    ),
    (
        L.AvgPool2D,
        dict(pool_size=(2, 3), strides=(3, 2), padding=(1, 1), ceil_mode=True),
        (1, 2, 8, 7),
    ),
    (L.MaxPool3D, dict(pool_size=2, strides=(1, 2, 2), ceil_mode=True), (1, 2, 3, 5, 4)),
    (L.AvgPool3D, dict(pool_size=2, strides=2, padding=1), (1, 1, 4, 3, 5)),
]


@pytest.mark.parametrize("channels_last", [False, True], ids=["first", "last"])
@pytest.mark.parametrize("case", range(len(NUMPY_CASES)))
def test_matches_numpy_reference(case, channels_last):
    cls, kw, shape = NUMPY_CASES[case]
    x = np.random.default_rng(case).standard_normal(shape).astype(np.float32)
    n = x.ndim - 2
    layout = (("NWC", "NHWC", "NDHWC") if channels_last else ("NCW", "NCHW", "NCDHW"))[n - 1]
    layer = cls(**kw, layout=layout)
    ref = np_pool(layer, x)
    xin = np.moveaxis(x, 1, -1) if channels_last else x
    y = np.asarray(_apply(layer, jnp.asarray(xin)))
    if channels_last:
        y = np.moveaxis(y, -1, 1)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "cls, reduce", [(L.GlobalMaxPool2D, np.max), (L.GlobalAvgPool2D, np.mean)], ids=["max", "avg"]
)
def test_global_pools_keep_unit_spatial_axes(cls, reduce):
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype(np.float32)
    np.testing.assert_allclose(
        _apply(cls(), jnp.asarray(x)), reduce(x, axis=(2, 3), keepdims=True), rtol=1e-6
    )
    y = _apply(cls(layout="NHWC"), jnp.asarray(np.moveaxis(x, 1, -1)))
    np.testing.assert_allclose(
        y, np.moveaxis(reduce(x, axis=(2, 3), keepdims=True), 1, -1), rtol=1e-6
    )


def test_defaults_follow_gluon():
    assert L.MaxPool2D() == L.MaxPool2D((2, 2), (2, 2), 0)
    p = L.AvgPool3D(3)
    assert p.pool_size == (3, 3, 3) and p.strides == (3, 3, 3) and p.padding == (0, 0, 0)
    assert p.count_include_pad and not p.ceil_mode and p.layout == "NCDHW"
    assert L.MaxPool1D().layout == "NCW" and L.GlobalAvgPool2D().layout == "NCHW"
    hash(L.AvgPool2D(2, count_include_pad=False))


def test_gradients_under_jit():
    x = jax.random.normal(jax.random.key(0), (2, 3, 6, 6))
    for layer in (L.MaxPool2D(3, 2, 1, ceil_mode=True), L.AvgPool2D(3, 2, 1, ceil_mode=True)):
        g = jax.jit(jax.grad(lambda x, layer=layer: _apply(layer, x).sum()))(x)
        assert g.shape == x.shape and bool(jnp.all(jnp.isfinite(g)))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: L.MaxPool2D(0), "MaxPool2D: pool_size must be >= 1"),
        (lambda: L.AvgPool1D((2, 2)), r"AvgPool1D: pool_size must be an int or a tuple of 1"),
        (lambda: L.MaxPool3D(2, padding=-1), "MaxPool3D: padding must be >= 0"),
        (
            lambda: L.AvgPool2D(2, layout="NCW"),
            r"AvgPool2D: layout must be one of \('NCHW', 'NHWC'\)",
        ),
        (lambda: L.MaxPool2D(2, ceil_mode=1), "MaxPool2D: ceil_mode must be a bool; received 1"),
        (lambda: L.GlobalMaxPool1D(layout="NCHW"), "GlobalMaxPool1D: layout must be one of"),
    ],
)
def test_bad_hyperparameters(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_bad_inputs_name_layer_expected_and_received():
    with pytest.raises(ValueError, match=r"MaxPool2D: expected a 4-D .*received shape \(3, 4, 4\)"):
        _apply(L.MaxPool2D(), jnp.ones((3, 4, 4)))
    with pytest.raises(
        TypeError, match="AvgPool1D: expected a floating-point .*received dtype int32"
    ):
        _apply(L.AvgPool1D(), jnp.ones((1, 2, 4), jnp.int32))
    with pytest.raises(
        ValueError, match=r"MaxPool2D: pool_size 5 is larger than the padded input \(3 \+ 2\*0\)"
    ):
        L.MaxPool2D(5).init(jax.random.key(0), jnp.ones((1, 1, 3, 8)))
    with pytest.raises(
        ValueError, match=r"GlobalAvgPool3D: expected a 5-D .*received shape \(1, 2, 3\)"
    ):
        _apply(L.GlobalAvgPool3D(), jnp.ones((1, 2, 3)))


@pytest.mark.parametrize("impl", ["direct", "channels_last"])
def test_internal_layouts_agree(monkeypatch, impl):
    from mxjax._src.layers import conv as conv_mod

    monkeypatch.setattr(conv_mod, "_IMPL", impl)
    for name in ("max3d_ceil_pad", "avg2d_ceil_pad_nocip"):
        y = _apply(CONFIGS[name], jnp.asarray(GOLDEN[f"{name}/x"]))
        np.testing.assert_allclose(y, GOLDEN[f"{name}/y"], rtol=1e-6, atol=1e-6)
