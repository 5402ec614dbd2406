"""``nd.Convolution`` and ``nd.Deconvolution`` against NumPy references; recorded gradients."""

from __future__ import annotations

import numpy as np
import pytest

from mxjax import autograd, nd
from tests.layers.test_conv import np_conv, np_conv_transpose

RNG = np.random.default_rng(0)


def _r(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize(
    "spatial, kw",
    [
        ((6, 5), dict(kernel=(3, 2), stride=(2, 1), pad=(1, 0), dilate=(1, 2), num_group=2)),
        ((5, 5), dict(kernel=(5, 5), num_group=2)),  # one output position: a matrix product
        ((7,), dict(kernel=(3,), pad=(1,))),
    ],
)
def test_convolution_matches_numpy(spatial, kw):
    n, g = len(spatial), kw.get("num_group", 1)
    x, w, b = _r(2, 4, *spatial), _r(6, 4 // g, *kw["kernel"]), _r(6)
    y = nd.Convolution(nd.array(x), nd.array(w), nd.array(b), num_filter=6, **kw)
    ref = np_conv(
        x, w, kw.get("stride", (1,) * n), kw.get("pad", (0,) * n), kw.get("dilate", (1,) * n), g
    )
    np.testing.assert_allclose(y.asnumpy(), ref + b.reshape((1, 6) + (1,) * n), atol=1e-4)


def test_convolution_channels_last_and_out():
    x, w = _r(2, 4, 4, 3), _r(5, 4, 4, 3)  # NHWC, weight (O, kh, kw, C)
    out = nd.zeros((2, 1, 1, 5))
    res = nd.Convolution(
        nd.array(x), nd.array(w), kernel=(4, 4), num_filter=5, no_bias=True, layout="NHWC", out=out
    )
    ref = np.einsum("nhwc,ohwc->no", x, w).reshape(2, 1, 1, 5)
    assert res is out
    np.testing.assert_allclose(out.asnumpy(), ref, rtol=1e-5, atol=1e-5)


def test_deconvolution_matches_numpy():
    x, w = _r(1, 2, 3, 3), _r(2, 2, 3, 3)
    kw = dict(kernel=(3, 3), stride=(2, 2), pad=(1, 1), adj=(1, 0), num_group=2, num_filter=4)
    y = nd.Deconvolution(nd.array(x), nd.array(w), **kw)
    ref = np_conv_transpose(x, w, (2, 2), (1, 1), (1, 0), (1, 1), 2)
    np.testing.assert_allclose(y.asnumpy(), ref, rtol=1e-5, atol=1e-5)


def test_recorded_gradients_match_numpy():
    x, w, b = _r(2, 2, 5, 5), _r(4, 1, 5, 5), _r(4)
    xs, ws, bs = nd.array(x), nd.array(w), nd.array(b)
    for a in (xs, ws, bs):
        a.attach_grad()
    dy = _r(2, 4, 1, 1)
    with autograd.record():
        y = nd.Convolution(xs, ws, bs, kernel=(5, 5), num_filter=4, num_group=2)
    y.backward(nd.array(dy))
    # y[n, o] = <x[n, group(o)], w[o]> + b[o]: per group, dx = dy @ w and dw = dy^T @ x.
    xg, wg, dyg = x.reshape(2, 2, 25), w.reshape(2, 2, 25), dy.reshape(2, 2, 2)
    dx = np.einsum("ngo,gok->ngk", dyg, wg).reshape(x.shape)
    dw = np.einsum("ngo,ngk->gok", dyg, xg).reshape(w.shape)
    np.testing.assert_allclose(xs.grad.asnumpy(), dx, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ws.grad.asnumpy(), dw, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(bs.grad.asnumpy(), dy.sum(axis=(0, 2, 3)), rtol=1e-5, atol=1e-5)


def test_bad_arguments_name_the_operator():
    x, w = nd.ones((1, 2, 3, 3)), nd.ones((2, 2, 3, 3))
    with pytest.raises(TypeError, match=r"nd.Convolution: unexpected argument\(s\) \['foo'\]"):
        nd.Convolution(x, w, kernel=(3, 3), num_filter=2, no_bias=True, foo=1)
    with pytest.raises(ValueError, match="nd.Convolution: bias is required unless no_bias=True"):
        nd.Convolution(x, w, kernel=(3, 3), num_filter=2)
    with pytest.raises(ValueError, match="num_filter"):
        nd.Convolution(x, w, kernel=(3, 3), no_bias=True)
