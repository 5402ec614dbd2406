"""Dropout, Embedding, Flatten and Lambda against NumPy and MXNet 1.9.1 goldens."""

from __future__ import annotations

import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from mxjax import layers as L

GOLDEN = np.load(pathlib.Path(__file__).parents[1] / "golden" / "norm" / "golden.npz")


# ---------------------------------------------------------------- Dropout
def test_dropout_identity_in_inference():
    x = jnp.arange(6.0).reshape(2, 3)
    y, _ = L.Dropout(0.5).apply({}, {}, x)
    np.testing.assert_array_equal(np.asarray(y), np.asarray(x))


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.9])
def test_dropout_rate_is_fraction_dropped_and_scaling_inverted(rate):
    x = jnp.ones((200, 100))
    y, _ = jax.jit(lambda v, k: L.Dropout(rate).apply({}, {}, v, key=k, train=True))(
        x, jax.random.key(1)
    )
    y = np.asarray(y)
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1.0 / (1.0 - rate), rtol=1e-6)
    n = y.size  # binomial: 5 standard deviations
    assert abs((1 - kept.mean()) - rate) < 5 * np.sqrt(rate * (1 - rate) / n)
    assert abs(y.mean() - 1.0) < 0.1  # expectation preserved


def test_dropout_axes_share_the_mask():
    x = jnp.ones((4, 6, 5, 5))
    y, _ = L.Dropout(0.5, axes=(2, 3)).apply({}, {}, x, key=jax.random.key(0), train=True)
    y = np.asarray(y)
    per_map = y.reshape(4, 6, 25)
    assert np.all(per_map == per_map[:, :, :1])  # whole maps kept or dropped
    assert 0 < (per_map[:, :, 0] == 0).sum() < 24


def test_dropout_grad_is_the_mask():
    x = jnp.asarray(np.random.default_rng(0).standard_normal((5, 4)), jnp.float32)
    k = jax.random.key(3)

    def f(v):
        return L.Dropout(0.25).apply({}, {}, v, key=k, train=True)[0]

    y = f(x)
    g = jax.grad(lambda v: jnp.sum(f(v)))(x)
    expected = np.where(np.asarray(y) != 0, 1 / 0.75, 0.0)
    np.testing.assert_allclose(np.asarray(g), expected, rtol=1e-6)
    check_grads(f, (x,), order=1, modes=("rev",), atol=1e-2, rtol=1e-2)


def test_dropout_errors():
    with pytest.raises(ValueError, match=r"Dropout needs a PRNG key when train=True"):
        L.Dropout(0.5).apply({}, {}, jnp.ones(3), train=True)
    for bad in (-0.1, 1.0, 2):
        with pytest.raises(ValueError, match=r"Dropout: rate is the fraction dropped.*\[0, 1\)"):
            L.Dropout(bad)
    with pytest.raises(ValueError, match=r"Dropout: axis 3 in axes=\(3,\).*\(2, 3\)"):
        L.Dropout(0.5, axes=(3,)).apply({}, {}, jnp.ones((2, 3)), key=jax.random.key(0), train=True)
    with pytest.raises(TypeError, match=r"Dropout: expected a floating-point input.*int32"):
        L.Dropout(0.5).apply({}, {}, jnp.ones(3, jnp.int32))


# ---------------------------------------------------------------- Embedding
def test_embedding_matches_mxnet():
    emb = L.Embedding(10, 4)
    x = jnp.asarray(GOLDEN["emb.x"])
    params, state = emb.init(jax.random.key(0), x)
    assert params["weight"].shape == (10, 4)
    params = {"weight": jnp.asarray(GOLDEN["emb.weight"])}
    y, _ = emb.apply(params, state, x)
    np.testing.assert_array_equal(np.asarray(y), GOLDEN["emb.y"])


@pytest.mark.parametrize("shape", [(), (7,), (2, 3, 4)])
def test_embedding_any_shape_numpy(shape):
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 6, size=shape)
    emb = L.Embedding(6, 3)
    params, state = emb.init(jax.random.key(0), jnp.asarray(idx))
    y, _ = emb.apply(params, state, jnp.asarray(idx))
    np.testing.assert_array_equal(np.asarray(y), np.asarray(params["weight"])[idx])
    # gradient w.r.t. weight: scatter-add of the cotangent (NumPy reference)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    g = jax.grad(lambda p: jnp.sum(emb.apply(p, state, jnp.asarray(idx))[0] * dy))(params)
    ref = np.zeros((6, 3), np.float32)
    np.add.at(ref, idx.reshape(-1), dy.reshape(-1, 3))
    np.testing.assert_allclose(np.asarray(g["weight"]), ref, rtol=1e-6, atol=1e-6)


