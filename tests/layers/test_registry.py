"""Generic checks run on every registered layer descriptor."""

from __future__ import annotations

import functools
import inspect

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import mxjax.layers as L
from tests.layers.registry import all_descriptors

DESCRIPTORS = all_descriptors()
IDS = [d.id for d in DESCRIPTORS]


def _inputs(d, dtype=jnp.float32, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for shape in d.inputs:
        if d.int_inputs is not None:
            out.append(jnp.asarray(rng.integers(*d.int_inputs, size=shape), jnp.int32))
        else:
            out.append(jnp.asarray(rng.standard_normal(shape), dtype))
    return out


def _first(out):
    return out[0] if isinstance(out, tuple) else out


@functools.cache
def _jitted_apply(layer, apply_kwargs):
    """``layer.apply`` under ``jax.jit``, one per (layer, kwargs): the checks of one
    descriptor share its compiled program (layers are hashable frozen dataclasses)."""
    kwargs = dict(apply_kwargs)
    return jax.jit(lambda p, s, *a: layer.apply(p, s, *a, **kwargs))


def _jit(d, layer):
    return _jitted_apply(layer, tuple(sorted(d.apply_kwargs.items())))


def test_every_public_layer_is_registered():
    registered = set()
    for d in DESCRIPTORS:
        layer = d.make()
        stack = [layer]
        while stack:
            obj = stack.pop()
            registered.add(type(obj).__name__)
            for value in vars(obj).values():
                if isinstance(value, L.Layer):
                    stack.append(value)
                elif isinstance(value, tuple):
                    stack.extend(v for v in value if isinstance(v, L.Layer))
    public = {
        name
        for name, obj in vars(L).items()
        if inspect.isclass(obj) and issubclass(obj, L.Layer) and obj not in (L.Layer, L.Composite)
    }
    missing = sorted(public - registered)
    assert not missing, f"public layers without a descriptor: {missing}"


@pytest.mark.parametrize("d", DESCRIPTORS, ids=IDS)
def test_shapes_names_and_jit(d):
    layer = d.make()
    xs = _inputs(d)
    params, state = layer.init(jax.random.key(0), *xs)
    names = set(L.flatten_names(params)) | set(L.flatten_names(state))
    assert names == d.names
    out, new_state = layer.apply(params, state, *xs, **d.apply_kwargs)
    assert _first(out).shape == d.out_shape
    assert jax.tree.structure(new_state) == jax.tree.structure(state)
    out_j, _ = _jit(d, layer)(params, state, *xs)
    np.testing.assert_allclose(
        np.asarray(_first(out_j)), np.asarray(_first(out)), rtol=1e-5, atol=1e-5
    )
    hash(layer)  # usable as a static argument


@pytest.mark.parametrize(
    "d", [d for d in DESCRIPTORS if d.vmap], ids=[d.id for d in DESCRIPTORS if d.vmap]
)
def test_vmap_matches_batched_call(d):
    layer = d.make()
    xs = _inputs(d)
    params, state = layer.init(jax.random.key(0), *xs)
    ax = d.batch_axis
    batched = _first(layer.apply(params, state, *xs, **d.apply_kwargs)[0])

    def one(*x1):
        x1 = [jnp.expand_dims(x, ax) for x in x1]
        return jnp.squeeze(_first(layer.apply(params, state, *x1, **d.apply_kwargs)[0]), ax)

    # one program for the mapped call instead of one per operation of the layer
    mapped = jax.jit(jax.vmap(one, in_axes=ax, out_axes=ax))(*xs)
    np.testing.assert_allclose(np.asarray(mapped), np.asarray(batched), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "d", [d for d in DESCRIPTORS if d.grads], ids=[d.id for d in DESCRIPTORS if d.grads]
)
def test_check_grads(d):
    layer = d.make()
    xs = _inputs(d, dtype=jnp.float32)
    # Xavier: weights of order 1, so pre-activations stay away from ReLU kinks (the
    # default Uniform(0.07) puts many of them within a finite-difference step of 0)
    params, state = layer.init(jax.random.key(0), *xs, initializer="xavier")

    apply = _jit(d, layer)  # the program test_shapes_names_and_jit compiled

    def f(p, *x):
        return _first(apply(p, state, *x)[0])

    float_xs = tuple(x for x in xs if jnp.issubdtype(x.dtype, jnp.floating))
    kw = dict(order=1, modes=("rev",), atol=5e-2, rtol=5e-2, eps=1e-3)
    if len(float_xs) == len(xs):
        check_grads(f, (params, *xs), **kw)
    else:
        check_grads(lambda p: f(p, *xs), (params,), **kw)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize(
    "d",
    [d for d in DESCRIPTORS if d.low_precision],
    ids=[d.id for d in DESCRIPTORS if d.low_precision],
)
def test_low_precision(d, dtype):
    layer = d.make_dtype(dtype) if d.make_dtype is not None else d.make()
    xs = _inputs(d, dtype=jnp.dtype(dtype))
    params, state = layer.init(jax.random.key(0), *xs)
    # jitted: one program per layer and dtype instead of one per operation (eager
    # equals jit is checked in float32 by test_shapes_names_and_jit)
    out = _first(_jit(d, layer)(params, state, *xs)[0])
    assert out.shape == d.out_shape
    if d.make_dtype is not None:
        assert out.dtype == jnp.dtype(dtype)
    assert bool(jnp.all(jnp.isfinite(out.astype(jnp.float32))))
