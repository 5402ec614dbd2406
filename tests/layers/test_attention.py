"""MultiHeadAttention against a NumPy reference implementation."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from mxjax import layers as L


def _np_mha(p, q, k, v, num_heads, mask=None, use_bias=True):
    """Straightforward per-head loops in float64."""

    def proj(name, x):
        y = x @ p[f"{name}_weight"].T
        return y + p[f"{name}_bias"] if use_bias else y

    Q, K, V = proj("query", q), proj("key", k), proj("value", v)
    B, Tq, U = Q.shape
    d = U // num_heads
    out = np.zeros((B, Tq, U))
    weights = np.zeros((B, num_heads, Tq, K.shape[1]))
    for b in range(B):
        for h in range(num_heads):
            sl = slice(h * d, (h + 1) * d)
            s = Q[b, :, sl] @ K[b, :, sl].T / np.sqrt(d)
            if mask is not None:
                s = np.where(mask[b] != 0, s, -np.inf)
            m = np.max(s, axis=-1, keepdims=True)
            m = np.where(np.isfinite(m), m, 0)
            e = np.exp(s - m)
            tot = e.sum(-1, keepdims=True)
            w = np.where(tot > 0, e / np.where(tot > 0, tot, 1), 0)
            weights[b, h] = w
            out[b, :, sl] = w @ V[b, :, sl]
    return proj("out", out), weights


def _setup(mha, shapes, seed=0):
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    params, state = mha.init(jax.random.key(seed), *[jnp.asarray(x) for x in xs])
    # non-trivial biases
    params = {
        n: (jnp.asarray(rng.standard_normal(a.shape), jnp.float32) * 0.3 if "bias" in n else a)
        for n, a in params.items()
    }
    return xs, params, state


@pytest.mark.parametrize("use_bias", [True, False])
def test_cross_attention_matches_numpy(use_bias):
    mha = L.MultiHeadAttention(8, 2, use_bias=use_bias, return_weights=True)
    xs, params, state = _setup(mha, [(2, 5, 6), (2, 7, 4), (2, 7, 3)])
    assert params["query_weight"].shape == (8, 6)
    assert params["key_weight"].shape == (8, 4)
    assert params["value_weight"].shape == (8, 3)
    assert params["out_weight"].shape == (8, 8)
    (out, w), _ = jax.jit(mha.apply)(params, state, *[jnp.asarray(x) for x in xs])
    p64 = {n: np.asarray(a, np.float64) for n, a in params.items()}
    ref, ref_w = _np_mha(p64, *[x.astype(np.float64) for x in xs], 2, use_bias=use_bias)
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.asarray(w), ref_w, rtol=1e-4, atol=1e-6)


def test_mask_including_fully_masked_rows():
    mha = L.MultiHeadAttention(6, 3)
    xs, params, state = _setup(mha, [(2, 4, 6)], seed=1)
    rng = np.random.default_rng(2)
    mask = (rng.random((2, 4, 4)) > 0.4).astype(np.float32)
    mask[0, 1] = 0  # a query that may attend to nothing
    out, _ = mha.apply(params, state, jnp.asarray(xs[0]), mask=jnp.asarray(mask))
    p64 = {n: np.asarray(a, np.float64) for n, a in params.items()}
    x = xs[0].astype(np.float64)
    ref, _ = _np_mha(p64, x, x, x, 3, mask=mask)
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-4, atol=1e-5)
    # self-attention defaults: keys = values = query
    out2, _ = mha.apply(params, state, jnp.asarray(xs[0]), jnp.asarray(xs[0]), jnp.asarray(xs[0]))
    out3, _ = mha.apply(params, state, jnp.asarray(xs[0]))
    np.testing.assert_allclose(np.asarray(out2), np.asarray(out3), rtol=1e-6)


def test_grads_with_mask():
    mha = L.MultiHeadAttention(4, 2)
    xs, params, state = _setup(mha, [(1, 3, 4), (1, 5, 2)])
    mask = jnp.asarray(np.tril(np.ones((3, 5)))[None])
    check_grads(
        jax.jit(lambda p, q, kv: mha.apply(p, state, q, kv, kv, mask)[0]),
        (params, jnp.asarray(xs[0]), jnp.asarray(xs[1])),
        order=1,
        modes=("rev",),
        atol=5e-2,
        rtol=5e-2,
        eps=1e-3,
    )


def test_attention_dropout():
    mha = L.MultiHeadAttention(4, 2, dropout=0.5, return_weights=True)
    xs, params, state = _setup(mha, [(2, 3, 4)])
    x = jnp.asarray(xs[0])
    with pytest.raises(ValueError, match="MultiHeadAttention needs a PRNG key when train=True"):
        mha.apply(params, state, x, train=True)
    y_eval, _ = mha.apply(params, state, x)
    y_eval2, _ = mha.apply(params, state, x, key=jax.random.key(0), train=False)
    np.testing.assert_array_equal(np.asarray(y_eval[0]), np.asarray(y_eval2[0]))
    (y1, _), _ = mha.apply(params, state, x, key=jax.random.key(0), train=True)
    (y2, _), _ = mha.apply(params, state, x, key=jax.random.key(1), train=True)
    assert not np.allclose(np.asarray(y1), np.asarray(y2))
    assert not np.allclose(np.asarray(y1), np.asarray(y_eval[0]))
    # dropout=0 trains without a key
    plain = L.MultiHeadAttention(4, 2)
    plain.apply(params, state, x, train=True)


def test_errors():
    with pytest.raises(ValueError, match=r"units=6 must be divisible by num_heads=4"):
        L.MultiHeadAttention(6, 4)
    with pytest.raises(ValueError, match=r"MultiHeadAttention: dropout must be in \[0, 1\)"):
        L.MultiHeadAttention(4, 2, dropout=1.0)
    mha = L.MultiHeadAttention(4, 2)
    params, state = mha.init(jax.random.key(0), jnp.ones((2, 3, 4)))
    with pytest.raises(ValueError, match=r"MultiHeadAttention: expected a 3-D query.*\(3, 4\)"):
        mha.apply(params, state, jnp.ones((3, 4)))
    with pytest.raises(ValueError, match=r"query input with 4 features.*\(2, 3, 5\)"):
        mha.apply(params, state, jnp.ones((2, 3, 5)))
    with pytest.raises(ValueError, match=r"mask of shape.*\(2, 3, 3\); received \(2, 3\)"):
        mha.apply(params, state, jnp.ones((2, 3, 4)), mask=jnp.ones((2, 3)))
    with pytest.raises(TypeError, match=r"MultiHeadAttention: expected a floating-point query"):
        mha.apply(params, state, jnp.ones((2, 3, 4), jnp.int32))
    with pytest.raises(ValueError, match=r"keys and values must share"):
        mha.apply(params, state, jnp.ones((2, 3, 4)), jnp.ones((2, 3, 4)), jnp.ones((2, 5, 4)))
