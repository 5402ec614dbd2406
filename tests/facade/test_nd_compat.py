"""MXNet 1.9.1 semantics of autograd.grad, higher-order gradients and the nd.random namespace."""

import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd, gluon, nd


def test_grad_single_variable_returns_list():
    x = nd.array([2.0, 3.0])
    x.attach_grad()
    with autograd.record():
        y = (x * x).sum()
    g = autograd.grad(y, x)
    assert isinstance(g, list) and len(g) == 1
    np.testing.assert_allclose(g[0].asnumpy(), [4.0, 6.0])


def test_create_graph_outside_record_scope():
    # MXNet's test_gradient: d/dx (exp(x) + x) = exp(x) + 1, d2/dx2 = exp(x)
    x = nd.ones((1,))
    x.attach_grad()
    with autograd.record():
        z = nd.elemwise_add(nd.exp(x), x)
    (dx,) = autograd.grad(z, [x], create_graph=True)
    np.testing.assert_allclose(dx.asnumpy(), [np.e + 1], rtol=1e-6)
    dx.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [np.e], rtol=1e-6)


def test_third_order_gradient():
    x = nd.array([0.5, 1.5])
    x.attach_grad()
    with autograd.record():
        y = x * x * x * x  # y''' = 24 x
        (d1,) = autograd.grad(y, [x], create_graph=True)
        (d2,) = autograd.grad(d1, [x], create_graph=True)
    d2.backward()
    np.testing.assert_allclose(d1.asnumpy(), 4 * np.array([0.5, 1.5]) ** 3, rtol=1e-6)
    np.testing.assert_allclose(d2.asnumpy(), 12 * np.array([0.5, 1.5]) ** 2, rtol=1e-6)
    np.testing.assert_allclose(x.grad.asnumpy(), 24 * np.array([0.5, 1.5]), rtol=1e-6)


@pytest.mark.parametrize("hybridize", [False, True])
def test_create_graph_through_block(hybridize):
    net = gluon.nn.Dense(1, in_units=2, use_bias=False)
    net.initialize(mx.init.Constant(0.5))
    if hybridize:
        net.hybridize()
    x = nd.array([[1.0, 2.0]])
    x.attach_grad()
    with autograd.record():
        y = net(x)  # y = 0.5 (x1 + x2)
        z = nd.tanh(y).sum()
        (dx,) = autograd.grad(z, [x], create_graph=True)
        w = (dx * dx).sum()
    w.backward()
    # NumPy reference: dz/dx = 0.5 (1 - tanh(y)^2); w = 2 * 0.25 (1 - t^2)^2
    t = np.tanh(1.5)
    np.testing.assert_allclose(dx.asnumpy(), [[0.5 * (1 - t**2)] * 2], rtol=1e-5)
    dw_dy = 0.5 * 2 * (1 - t**2) * (-2 * t * (1 - t**2))
    np.testing.assert_allclose(x.grad.asnumpy(), [[0.5 * dw_dy] * 2], rtol=1e-5)


def test_dropout_predict_mode_is_recorded_identity():
    x = nd.ones((3, 3))
    x.attach_grad()
    with autograd.record(train_mode=False):
        y = nd.Dropout(x, p=0.5)
        y.backward()
    np.testing.assert_array_equal(y.asnumpy(), x.asnumpy())
    np.testing.assert_array_equal(x.grad.asnumpy(), np.ones((3, 3)))


def test_flat_random_aliases_and_seed():
    mx.random.seed(7)
    a = nd.uniform(-1, 1, shape=(4,)).asnumpy()
    mx.random.seed(7)
    b = nd.random.uniform(-1, 1, shape=(4,)).asnumpy()
    np.testing.assert_array_equal(a, b)
    assert nd.normal is nd.random.normal and nd.random_uniform is nd.random.uniform
    assert nd.sample_gamma is nd.random.gamma and nd.shuffle is nd.random.shuffle


