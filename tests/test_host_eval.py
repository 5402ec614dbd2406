"""host_eval: setup functions (layer and optimizer inits) run with NumPy give exactly the
values of the jitted function and compile nothing; key splitting on the host equals JAX's."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import mxjax as mx
from mxjax import layers as L
from mxjax._src.host_eval import host_eval, split_key


def _words(k):
    return np.asarray(jax.random.key_data(k))


def _same(a, b):
    la, lb = jax.tree.leaves(a), jax.tree.leaves(b)
    assert jax.tree.structure(a) == jax.tree.structure(b)
    for u, v in zip(la, lb):
        assert u.dtype == v.dtype and u.shape == v.shape
        np.testing.assert_array_equal(np.asarray(u), np.asarray(v))


@pytest.mark.parametrize("partitionable", [True, False])
def test_keys_split_and_folded_on_the_host_equal_jax(partitionable):
    with jax.threefry_partitionable(partitionable):
        for seed in (0, 1, 2**31 - 1, -5):
            key = jax.random.key(seed)
            for num in (2, 3):
                got = np.stack([_words(k) for k in split_key(key, num)])
                np.testing.assert_array_equal(got, _words(jax.random.split(key, num)))
            fold = host_eval(lambda k: jax.random.fold_in(jax.random.split(k, 4)[2], 99), key)
            np.testing.assert_array_equal(
                _words(fold), _words(jax.random.fold_in(jax.random.split(key, 4)[2], 99))
            )


_LAYERS = [
    (lambda: L.Sequential([L.Dense(5, activation="relu"), L.Dense(3)]), (2, 4)),
    (lambda: L.Conv2D(4, 3, padding=1), (1, 2, 6, 6)),
    (lambda: L.BatchNorm(), (2, 3, 4)),
    (lambda: L.LSTM(6, num_layers=2, bidirectional=True), (3, 2, 4)),
    (lambda: L.Embedding(10, 4), (2, 3)),
]


@pytest.mark.parametrize("make,shape", _LAYERS, ids=["mlp", "conv", "bn", "lstm", "embedding"])
def test_layer_init_on_the_host_equals_the_jitted_init(make, shape, compile_counter):
    net = make()
    dtype = jnp.int32 if isinstance(net, L.Embedding) else jnp.float32

    def init(k):
        return net.init(k, jnp.zeros(shape, dtype))

    key = jax.random.key(7)
    with compile_counter as c:
        got = host_eval(init, key)
    assert c.count == 0, c.names
    _same(got, jax.jit(init)(key))


def test_optimizer_states_on_the_host_equal_the_jitted_init(compile_counter):
    params = {"w": jnp.ones((3, 2)), "b": jnp.zeros((2,), jnp.bfloat16)}
    txs = [
        optax.adam(1e-3),
        optax.sgd(0.1, momentum=0.9),
        optax.inject_hyperparams(optax.sgd)(learning_rate=0.1),
        mx.optimizer.Adam(learning_rate=0.01).to_optax(["w", "b"]),
    ]
    for tx in txs:
        with compile_counter as c:
            got = host_eval(tx.init, params)
        assert c.count == 0, c.names
        _same(got, jax.jit(tx.init)(params))


def test_other_operations_run_as_one_program(compile_counter):
    def f(x):
        return {"y": jnp.sin(x) * 2, "z": jnp.zeros(2)}

    x = jnp.arange(3.0)
    with compile_counter as c:
        got = host_eval(f, x)
    assert c.count == 1
    _same(got, jax.jit(f)(x))


def test_an_eager_layer_init_compiles_nothing(compile_counter):
    net = L.Sequential([L.Conv2D(3, 3), L.BatchNorm(), L.Flatten(), L.Dense(2)])
    x, key = jnp.ones((2, 1, 5, 5)), jax.random.key(3)
    with compile_counter as c:
        got = net.init(key, x)
    assert c.count == 0, c.names
    _same(got, jax.jit(net.init)(key, x))


def test_an_init_that_reads_its_example_runs_eagerly():
    @L.layer
    class Table(L.Layer):
        def init(self, key, x, initializer=None):
            rows = int(np.asarray(x).max()) + 1  # a value, not a shape: cannot be traced
            return {"weight": jax.random.normal(key, (rows, 2))}, {}

    key = jax.random.key(1)
    params, _ = Table().init(key, np.array([0, 4]))
    _same(params["weight"], jax.random.normal(key, (5, 2)))


def test_a_constant_output_is_a_new_buffer(compile_counter):
    state = [{"mu": jnp.arange(4.0)}, jax.random.key(2)]
    with compile_counter as c:
        got = host_eval(lambda: list(state))
    assert c.count == 0, c.names
    _same(got[0], state[0])
    np.testing.assert_array_equal(_words(got[1]), _words(state[1]))
    assert got[0]["mu"].unsafe_buffer_pointer() != state[0]["mu"].unsafe_buffer_pointer()