def test_embedding_float_indices_are_cast_like_mxnet():
    emb = L.Embedding(5, 2)
    params, state = emb.init(jax.random.key(0), jnp.zeros(3))
    y, _ = emb.apply(params, state, jnp.array([1.0, 4.0]))
    np.testing.assert_array_equal(np.asarray(y), np.asarray(params["weight"])[[1, 4]])


def test_embedding_out_of_range():
    emb = L.Embedding(5, 2)
    params, state = emb.init(jax.random.key(0), jnp.zeros(3, jnp.int32))
    with pytest.raises(ValueError, match=r"Embedding: indices must be in \[0, 4\].*\[0, 7\]"):
        emb.apply(params, state, jnp.array([0, 7]))
    with pytest.raises(ValueError, match=r"Embedding: indices.*\[-1, 2\]"):
        emb.apply(params, state, jnp.array([-1, 2]))
    # under jit the values are unknown: indices are clipped, as MXNet's operator does
    y, _ = jax.jit(emb.apply)(params, state, jnp.array([7, -1]))
    np.testing.assert_array_equal(np.asarray(y), np.asarray(params["weight"])[[4, 0]])


def test_embedding_errors():
    with pytest.raises(ValueError, match=r"Embedding: input_dim must be a positive int"):
        L.Embedding(0, 3)
    emb = L.Embedding(5, 2)
    params, state = emb.init(jax.random.key(0), jnp.zeros(3, jnp.int32))
    with pytest.raises(
        TypeError, match=r"Embedding: expected integer indices; received dtype bool"
    ):
        emb.apply(params, state, jnp.array([True]))
    with pytest.raises(TypeError, match=r"Embedding: expected integer indices; received str"):
        emb.apply(params, state, "a")


# ---------------------------------------------------------------- Flatten, Lambda
@pytest.mark.parametrize("shape", [(3,), (3, 4), (2, 3, 4, 5)])
def test_flatten(shape):
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    y, _ = L.Flatten().apply({}, {}, jnp.asarray(x))
    np.testing.assert_array_equal(np.asarray(y), x.reshape(shape[0], -1))
    with pytest.raises(ValueError, match=r"Flatten: expected an input with at least 1"):
        L.Flatten().apply({}, {}, jnp.float32(1.0))


def test_lambda():
    x = np.linspace(-2, 2, 5, dtype=np.float32)
    np.testing.assert_allclose(np.asarray(L.Lambda("tanh").apply({}, {}, x)[0]), np.tanh(x), 1e-6)
    np.testing.assert_allclose(
        np.asarray(L.Lambda("softsign").apply({}, {}, jnp.asarray(x))[0]), x / (1 + abs(x)), 1e-6
    )
    np.testing.assert_allclose(
        np.asarray(L.Lambda("relu").apply({}, {}, jnp.asarray(x))[0]), np.maximum(x, 0)
    )
    lsm = np.asarray(L.Lambda("log_softmax").apply({}, {}, jnp.asarray(x))[0])
    np.testing.assert_allclose(lsm, x - np.log(np.exp(x).sum()), rtol=1e-5)
    two = L.Lambda(lambda a, b: a * b)
    assert float(two.apply({}, {}, jnp.float32(2), jnp.float32(3))[0]) == 6.0
    assert hash(L.Lambda("tanh")) == hash(L.Lambda("tanh"))
    net = L.Sequential([L.Dense(3), L.Lambda(jnp.sin)])
    params, state = net.init(jax.random.key(0), jnp.ones((2, 4)))
    out = jax.jit(net.apply)(params, state, jnp.ones((2, 4)))[0]
    assert out.shape == (2, 3)
    with pytest.raises(ValueError, match=r"Lambda: function 'nope' is not an MXNet activation"):
        L.Lambda("nope")
    with pytest.raises(TypeError, match=r"Lambda: function must be a callable"):
        L.Lambda(3)