@pytest.mark.parametrize(
    "draw, mean, var",
    [
        (lambda s: nd.random.exponential(2.0, shape=s), 2.0, 4.0),
        (lambda s: nd.random.gamma(2.0, 1.5, shape=s), 3.0, 4.5),
        (lambda s: nd.random.poisson(3.0, shape=s), 3.0, 3.0),
        (lambda s: nd.random.negative_binomial(2, 0.4, shape=s), 3.0, 7.5),
        (lambda s: nd.random.generalized_negative_binomial(2.0, 0.5, shape=s), 2.0, 4.0),
    ],
)
def test_sampler_moments(draw, mean, var):
    mx.random.seed(3)
    x = draw((40000,)).asnumpy().astype(np.float64)
    assert x.dtype == np.float64 and (x >= 0).all()
    assert abs(x.mean() - mean) < 0.05 * mean + 0.05
    assert abs(x.var() - var) < 0.1 * var


def test_sampler_array_parameters_and_like():
    mx.random.seed(0)
    lam = nd.array([1.0, 10.0])
    x = nd.random.poisson(lam, shape=(5000,))
    assert x.shape == (2, 5000)
    np.testing.assert_allclose(x.asnumpy().mean(axis=1), [1.0, 10.0], rtol=0.06)
    like = nd.random.gamma_like(nd.zeros((2, 3), dtype="float16"))
    assert like.shape == (2, 3) and like.dtype == np.float16
    assert nd.random.randn(2, 3).shape == (2, 3)
    out = nd.zeros((3,))
    r = nd.random.exponential(shape=(3,), out=out)
    assert r is out and (out.asnumpy() > 0).all()


def test_sampler_bad_parameters():
    with pytest.raises(ValueError, match="scale"):
        nd.random.exponential(-1.0, shape=(2,))
    with pytest.raises(ValueError, match="p must be"):
        nd.random.negative_binomial(1, 1.5, shape=(2,))


def test_out_on_creation_and_ops():
    out = nd.zeros((2, 2))
    assert nd.ones((2, 2), out=out) is out
    np.testing.assert_array_equal(out.asnumpy(), np.ones((2, 2)))
    nd.full((2, 2), 2, out=out)
    np.testing.assert_array_equal(out.asnumpy(), np.full((2, 2), 2.0))
    nd.zeros((2, 2), out=out)
    np.testing.assert_array_equal(out.asnumpy(), np.zeros((2, 2)))
    a = nd.array([1.0, 4.0])
    nd.sqrt(a, out=a)
    np.testing.assert_array_equal(a.asnumpy(), [1.0, 2.0])
    s = nd.zeros((1,))
    nd.sum(nd.array([1.0, 2.0]), out=s)
    np.testing.assert_array_equal(s.asnumpy(), [3.0])
    with pytest.raises(ValueError, match="shape"):
        nd.add(a, a, out=nd.zeros((3,)))


def test_out_keeps_the_graph():
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    o = nd.zeros((2,))
    with autograd.record():
        nd.exp(x, out=o)
        y = o * 2
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), 2 * np.exp([1.0, 2.0]), rtol=1e-6)


def test_inplace_shape_ops_and_squeeze_to_one():
    t = nd.arange(30).reshape(2, 3, 5)
    np.testing.assert_array_equal(t.flatten(inplace=True).asnumpy(), np.arange(30.0).reshape(2, 15))
    assert t.expand_dims(axis=-1, inplace=True).shape == (2, 3, 5, 1)
    assert nd.ones((1, 5, 1)).squeeze(axis=(0, 2), inplace=True).shape == (5,)
    assert nd.ones((1, 1, 1)).squeeze().shape == (1,)  # MXNet keeps one axis


