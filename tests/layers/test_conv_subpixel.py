"""Strided transposed convolutions as one stride-1 convolution + depth-to-space (XLA:CPU)."""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mxjax import layers as L
from mxjax._src.layers import conv as conv_mod, conv_subpixel as subpixel_mod
from mxjax._src.layers.conv_subpixel import use_subpixel
from tests.layers.test_conv import assert_transpose_matches_numpy, conv_derivatives

# (layer, hyperparameters, channels-first input shape): padding, output_padding, dilation,
# groups, strides that differ per dimension or exceed the kernel, both layouts.
CASES = [
    (L.Conv2DTranspose, dict(channels=3, kernel_size=4, strides=2, padding=1), (2, 4, 5, 4)),
    (
        L.Conv2DTranspose,
        dict(channels=4, kernel_size=3, strides=2, padding=1, output_padding=1, groups=2),
        (1, 2, 5, 4),
    ),
    (
        L.Conv2DTranspose,
        dict(channels=2, kernel_size=(3, 2), strides=(3, 1), padding=(2, 0), layout="NHWC"),
        (1, 3, 4, 5),
    ),
    (L.Conv1DTranspose, dict(channels=2, kernel_size=1, strides=3, output_padding=2), (2, 3, 4)),
    # depthwise, more groups than unrolled: a loop over the groups
    (
        L.Conv2DTranspose,
        dict(channels=9, kernel_size=4, strides=2, padding=1, groups=9, layout="NHWC"),
        (1, 9, 5, 4),
    ),
    # padding beyond the kernel: the input is cropped before the convolution
    (L.Conv1DTranspose, dict(channels=3, kernel_size=2, strides=2, padding=3), (2, 2, 6)),
    (
        L.Conv1DTranspose,
        dict(channels=4, kernel_size=3, strides=2, dilation=2, groups=2, layout="NWC"),
        (2, 4, 5),
    ),
    (
        L.Conv3DTranspose,
        dict(channels=2, kernel_size=3, strides=2, padding=1, output_padding=1, use_bias=False),
        (1, 2, 3, 3, 2),
    ),
    (
        L.Conv3DTranspose,
        dict(channels=2, kernel_size=(2, 3, 2), strides=(2, 1, 3), layout="NDHWC"),
        (1, 3, 3, 2, 3),
    ),
]


def _lhs_dilations(f, *args):
    """Every convolution's input dilation in ``f``'s program."""
    text = str(jax.make_jaxpr(f)(*args))
    return [
        tuple(int(v) for v in m.split(",") if v.strip())
        for m in re.findall(r"lhs_dilation=\(([^)]*)\)", text)
    ]


def _setup(case):
    cls, kw, shape = CASES[case]
    layer = cls(**kw)
    last = layer.layout[-1] == "C"
    rng = np.random.default_rng(case)
    x = rng.standard_normal(shape).astype(np.float32)
    xin = jnp.asarray(np.moveaxis(x, 1, -1) if last else x)
    params, _ = layer.init(jax.random.key(0), xin)
    params = {k: jnp.asarray(rng.standard_normal(v.shape), jnp.float32) for k, v in params.items()}
    return layer, kw, last, x, xin, params


@pytest.mark.parametrize(
    "case, impl", [(c, "channels_last") for c in range(len(CASES))] + [(1, "direct"), (7, "direct")]
)
def test_strided_transposed_convolutions_match_numpy(monkeypatch, case, impl):
    monkeypatch.setattr(conv_mod, "_IMPL", impl)  # "direct": channels-first inside as well
    layer, kw, last, x, xin, params = _setup(case)

    def f(p, x):
        return layer.apply(p, {}, x)[0]

    dilations = _lhs_dilations(f, params, xin)
    assert dilations and all(d == (1,) * len(d) for d in dilations)  # no input-dilated conv
    y = np.asarray(jax.jit(f)(params, xin))
    assert_transpose_matches_numpy(y, x, params, kw, last)


def test_forward_and_gradients_match_the_input_dilated_path(monkeypatch):
    setups = [_setup(case) for case in range(len(CASES))]
    fs = [lambda p, x, layer=s[0]: layer.apply(p, {}, x)[0] for s in setups]
    params, xs = [s[5] for s in setups], [s[4] for s in setups]
    rng = np.random.default_rng(0)
    dys = [
        jnp.asarray(rng.standard_normal(jax.eval_shape(f, p, x).shape), jnp.float32)
        for f, p, x in zip(fs, params, xs)
    ]

    derivatives = conv_derivatives(fs, dys, higher=(1, 4))

    # Forward and gradients without input-dilated convolutions, then the reference with.
    assert all(d == (1,) * len(d) for d in _lhs_dilations(derivatives, params, xs, dys))
    got = jax.jit(derivatives)(params, xs, dys)
    monkeypatch.setattr(conv_mod, "use_subpixel", lambda strides: False)
    dilated = lambda *a: derivatives(*a)  # noqa: E731  (a new function: traced anew)
    assert any(d != (1,) * len(d) for d in _lhs_dilations(dilated, params, xs, dys))
    ref = jax.jit(dilated)(params, xs, dys)
    for g, r in zip(jax.tree.leaves(got), jax.tree.leaves(ref)):
        np.testing.assert_allclose(g, r, rtol=1e-5, atol=1e-5)


def test_use_subpixel_only_for_strides_on_cpu(monkeypatch):
    assert jax.default_backend() == "cpu"
    assert use_subpixel((2, 2)) and use_subpixel((1, 3))
    assert not use_subpixel((1, 1, 1))  # stride 1: an ordinary convolution already
    monkeypatch.setattr(subpixel_mod.jax, "default_backend", lambda: "gpu")
    assert not use_subpixel((2, 2))
