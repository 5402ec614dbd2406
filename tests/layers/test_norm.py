"""Normalization layers against MXNet 1.9.1 goldens and NumPy references."""

from __future__ import annotations

import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from mxjax import layers as L

GOLDEN = np.load(pathlib.Path(__file__).parents[1] / "golden" / "norm" / "golden.npz")


def _g(case, name):
    return GOLDEN[f"{case}.{name}"]


def _run_golden(case, layer, train=False):
    x = jnp.asarray(_g(case, "x"))
    params, state = layer.init(jax.random.key(0), x)
    for tree in (params, state):
        for name in tree:
            if f"{case}.{name}" in GOLDEN:
                tree[name] = jnp.asarray(_g(case, name))
    y, new_state = jax.jit(layer.apply, static_argnames="train")(params, state, x, train=train)
    np.testing.assert_allclose(np.asarray(y), _g(case, "y"), rtol=1e-5, atol=1e-5)
    if f"{case}.dx" in GOLDEN and case != "bn_eval":

        def grad_x(xx, dy):
            return jax.vjp(lambda v: layer.apply(params, state, v, train=train)[0], xx)[1](dy)[0]

        dx = jax.jit(grad_x)(x, jnp.asarray(_g(case, "dy")))
        np.testing.assert_allclose(np.asarray(dx), _g(case, "dx"), rtol=1e-4, atol=1e-4)
    return params, state, new_state


@pytest.mark.parametrize(
    "case,layer,train",
    [
        ("bn_train", L.BatchNorm(momentum=0.8), True),
        ("bn_eval", L.BatchNorm(momentum=0.8), False),
        ("bn_global", L.BatchNorm(use_global_stats=True), True),
        ("bn_fixgamma", L.BatchNorm(scale=False), True),
        ("bn_last", L.BatchNorm(axis=-1, epsilon=1e-3), True),
        ("ln", L.LayerNorm(), False),
        ("ln_axis1", L.LayerNorm(axis=1, epsilon=1e-3), False),
        ("gn", L.GroupNorm(num_groups=3), False),
        ("gn_4d", L.GroupNorm(num_groups=2), False),
        ("in", L.InstanceNorm(scale=True), False),
        ("in_last", L.InstanceNorm(axis=-1, scale=True), False),
    ],
)
def test_matches_mxnet(case, layer, train):
    params, state, new_state = _run_golden(case, layer, train)
    for name in ("running_mean", "running_var"):
        if f"{case}.{name}_after" in GOLDEN:
            np.testing.assert_allclose(
                np.asarray(new_state[name]), _g(case, f"{name}_after"), rtol=1e-5, atol=1e-6
            )


def test_batchnorm_eval_gradient_is_the_true_one():
    # MXNet 1.9.1 quirk, deliberately not copied: its inference-mode backward applies the
    # batch-statistics gradient formula with the running statistics plugged in. The true
    # gradient of the inference function is dy * gamma / sqrt(running_var + eps).
    case = "bn_eval"
    params, state, _ = _run_golden(case, L.BatchNorm(momentum=0.8), False)
    x, dy = jnp.asarray(_g(case, "x")), jnp.asarray(_g(case, "dy"))
    _, pullback = jax.vjp(lambda xx: L.BatchNorm().apply(params, state, xx)[0], x)
    (dx,) = pullback(dy)
    scale = _g(case, "gamma") / np.sqrt(_g(case, "running_var") + 1e-5)
    np.testing.assert_allclose(np.asarray(dx), _g(case, "dy") * scale.reshape(1, -1, 1), rtol=1e-5)
    mxnet_quirk = _g(case, "dx")
    assert not np.allclose(np.asarray(dx), mxnet_quirk, atol=1e-2)


def _np_batchnorm(x, gamma, beta, rm, rv, axis, momentum, eps):
    axes = tuple(i for i in range(x.ndim) if i != axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    x = x.astype(np.float64)
    mean, var = x.mean(axes), x.var(axes)  # biased, as MXNet
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    y = y * gamma.reshape(shape) + beta.reshape(shape)
    return y, momentum * rm + (1 - momentum) * mean, momentum * rv + (1 - momentum) * var


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_batchnorm_numpy_reference_and_low_precision_stats(dtype):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((8, 3, 4, 4)) * 3 + 100).astype("float32")  # large mean
    bn = L.BatchNorm(momentum=0.7)
    params, state = bn.init(jax.random.key(0), jnp.asarray(x))
    xd = jnp.asarray(x, dtype)
    y, new_state = bn.apply(params, state, xd, train=True)
    assert y.dtype == jnp.dtype(dtype)
    ref_y, ref_m, ref_v = _np_batchnorm(
        np.asarray(xd.astype(jnp.float32)), np.ones(3), np.zeros(3), 0.0, 1.0, 1, 0.7, 1e-5
    )
    tol = {"float32": 1e-4, "float16": 2e-2, "bfloat16": 5e-2}[dtype]
    np.testing.assert_allclose(np.asarray(y.astype(jnp.float32)), ref_y, atol=tol, rtol=tol)
    np.testing.assert_allclose(np.asarray(new_state["running_mean"]), ref_m, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(new_state["running_var"]), ref_v, rtol=1e-4)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_batchnorm_keeps_float32_params_for_half_dtypes_like_gluon_cast(dtype):
    x = jnp.ones((2, 3), dtype)
    params, state = L.BatchNorm(dtype=dtype).init(jax.random.key(0), x)
    for a in (*params.values(), *state.values()):
        assert a.dtype == jnp.float32
    y, new_state = L.BatchNorm(dtype=dtype).apply(params, state, x, train=True)
    assert y.dtype == jnp.dtype(dtype) and new_state["running_var"].dtype == jnp.float32
    assert L.LayerNorm(dtype=dtype).init(jax.random.key(0), x)[0]["gamma"].dtype == dtype