def test_legacy_ops_against_numpy():
    rs = np.random.RandomState(0)
    a = rs.randint(0, 50, (6, 4)).astype("float32")
    idx = rs.randint(0, 4, 6)
    val = rs.randint(0, 9, 6).astype("float32")
    x = nd.array(a)
    np.testing.assert_array_equal(
        nd.choose_element_0index(x, nd.array(idx)).asnumpy(), a[np.arange(6), idx]
    )
    ref = a.copy()
    ref[np.arange(6), idx] = val
    np.testing.assert_array_equal(
        nd.fill_element_0index(x, nd.array(val), nd.array(idx)).asnumpy(), ref
    )
    out = nd.zeros((6, 4))
    nd.onehot_encode(nd.array(idx), out)
    np.testing.assert_array_equal(out.asnumpy(), np.eye(4)[idx])
    ones = nd.ones((3,), dtype="int32")
    np.testing.assert_array_equal(nd.ElementWiseSum(ones, ones * 2, ones * 4).asnumpy(), [7, 7, 7])
    np.testing.assert_array_equal(nd.crop(x, begin=(1, 0), end=(3, 2)).asnumpy(), a[1:3, 0:2])
    parts = [rs.rand(2, k, 3).astype("float32") for k in (1, 2, 3)]
    np.testing.assert_array_equal(
        nd.concatenate([nd.array(p) for p in parts], axis=1).asnumpy(),
        np.concatenate(parts, axis=1),
    )
    np.testing.assert_array_equal(nd.moveaxis(x, 0, 1).asnumpy(), np.moveaxis(a, 0, 1))
    b = rs.rand(2, 3, 4).astype("float32")
    np.testing.assert_array_equal(
        nd.moveaxis(nd.array(b), [0, 2], [2, 0]).asnumpy(), np.moveaxis(b, [0, 2], [2, 0])
    )
    np.testing.assert_array_equal(nd.from_numpy(a).asnumpy(), a)


def test_contrib_ops_against_numpy():
    v = np.array([1.0, np.inf, -np.inf, np.nan, 0.0], dtype="float32")
    x = nd.array(v)
    np.testing.assert_array_equal(nd.contrib.isinf(x).asnumpy(), np.isinf(v).astype("float32"))
    np.testing.assert_array_equal(nd.contrib.isnan(x).asnumpy(), np.isnan(v).astype("float32"))
    np.testing.assert_array_equal(
        nd.contrib.isfinite(x).asnumpy(), np.isfinite(v).astype("float32")
    )
    np.testing.assert_array_equal(
        nd.contrib.arange_like(nd.zeros((2, 3)), start=1, step=2).asnumpy(),
        (1 + 2 * np.arange(6)).reshape(2, 3),
    )
    np.testing.assert_array_equal(
        nd.contrib.arange_like(nd.zeros((2, 4)), axis=1, repeat=2).asnumpy(), [0, 0, 1, 1]
    )
    old = np.zeros((4, 2), "float32")
    ref = old.copy()
    ref[[3, 1]] = [[1, 2], [3, 4]]
    got = nd.contrib.index_copy(nd.array(old), nd.array([3, 1]), nd.array([[1, 2], [3, 4]]))
    np.testing.assert_array_equal(got.asnumpy(), ref)
    np.testing.assert_allclose(
        nd.contrib.div_sqrt_dim(nd.ones((2, 9))).asnumpy(), np.full((2, 9), 1 / 3), rtol=1e-6
    )
    ia = nd.contrib.index_array(nd.zeros((2, 3)), axes=(1,)).asnumpy()
    np.testing.assert_array_equal(ia[..., 0], np.broadcast_to(np.arange(3), (2, 3)))
    assert float(nd.contrib.allclose(x, x).asscalar()) == 1.0


def test_contrib_autograd():
    cag = mx.contrib.autograd
    a, b = nd.array([1.0, 2.0]), nd.array([3.0, 4.0])
    grads, out = cag.grad_and_loss(lambda x, y: x * x * y, argnum=[0, 1])(a, b)
    np.testing.assert_allclose(out.asnumpy(), [3.0, 16.0])
    np.testing.assert_allclose(grads[0].asnumpy(), [6.0, 16.0])  # 2 x y
    np.testing.assert_allclose(grads[1].asnumpy(), [1.0, 4.0])  # x^2
    (g,) = cag.grad(lambda x: nd.exp(x), argnum=0)(a)
    np.testing.assert_allclose(g.asnumpy(), np.exp([1.0, 2.0]), rtol=1e-6)
    with cag.train_section():
        assert autograd.is_recording() and autograd.is_training()
        with cag.test_section():
            assert not autograd.is_recording() and not autograd.is_training()
    assert not autograd.is_recording()
    with pytest.raises(TypeError, match="NDArrays"):
        cag.grad(lambda x: x)(1.0)
