"""MXNet's initializer interface: dumps/create round trip, _init_weight, Bilinear, custom subclasses.

Expected strings and values are MXNet 1.9.1's (``mx.init.Constant(1).dumps()`` is
``'["constant", {"value": 1}]'``; Bilinear's kernel is MXNet's formula).
"""

import json

import jax
import numpy as np

import mxjax as mx
from mxjax import init, nd


def test_dumps_and_create_round_trip():
    assert init.Constant(1).dumps() == '["constant", {"value": 1}]'
    assert json.loads(init.Xavier(magnitude=2.0).dumps()) == [
        "xavier",
        {"rnd_type": "uniform", "factor_type": "avg", "magnitude": 2.0},
    ]
    c = init.Constant(nd.ones((2, 3)) * 2)
    assert c.dumps() == json.dumps(["constant", c._kwargs])
    assert c._kwargs == {"value": [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]}
    again = init.create(c.dumps())
    np.testing.assert_array_equal(again(jax.random.key(0), (2, 3)), 2.0)
    assert init.create(init.Uniform(0.3).dumps()) == init.Uniform(0.3)
    hash(c)  # array-valued initializers stay hashable (layers are static jit arguments)


def test_bilinear_matches_mxnet_formula():
    w = nd.zeros((1, 1, 4, 4))
    init.Bilinear()._init_weight(None, w)
    k = np.array([[0.25, 0.75, 0.75, 0.25]])
    np.testing.assert_array_equal(w.asnumpy()[0, 0], k * k.T)


def test_mxnet_style_custom_initializer_and_in_place_call():
    class Halves(mx.init.Initializer):
        def __init__(self, scale=0.5):
            super().__init__(scale=scale)
            self.scale = scale

        def _init_weight(self, name, arr):
            arr[:] = self.scale

    h = Halves()
    assert h.dumps() == '["halves", {"scale": 0.5}]'
    p = mx.gluon.Parameter("x", shape=(2, 2))
    p.initialize(init=h)
    np.testing.assert_array_equal(p.data().asnumpy(), 0.5)
    arr = nd.zeros((3,))
    init.One()("fc_bias", arr)  # MXNet's init(desc, arr): suffix rules, in place
    np.testing.assert_array_equal(arr.asnumpy(), 0.0)
    init.One()("fc_weight", arr)
    np.testing.assert_array_equal(arr.asnumpy(), 1.0)
    d = init.InitDesc("w", {"__init__": "zeros"})
    assert d == "w" and d.attrs["__init__"] == "zeros"


def test_sdml_loss_matches_mxnet():
    # values from MXNet 1.9.1: gluon.loss.SDMLLoss(...)(a, b) for this RandomState(0) input
    from mxjax import gluon

    rs = np.random.RandomState(0)
    a = rs.uniform(-1, 1, (4, 3)).astype("float32")
    b = (a + rs.uniform(-0.2, 0.2, (4, 3))).astype("float32")
    got = gluon.loss.SDMLLoss()(nd.array(a), nd.array(b)).asnumpy()
    np.testing.assert_allclose(got, [0.2860008, 0.1986030, 0.1531671, 0.2338680], rtol=1e-4)
    got = gluon.loss.SDMLLoss(smoothing_parameter=0.1)(nd.array(a), nd.array(b)).asnumpy()
    np.testing.assert_allclose(got, [0.6806074, 0.5150723, 0.4700778, 0.5818048], rtol=1e-4)
    x = nd.array(a)
    x.attach_grad()
    with mx.autograd.record():
        loss = gluon.loss.SDMLLoss()(x, nd.array(b))
    loss.backward()
    assert np.isfinite(x.grad.asnumpy()).all() and np.abs(x.grad.asnumpy()).sum() > 0
