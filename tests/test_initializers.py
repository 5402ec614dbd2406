"""Initializers: MXNet's distributions (checked against NumPy formulas), Gluon's
suffix rules, reproducibility (same key/seed -> same values, eager == jit == vmap)
and no XLA compilation during initialization."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import mxjax as mx
from mxjax import gluon, init, layers as L

SHAPE = (200, 150)  # 30,000 draws: moments within ~2% of their expected values


def _draw(initializer, shape=SHAPE, dtype="float32", seed=0):
    return np.asarray(initializer(jax.random.key(seed), shape, dtype))


@pytest.mark.parametrize("scale", [0.07, 0.5])
def test_uniform_matches_mxnet_distribution(scale):
    w = _draw(init.Uniform(scale))
    assert w.shape == SHAPE and w.dtype == np.float32
    assert np.abs(w).max() <= np.float32(scale)
    # MXNet: uniform on [-scale, scale): mean 0, variance scale^2 / 3
    np.testing.assert_allclose(w.std(), scale / np.sqrt(3), rtol=0.02)
    assert abs(w.mean()) < 0.02 * scale


def test_normal_matches_mxnet_distribution():
    w = _draw(init.Normal(0.3))
    np.testing.assert_allclose(w.std(), 0.3, rtol=0.02)
    assert abs(w.mean()) < 0.01


@pytest.mark.parametrize("factor_type", ["avg", "in", "out"])
@pytest.mark.parametrize("rnd_type", ["uniform", "gaussian"])
def test_xavier_scale_follows_mxnet_fans(rnd_type, factor_type):
    shape = (64, 48, 3, 3)  # MXNet: fan_in = 48*9, fan_out = 64*9
    fan_in, fan_out = 48 * 9, 64 * 9
    factor = {"avg": (fan_in + fan_out) / 2, "in": fan_in, "out": fan_out}[factor_type]
    scale = np.sqrt(2.0 / factor)
    w = _draw(init.Xavier(rnd_type, factor_type, magnitude=2.0), shape)
    if rnd_type == "uniform":
        assert np.abs(w).max() <= scale * (1 + 1e-6)
        np.testing.assert_allclose(w.std(), scale / np.sqrt(3), rtol=0.02)
    else:
        np.testing.assert_allclose(w.std(), scale, rtol=0.02)


def test_msraprelu_is_gaussian_with_prelu_magnitude():
    w = _draw(init.MSRAPrelu(slope=0.25), (64, 48, 3, 3))
    expected = np.sqrt((2.0 / (1 + 0.25**2)) / ((48 * 9 + 64 * 9) / 2))
    np.testing.assert_allclose(w.std(), expected, rtol=0.02)


@pytest.mark.parametrize("shape", [(6, 4), (4, 2, 3)])
@pytest.mark.parametrize("rand_type", ["uniform", "normal"])
def test_orthogonal_rows_or_columns_are_orthonormal(shape, rand_type):
    w = _draw(init.Orthogonal(scale=1.5, rand_type=rand_type), shape).reshape(shape[0], -1)
    small = w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T
    np.testing.assert_allclose(small, 1.5**2 * np.eye(small.shape[0]), atol=1e-5)


def test_constant_one_zero_lstmbias():
    key = jax.random.key(0)
    assert init.Constant(0.25)(key, (3,)).tolist() == [0.25] * 3
    assert init.One()(key, (2, 2), "float16").dtype == jnp.float16
    assert init.Zero()(key, (4,)).tolist() == [0.0] * 4
    np.testing.assert_array_equal(init.LSTMBias(2.0)(key, (8,)), [0, 0, 2, 2, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="4\\*num_hidden"):
        init.LSTMBias()(key, (6,))


def test_suffix_rules_of_a_global_initializer():
    key, u = jax.random.key(0), init.Uniform(0.5)
    assert np.all(np.asarray(u.init_named("fc_bias", key, (3,), "float32")) == 0)
    assert np.all(np.asarray(u.init_named("bn_gamma", key, (3,), "float32")) == 1)
    assert np.all(np.asarray(u.init_named("bn_running_var", key, (3,), "float32")) == 1)
    assert np.all(np.asarray(u.init_named("prelu_alpha", key, (3,), "float32")) == 0.25)
    assert np.abs(np.asarray(u.init_named("fc_weight", key, (30,), "float32"))).max() > 0
    with pytest.raises(ValueError, match="Unknown initialization pattern"):
        u.init_named("fc_scale", key, (3,), "float32")


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_low_precision_dtypes(dtype):
    w = init.Xavier()(jax.random.key(0), (8, 4), dtype)
    assert w.dtype == jnp.dtype(dtype)
    assert bool(jnp.all(jnp.isfinite(w.astype(jnp.float32))))


def test_same_key_same_values_eager_jit_and_vmap():
    net = L.Sequential([L.Dense(5), L.BatchNorm(), L.Dense(3)])
    x = jnp.ones((2, 4))

    def f(k):
        return net.init(k, x, initializer=init.Xavier())[0]

    eager = f(jax.random.key(1))
    jitted = jax.jit(f)(jax.random.key(1))
    batched = jax.vmap(f)(jnp.stack([jax.random.key(1), jax.random.key(2)]))
    for a, b, c in zip(jax.tree.leaves(eager), jax.tree.leaves(jitted), jax.tree.leaves(batched)):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c[0])
    w1, w2 = eager["0"]["weight"], f(jax.random.key(2))["0"]["weight"]
    assert not np.array_equal(w1, w2)
    np.testing.assert_array_equal(w2, batched["0"]["weight"][1])


def test_legacy_uint32_keys_are_accepted():
    a = init.Normal(1.0)(jax.random.PRNGKey(3), (4,))
    b = init.Normal(1.0)(jax.random.key(3), (4,))
    np.testing.assert_array_equal(a, b)


def test_gluon_initialize_is_reproducible_under_seed():
    def values():
        net = gluon.nn.HybridSequential()
        net.add(gluon.nn.Dense(4, in_units=3), gluon.nn.Conv2D(2, 3, in_channels=1))
        net.initialize(mx.init.Xavier())
        return [p.data().asnumpy() for p in net.collect_params().values()]

    mx.random.seed(11)
    a = values()
    mx.random.seed(11)
    b = values()
    mx.random.seed(12)
    c = values()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])


def test_gluon_initialize_compiles_nothing(compile_counter):
    net = gluon.nn.HybridSequential()
    net.add(
        gluon.nn.Conv2D(7, 3, in_channels=5),
        gluon.nn.BatchNorm(in_channels=7),
        gluon.nn.Dense(9, in_units=11),
        gluon.nn.LayerNorm(in_channels=13),
    )
    with compile_counter as c:
        net.initialize(mx.init.MSRAPrelu())
        net[0].weight.grad()
    assert c.count == 0
    assert net[0].weight.data().shape == (7, 5, 3, 3)


def test_a_jax_key_initializer_still_works_in_gluon():
    class Twos(init.Initializer):
        def generate(self, key, shape, dtype):
            return 2 * jnp.ones(shape, dtype) + 0 * jax.random.uniform(key, shape, dtype)

    net = gluon.nn.Dense(2, in_units=3, weight_initializer=Twos())
    net.initialize()
    np.testing.assert_array_equal(net.weight.data().asnumpy(), np.full((2, 3), 2.0))
    callable_init = init.create(lambda key, shape, dtype: jnp.full(shape, 3.0, dtype))
    p = gluon.Parameter("w", shape=(2,), init=callable_init)
    p.initialize()
    assert p.data().asnumpy().tolist() == [3.0, 3.0]


def test_an_initializer_without_a_distribution_names_the_fix():
    class Empty(init.Initializer):
        pass

    with pytest.raises(NotImplementedError, match="sample\\(\\), generate\\(\\) or _init_weight"):
        Empty()(jax.random.key(0), (2,))
