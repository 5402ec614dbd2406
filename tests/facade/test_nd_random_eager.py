"""Eager ``nd.random`` draws: on the host, nothing compiled per shape, seeded by ``mx.random.seed``."""

import jax
import ml_dtypes
import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd, gluon, nd
from mxjax._src.nd import random as R

SAMPLERS = {
    "uniform": lambda s, dt="float32": nd.random.uniform(-1, 2, shape=s, dtype=dt),
    "normal": lambda s, dt="float32": nd.random.normal(1, 2, shape=s, dtype=dt),
    "randint": lambda s, dt="int32": nd.random.randint(0, 7, shape=s, dtype=dt),
    "exponential": lambda s, dt="float32": nd.random.exponential(2.0, shape=s, dtype=dt),
    "gamma": lambda s, dt="float32": nd.random.gamma(2.0, 1.5, shape=s, dtype=dt),
    "poisson": lambda s, dt="float32": nd.random.poisson(3.0, shape=s, dtype=dt),
    "negative_binomial": lambda s, dt="float32": nd.random.negative_binomial(2, 0.4, shape=s),
    "gnb": lambda s, dt="float32": nd.random.generalized_negative_binomial(2.0, 0.5, shape=s),
}


def test_twenty_new_shapes_compile_nothing(compile_counter):
    for f in SAMPLERS.values():  # warm-up: the key split and transfers
        f((2,)).asnumpy()
    nd.random.uniform(shape=(2,), dtype="float16").asnumpy()
    shapes = [(i,) if i % 2 else (i, 3) for i in range(3, 23)]
    with compile_counter as c:
        for s in shapes:
            for f in SAMPLERS.values():
                assert f(s).shape == s
            nd.random.uniform(shape=s, dtype="float16")
            nd.random.normal(shape=s, dtype="bfloat16")
            nd.random.shuffle(nd.array(np.arange(s[0])))
    assert c.count == 0, c.names


def test_seed_fixes_values_in_every_process():
    mx.random.seed(42)
    a = nd.random.uniform(shape=(3,)).asnumpy()
    b = nd.random.randint(0, 100, shape=(3,)).asnumpy()
    # The draw depends only on the seed and the draw's position in the stream:
    # these literals are what every process gets after seed(42).
    key = jax.random.split(jax.random.key(42))[1]
    rng = np.random.default_rng([int(w) for w in np.asarray(jax.random.key_data(key))])
    np.testing.assert_array_equal(a, rng.random(3, dtype=np.float32))
    mx.random.seed(42)
    np.testing.assert_array_equal(nd.random.uniform(shape=(3,)).asnumpy(), a)
    np.testing.assert_array_equal(nd.random.randint(0, 100, shape=(3,)).asnumpy(), b)


@pytest.mark.parametrize(
    "name, mean, var",
    [
        ("uniform", 0.5, 0.75),
        ("normal", 1.0, 4.0),
        ("exponential", 2.0, 4.0),
        ("gamma", 3.0, 4.5),
        ("poisson", 3.0, 3.0),
        ("negative_binomial", 3.0, 7.5),
        ("gnb", 2.0, 4.0),
        ("randint", 3.0, 4.0),
    ],
)
def test_moments_match_numpy(name, mean, var):
    mx.random.seed(0)
    x = SAMPLERS[name]((20000,)).asnumpy().astype(np.float64)
    ref = {  # NumPy's own draw of the same distribution, fixed seed
        "uniform": lambda g: g.uniform(-1, 2, 20000),
        "normal": lambda g: g.normal(1, 2, 20000),
        "exponential": lambda g: g.exponential(2.0, 20000),
        "gamma": lambda g: g.gamma(2.0, 1.5, 20000),
        "poisson": lambda g: g.poisson(3.0, 20000),
        "negative_binomial": lambda g: g.negative_binomial(2, 0.4, 20000),
        "gnb": lambda g: g.poisson(g.gamma(2.0, 0.5, 20000) * 2.0),
        "randint": lambda g: g.integers(0, 7, 20000),
    }[name](np.random.default_rng(0))
    for sample in (x, ref):
        assert abs(sample.mean() - mean) < 0.05 * max(1.0, mean)
        assert abs(sample.var() - var) < 0.08 * var
    if name == "uniform":
        assert x.min() >= -1 and x.max() < 2
    if name == "randint":
        assert set(np.unique(x)) == set(range(7))