def test_batchnorm_jit_train_updates_state_and_eval_does_not():
    bn = L.BatchNorm()
    x = jnp.asarray(np.random.default_rng(0).standard_normal((4, 2, 3)), jnp.float32)
    params, state = bn.init(jax.random.key(0), x)
    step = jax.jit(bn.apply, static_argnames="train")
    _, s1 = step(params, state, x, train=True)
    assert not np.allclose(np.asarray(s1["running_mean"]), 0)
    _, s2 = step(params, s1, x, train=False)
    np.testing.assert_array_equal(np.asarray(s2["running_var"]), np.asarray(s1["running_var"]))


@pytest.mark.parametrize(
    "layer,shape",
    [
        (L.BatchNorm(center=False, scale=False), (4, 3)),
        (L.LayerNorm(center=False, scale=False), (4, 3)),
        (L.GroupNorm(1, center=False, scale=False), (4, 3, 2)),
        (L.InstanceNorm(center=False), (4, 3, 2)),
    ],
)
def test_disabled_gamma_beta_get_no_gradient(layer, shape):
    x = jnp.asarray(np.random.default_rng(0).standard_normal(shape), jnp.float32)
    params, state = layer.init(jax.random.key(0), x)
    grads = jax.grad(lambda p: jnp.sum(layer.apply(p, state, x)[0] ** 3))(params)
    assert set(grads) == {"gamma", "beta"}
    np.testing.assert_array_equal(np.asarray(grads["gamma"]), 0)
    np.testing.assert_array_equal(np.asarray(grads["beta"]), 0)


@pytest.mark.parametrize(
    "layer,shape",
    # LayerNorm/GroupNorm/InstanceNorm have no train-mode difference; the registry
    # (tests/layers/descriptors_norm.py) runs check_grads on them.
    [(L.BatchNorm(), (5, 3, 2)), (L.BatchNorm(axis=-1, scale=False), (6, 2))],
)
def test_check_grads_train(layer, shape):
    x = jnp.asarray(np.random.default_rng(2).standard_normal(shape), jnp.float32)
    params, state = layer.init(jax.random.key(0), x)
    check_grads(
        jax.jit(lambda p, xx: layer.apply(p, state, xx, train=True)[0]),
        (params, x),
        order=1,
        modes=("rev",),
        atol=5e-2,
        rtol=5e-2,
        eps=1e-3,
    )


def test_groupnorm_params_are_per_group():
    params, _ = L.GroupNorm(num_groups=4).init(jax.random.key(0), jnp.ones((2, 8, 3)))
    assert params["gamma"].shape == (4,) and params["beta"].shape == (4,)


def test_instancenorm_default_scale_is_false_like_gluon():
    assert L.InstanceNorm().scale is False


@pytest.mark.parametrize(
    "layer,init_shape,x,err,match",
    [
        (
            L.BatchNorm(),
            (2, 3),
            jnp.ones((2, 4)),
            ValueError,
            r"BatchNorm.*3 channels.*received 4.*\(2, 4\)",
        ),
        (L.LayerNorm(), (2, 3), jnp.ones((2, 4)), ValueError, r"LayerNorm.*3 channels.*received 4"),
        (
            L.BatchNorm(axis=3),
            (2, 3, 4, 5),
            jnp.ones((2, 3)),
            ValueError,
            r"BatchNorm: axis=3 is out of range.*\(2, 3\)",
        ),
        (
            L.BatchNorm(),
            (2, 3),
            jnp.ones((2, 3), jnp.int32),
            TypeError,
            r"BatchNorm.*floating.*int32",
        ),
        (
            L.InstanceNorm(),
            (2, 3, 4),
            jnp.ones((2, 3)),
            ValueError,
            r"InstanceNorm.*at least 3.*\(2, 3\)",
        ),
        (
            L.GroupNorm(2),
            (2, 4, 4),
            jnp.ones((2, 3, 4)),
            ValueError,
            r"GroupNorm: num_groups=2 must divide.*3 channels.*\(2, 3, 4\)",
        ),
    ],
)
def test_bad_inputs(layer, init_shape, x, err, match):
    params, state = layer.init(jax.random.key(0), jnp.ones(init_shape))
    with pytest.raises(err, match=match):
        layer.apply(params, state, x)


def test_bad_hyperparameters():
    with pytest.raises(ValueError, match="BatchNorm: momentum"):
        L.BatchNorm(momentum=1.5)
    with pytest.raises(ValueError, match="LayerNorm: epsilon"):
        L.LayerNorm(epsilon=0)
    with pytest.raises(TypeError, match="BatchNorm: axis must be an int"):
        L.BatchNorm(axis=1.0)
    with pytest.raises(ValueError, match="GroupNorm: num_groups"):
        L.GroupNorm(num_groups=0)
    with pytest.raises(ValueError, match="BatchNorm: in_channels=5.*3 channels"):
        L.BatchNorm(in_channels=5).init(jax.random.key(0), jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="InstanceNorm: axis=0 is the batch axis"):
        L.InstanceNorm(axis=0).init(jax.random.key(0), jnp.ones((2, 3, 4)))
