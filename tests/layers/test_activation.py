"""Activation layers against MXNet 1.9.1 goldens and NumPy formulas."""

from __future__ import annotations

import math
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from mxjax import init, layers as L

GOLDEN = np.load(pathlib.Path(__file__).parents[1] / "golden" / "norm" / "golden.npz")

CASES = [
    ("act_relu", L.Activation("relu")),
    ("act_sigmoid", L.Activation("sigmoid")),
    ("act_tanh", L.Activation("tanh")),
    ("act_softrelu", L.Activation("softrelu")),
    ("act_softsign", L.Activation("softsign")),
    ("leakyrelu", L.LeakyReLU(0.1)),
    ("elu", L.ELU(0.5)),
    ("selu", L.SELU()),
    ("gelu", L.GELU()),
    ("swish", L.Swish(2.0)),
    ("prelu", L.PReLU(in_channels=3)),
    ("prelu1", L.PReLU()),
]


def _setup(case, layer):
    x = jnp.asarray(GOLDEN[f"{case}.x"])
    params, state = layer.init(jax.random.key(0), x)
    if "alpha" in params:
        params = {"alpha": jnp.asarray(GOLDEN[f"{case}.alpha"])}
    return x, params, state


@pytest.mark.parametrize("case,layer", CASES, ids=[c for c, _ in CASES])
def test_matches_mxnet_forward_and_backward(case, layer):
    x, params, state = _setup(case, layer)

    @jax.jit
    def fwd_bwd(p, xx, dy):
        y, pullback = jax.vjp(lambda v: layer.apply(p, state, v)[0], xx)
        return y, pullback(dy)[0]

    dy_key = f"{case}.dy"
    dy = jnp.asarray(GOLDEN[dy_key]) if dy_key in GOLDEN else jnp.ones_like(x)
    y, dx = fwd_bwd(params, x, dy)
    np.testing.assert_allclose(np.asarray(y), GOLDEN[f"{case}.y"], rtol=1e-5, atol=1e-6)
    if f"{case}.dx" in GOLDEN:
        # relu/leaky at exactly 0 differ by convention only; the grid holds x == 0
        ok = np.asarray(x) != 0
        if case == "selu":
            # MXNet 1.9.1 bug, not copied: its SELU backward for x < 0 is lambda * (y + alpha)
            # instead of the derivative y + lambda * alpha (checked against NumPy below).
            neg = np.asarray(x) < 0
            lam_alpha = 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717
            np.testing.assert_allclose(
                np.asarray(dx)[neg],
                (np.asarray(dy) * (GOLDEN[f"{case}.y"] + lam_alpha))[neg],
                rtol=1e-5,
            )
            ok = np.asarray(x) > 0
        np.testing.assert_allclose(
            np.asarray(dx)[ok], GOLDEN[f"{case}.dx"][ok], rtol=1e-4, atol=1e-5
        )


def _np_ref(name, x):
    erf = np.vectorize(math.erf)
    a, lam = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return {
        "gelu": 0.5 * x * (1 + erf(x / np.sqrt(2))),
        "selu": lam * np.where(x > 0, x, a * (np.exp(x) - 1)),
        "elu": np.where(x > 0, x, 0.5 * (np.exp(x) - 1)),
        "swish": x / (1 + np.exp(-2.0 * x)),
        "leakyrelu": np.where(x > 0, x, 0.1 * x),
        "softsign": x / (1 + np.abs(x)),
        "softrelu": np.log1p(np.exp(x)),
    }[name]


@pytest.mark.parametrize(
    "name,layer",
    [
        ("gelu", L.GELU()),
        ("selu", L.SELU()),
        ("elu", L.ELU(0.5)),
        ("swish", L.Swish(2.0)),
        ("leakyrelu", L.LeakyReLU(0.1)),
        ("softsign", L.Activation("softsign")),
        ("softrelu", L.Activation("softrelu")),
    ],
)
def test_numpy_formula_and_grads(name, layer):
    x = np.random.default_rng(0).standard_normal((4, 5)) * 3
    y, _ = layer.apply({}, {}, jnp.asarray(x, jnp.float32))
    np.testing.assert_allclose(np.asarray(y), _np_ref(name, x), rtol=1e-5, atol=1e-6)
    check_grads(
        lambda v: layer.apply({}, {}, v)[0],
        (jnp.asarray(x, jnp.float32),),
        order=1,
        modes=("rev",),
        atol=1e-2,
        rtol=1e-2,
        eps=1e-3,
    )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_low_precision_keeps_dtype(dtype):
    x = jnp.linspace(-3, 3, 7).astype(dtype)
    for layer in (L.GELU(), L.SELU(), L.ELU(), L.Swish(), L.LeakyReLU(0.2)):
        assert layer.apply({}, {}, x)[0].dtype == jnp.dtype(dtype)
    params, state = L.PReLU(in_channels=7).init(jax.random.key(0), x.reshape(1, 7))
    assert L.PReLU(in_channels=7).apply(params, state, x.reshape(1, 7))[0].dtype == x.dtype


def test_prelu_params_and_initializer():
    params, _ = L.PReLU(in_channels=4).init(jax.random.key(0), jnp.ones((2, 4, 3)))
    np.testing.assert_array_equal(np.asarray(params["alpha"]), np.full(4, 0.25, np.float32))
    params, _ = L.PReLU(init.Constant(0.1)).init(jax.random.key(0), jnp.ones((2, 4)))
    np.testing.assert_allclose(np.asarray(params["alpha"]), [0.1])
    hash(L.PReLU())


def test_errors():
    with pytest.raises(ValueError, match=r"Activation: unknown activation 'swishy'"):
        L.Activation("swishy")
    with pytest.raises(TypeError, match=r"GELU: expected a floating-point input.*int32"):
        L.GELU().apply({}, {}, jnp.ones(3, jnp.int32))
    with pytest.raises(ValueError, match=r"LeakyReLU: alpha must be >= 0"):
        L.LeakyReLU(-1.0)
    with pytest.raises(TypeError, match=r"ELU: alpha must be a number"):
        L.ELU("1")
    with pytest.raises(ValueError, match=r"PReLU: in_channels must be a positive int"):
        L.PReLU(in_channels=0)
    params, state = L.PReLU(in_channels=3).init(jax.random.key(0), jnp.ones((2, 3)))
    with pytest.raises(ValueError, match=r"PReLU: expected 3 channels.*received 4.*\(2, 4\)"):
        L.PReLU(in_channels=3).apply(params, state, jnp.ones((2, 4)))