def test_low_precision_dtypes_out_and_ctx():
    h = nd.random.uniform(shape=(4000,), dtype="float16")
    assert h.dtype == np.float16 and h.asnumpy().min() >= 0 and h.asnumpy().max() <= 1
    # drawn in float32 and rounded: the whole float16 grid, not 2**10 values
    assert len(np.unique(h.asnumpy())) > 1100
    b = nd.random.normal(shape=(3,), dtype="bfloat16")
    assert b.asnumpy().dtype == ml_dtypes.bfloat16
    out = nd.zeros((2, 3), dtype="float16")
    r = nd.random.exponential(shape=(2, 3), out=out)
    assert r is out and out.dtype == np.float16 and (out.asnumpy() > 0).all()
    assert nd.random.normal(shape=(2,), ctx=mx.cpu(0)).context == mx.cpu(0)
    g = nd.random.gamma(nd.array([1.0, 50.0]), nd.array([1.0, 1.0]), shape=(500,))
    assert g.shape == (2, 500) and g.asnumpy()[1].mean() > 40 > g.asnumpy()[0].mean()


def test_hybridized_and_jitted_draws_use_jax_random():
    class Noise(gluon.HybridBlock):
        def hybrid_forward(self, F, x):
            return x + F.random.uniform(shape=(3,))

    net = Noise()
    net.hybridize()
    with autograd.record():
        a = net(nd.zeros((3,))).asnumpy()
        b = net(nd.zeros((3,))).asnumpy()
    assert not np.array_equal(a, b)  # the trace's key: fresh values per call
    c, d, e = (net(nd.zeros((3,))).asnumpy() for _ in range(3))  # predict mode too
    assert not np.array_equal(c, d) and not np.array_equal(d, e)
    f = jax.jit(lambda x: nd.random.normal(shape=(2,)).jax + x)
    assert f(1.0).shape == (2,)
    assert not isinstance(R._key, jax.core.Tracer)  # the global key never leaks a tracer
    nd.random.uniform(shape=(2,)).asnumpy()


def test_multinomial_on_the_host_matches_the_probabilities(compile_counter):
    mx.random.seed(1)
    p = nd.array([[0.1, 0.0, 0.6, 0.3], [0.0, 0.0, 0.0, 1.0]])
    nd.random.multinomial(p).asnumpy()
    with compile_counter as c:
        s, lp = nd.random.multinomial(p, shape=(4000,), get_prob=True)
        s2 = nd.random.multinomial(p, shape=(7, 3))
    assert c.count == 0, c.names
    assert s.shape == (2, 4000) and s.dtype == np.int32 and s2.shape == (2, 7, 3)
    freq = np.bincount(s.asnumpy()[0], minlength=4) / 4000
    np.testing.assert_allclose(freq, [0.1, 0.0, 0.6, 0.3], atol=0.03)
    assert (s.asnumpy()[1] == 3).all()
    np.testing.assert_allclose(
        lp.asnumpy(), np.log(p.asnumpy()[[[0], [1]], s.asnumpy()]), rtol=1e-6
    )


def test_reset_arrays_of_new_shapes_compiles_nothing(compile_counter):
    # Gluon's zero_grad path: MXNet's test_zero_grad resets hundreds of random shapes
    arrs = [
        nd.random.uniform(shape=(i, 2), dtype=d)
        for i in range(1, 8)
        for d in ("float32", "float16")
    ]
    nd.reset_arrays(nd.ones((1,)))
    with compile_counter as c:
        nd.reset_arrays(*arrs, num_arrays=len(arrs))
    assert c.count == 0, c.names
    assert all(
        a.asnumpy().shape == (i // 2 + 1, 2) and not a.asnumpy().any() for i, a in enumerate(arrs)
    )
    assert {a.dtype for a in arrs} == {np.float32, np.float16}
