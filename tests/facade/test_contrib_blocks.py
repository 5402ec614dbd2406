"""gluon.contrib.nn blocks, nn.ReflectionPad2D and grouped convolutions against MXNet 1.9.1.

Golden file: tests/golden/contrib_nn/golden.npz (make_golden.py next to it).
"""

import os

import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd, nd
from mxjax.gluon import nn
from mxjax.gluon.contrib import nn as cnn

G = np.load(os.path.join(os.path.dirname(__file__), "..", "golden", "contrib_nn", "golden.npz"))


def test_pixel_shuffle_matches_mxnet():
    np.testing.assert_array_equal(
        cnn.PixelShuffle1D(3)(nd.arange(48).reshape((2, 6, 4))).asnumpy(), G["ps1"]
    )
    np.testing.assert_array_equal(
        cnn.PixelShuffle2D((2, 3))(nd.arange(72).reshape((1, 12, 2, 3))).asnumpy(), G["ps2"]
    )
    np.testing.assert_array_equal(
        cnn.PixelShuffle3D((1, 2, 2))(nd.arange(96).reshape((1, 8, 2, 2, 3))).asnumpy(),
        G["ps3"],
    )
    with pytest.raises(ValueError, match="divisible"):
        cnn.PixelShuffle2D(2)(nd.zeros((1, 3, 2, 2)))


def test_grouped_convolutions_construct_and_match_mxnet():
    c1 = nn.Conv1D(6, 3, strides=2, groups=2, in_channels=4)
    c1.initialize()
    assert c1.weight.shape == G["conv1_w"].shape
    c1.weight.set_data(nd.array(G["conv1_w"]))
    np.testing.assert_allclose(
        c1(nd.array(G["conv1_x"])).asnumpy(), G["conv1_y"], rtol=1e-5, atol=1e-5
    )
    d2 = nn.Conv2DTranspose(6, (3, 2), groups=2, in_channels=4)
    d2.initialize()
    assert d2.weight.shape == G["deconv_w"].shape
    d2.weight.set_data(nd.array(G["deconv_w"]))
    np.testing.assert_allclose(
        d2(nd.array(G["deconv_x"])).asnumpy(), G["deconv_y"], rtol=1e-5, atol=1e-5
    )


def test_reflection_pad_matches_mxnet_and_differentiates():
    pad = nn.ReflectionPad2D(2)
    x = nd.array(G["pad_x"])
    np.testing.assert_allclose(pad(x).asnumpy(), G["pad_y"])
    x.attach_grad()
    with autograd.record():
        y = pad(x)
    y.backward()
    assert x.grad.shape == x.shape and float(x.grad.sum().asscalar()) == y.size
    with pytest.raises(ValueError, match="padding"):
        nn.ReflectionPad2D(-1)


@pytest.mark.parametrize("hybridize", [False, True])
def test_hybrid_concurrent_and_identity(hybridize):
    net = cnn.HybridConcurrent(axis=1)
    net.add(nn.Dense(3, in_units=2), cnn.Identity(), nn.Dense(1, in_units=2))
    net.initialize(mx.init.One())
    if hybridize:
        net.hybridize()
    x = nd.array([[1.0, 2.0]])
    np.testing.assert_allclose(net(x).asnumpy(), [[3.0, 3.0, 3.0, 1.0, 2.0, 3.0]])
    seq = cnn.Concurrent(axis=0)
    seq.add(cnn.Identity(), cnn.Identity())
    assert seq(x).shape == (2, 2)
