"""Property tests: random bad shapes and dtypes get clear errors naming the layer.

Every error must be a ValueError/TypeError whose message names the layer and
contains what was received (the shape or the dtype).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from mxjax import layers as L

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# (layer, example input shape used for init)
FLOAT_LAYERS = [
    (L.Dense(3), (2, 4)),
    (L.Dense(3, flatten=False), (2, 5, 4)),
    (L.BatchNorm(), (2, 3, 4)),
    (L.LayerNorm(), (2, 3, 4)),
    (L.GroupNorm(2), (2, 4, 3)),
    (L.InstanceNorm(), (2, 3, 4)),
    (L.Dropout(0.5), (2, 3)),
    (L.Activation("relu"), (2, 3)),
    (L.LeakyReLU(0.1), (2, 3)),
    (L.PReLU(in_channels=3), (2, 3)),
    (L.ELU(), (2, 3)),
    (L.SELU(), (2, 3)),
    (L.GELU(), (2, 3)),
    (L.Swish(), (2, 3)),
    (L.MultiHeadAttention(4, 2), (2, 3, 4)),
]
BAD_DTYPES = ["int32", "int8", "uint8", "bool"]
_CACHE: dict = {}


def _init(i):
    if i not in _CACHE:
        layer, shape = FLOAT_LAYERS[i]
        _CACHE[i] = layer.init(jax.random.key(0), jnp.ones(shape))
    return _CACHE[i]


@SETTINGS
@given(
    i=st.integers(0, len(FLOAT_LAYERS) - 1),
    dtype=st.sampled_from(BAD_DTYPES),
    extra=st.integers(0, 1),
)
def test_non_float_inputs_are_rejected(i, dtype, extra):
    layer, shape = FLOAT_LAYERS[i]
    params, state = _init(i)
    shape = shape + (1,) * extra if isinstance(layer, (L.Activation, L.GELU)) else shape
    x = jnp.zeros(shape, dtype)
    with pytest.raises(TypeError) as err:
        layer.apply(params, state, x)
    msg = str(err.value)
    assert type(layer).__name__ in msg and str(jnp.dtype(dtype)) in msg, msg


def _check(layer, params, state, x, *args):
    with pytest.raises((ValueError, TypeError)) as err:
        layer.apply(params, state, x, *args)
    msg = str(err.value)
    assert type(layer).__name__ in msg, msg
    assert str(tuple(x.shape)) in msg, msg


dims = st.lists(st.integers(1, 6), min_size=0, max_size=4).map(tuple)


@SETTINGS
@given(shape=dims)
def test_dense_bad_shapes(shape):
    layer = L.Dense(3, flatten=False)
    params, state = layer.init(jax.random.key(0), jnp.ones((2, 4)))
    assume(len(shape) == 0 or shape[-1] != 4)
    _check(layer, params, state, jnp.ones(shape))


@SETTINGS
@given(shape=dims)
def test_dense_flatten_bad_shapes(shape):
    layer = L.Dense(3)
    params, state = layer.init(jax.random.key(0), jnp.ones((2, 4)))
    n = 1
    for d in shape[1:]:
        n *= d
    assume(len(shape) < 2 or n != 4)
    _check(layer, params, state, jnp.ones(shape))


CHANNEL_LAYERS = [
    (L.BatchNorm(), (2, 3, 4), lambda s: len(s) < 2 or s[1] != 3),
    (L.BatchNorm(axis=-1), (2, 3), lambda s: len(s) < 1 or s[-1] != 3),
    (L.LayerNorm(), (2, 5), lambda s: len(s) < 1 or s[-1] != 5),
    (L.InstanceNorm(), (2, 3, 4), lambda s: len(s) < 3 or s[1] != 3),
    (L.GroupNorm(2), (2, 4, 3), lambda s: len(s) < 2 or s[1] % 2 != 0),
    (L.PReLU(in_channels=3), (2, 3), lambda s: len(s) < 2 or s[1] != 3),
    (L.MultiHeadAttention(4, 2), (2, 3, 4), lambda s: len(s) != 3 or s[-1] != 4),
    (L.Flatten(), (2, 3), lambda s: len(s) == 0),
]


@SETTINGS
@given(i=st.integers(0, len(CHANNEL_LAYERS) - 1), shape=dims)
def test_bad_shapes_of_my_layers(i, shape):
    layer, init_shape, is_bad = CHANNEL_LAYERS[i]
    assume(is_bad(shape))
    params, state = layer.init(jax.random.key(0), jnp.ones(init_shape))
    _check(layer, params, state, jnp.ones(shape))


@SETTINGS
@given(dtype=st.sampled_from(["bool", "complex64"]), shape=dims)
def test_embedding_bad_dtypes(dtype, shape):
    layer = L.Embedding(5, 2)
    params, state = layer.init(jax.random.key(0), jnp.zeros((2,), jnp.int32))
    x = jnp.zeros(shape, dtype)
    with pytest.raises(TypeError) as err:
        layer.apply(params, state, x)
    msg = str(err.value)
    assert "Embedding" in msg and dtype in msg and str(tuple(shape)) in msg, msg


@SETTINGS
@given(shape=dims.filter(lambda s: len(s) > 0), bad=st.integers(5, 50))
def test_embedding_out_of_range_values(shape, bad):
    layer = L.Embedding(5, 2)
    params, state = layer.init(jax.random.key(0), jnp.zeros((2,), jnp.int32))
    x = jnp.zeros(shape, jnp.int32).reshape(-1).at[0].set(bad).reshape(shape)
    with pytest.raises(ValueError) as err:
        layer.apply(params, state, x)
    msg = str(err.value)
    assert "Embedding" in msg and str(bad) in msg and str(tuple(shape)) in msg, msg
