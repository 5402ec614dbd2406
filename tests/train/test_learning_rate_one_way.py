"""One run-time learning-rate mechanism: the optimizer's traced ``learning_rate`` hyperparameter."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from mxjax import layers as L, train

X = np.array([[1.0, -1.0], [0.5, 2.0], [-1.0, 0.0], [2.0, 1.0]], np.float32)
Y = np.array([0, 1, 2, 1], np.int32)


def _ce(out, y):
    return optax.softmax_cross_entropy_with_integer_labels(out, y)


def _fit_one_step(opt):
    layer = L.Sequential([L.Dense(3)])
    p0, s0 = layer.init(jax.random.key(0), jnp.asarray(X[:1]))
    m = train.Model(layer, params=p0, state=s0).compile(opt, _ce)
    m.set_learning_rate(0.25)
    m.fit(X, Y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    g = jax.grad(lambda p: jnp.mean(_ce(layer.apply(p, s0, jnp.asarray(X))[0], jnp.asarray(Y))))(p0)
    return m, jax.tree.map(lambda p, gg: p - 0.25 * gg, p0, g)


def test_named_optimizer_is_its_mx_optimizer():
    m, expected = _fit_one_step("sgd")
    assert type(m._mx_opt).__name__ == "SGD" and m.learning_rate == pytest.approx(0.25)
    for a, b in zip(jax.tree.leaves(m.params), jax.tree.leaves(expected)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_injected_optax_rate_is_set_in_the_state():
    m, expected = _fit_one_step(optax.inject_hyperparams(optax.sgd)(learning_rate=1.0))
    assert m.learning_rate == pytest.approx(0.25)
    for a, b in zip(jax.tree.leaves(m.params), jax.tree.leaves(expected)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_plain_optax_without_a_rate_in_its_state_is_refused():
    layer = L.Sequential([L.Dense(3)])
    p0, s0 = layer.init(jax.random.key(0), jnp.asarray(X[:1]))
    m = train.Model(layer, params=p0, state=s0).compile(optax.sgd(0.1), _ce)
    with pytest.raises(TypeError, match="inject_hyperparams"):
        m.set_learning_rate(0.5)
