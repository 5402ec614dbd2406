"""Hand-written JAX contender (``jax.jit`` + optax, NCHW ``lax.conv_general_dilated``): the ratio baseline."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax
from workloads import LR, LSTM


def _dense(key, n_in, n_out):
    w = jax.random.normal(key, (n_in, n_out), jnp.float32) * np.sqrt(2.0 / n_in)
    return {"w": w, "b": jnp.zeros((n_out,), jnp.float32)}


def _conv(key, c_in, c_out, k=3):
    w = jax.random.normal(key, (c_out, c_in, k, k), jnp.float32) * np.sqrt(2.0 / (c_in * k * k))
    return {"w": w, "b": jnp.zeros((c_out,), jnp.float32)}


def conv_nchw(p, x, stride=1, padding="VALID"):
    y = lax.conv_general_dilated(
        x, p["w"], (stride, stride), padding, dimension_numbers=("NCHW", "OIHW", "NCHW")
    )
    return y + p["b"].reshape(1, -1, 1, 1)


def maxpool_nchw(x):
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def _bn(x, g, b):
    mean = jnp.mean(x, axis=(0, 2, 3), keepdims=True)
    var = jnp.var(x, axis=(0, 2, 3), keepdims=True)
    return (x - mean) * lax.rsqrt(var + 1e-5) * g.reshape(1, -1, 1, 1) + b.reshape(1, -1, 1, 1)


def init_model(model, key):
    k = iter(jax.random.split(key, 64))
    if model == "mlp":
        return [_dense(next(k), 784, 256), _dense(next(k), 256, 256), _dense(next(k), 256, 10)]
    if model == "cnn":
        return {
            "c1": _conv(next(k), 1, 32),
            "c2": _conv(next(k), 32, 64),
            "d1": _dense(next(k), 64 * 5 * 5, 128),
            "d2": _dense(next(k), 128, 10),
        }
    if model == "resnet18":

        def bn(c):
            return {"g": jnp.ones((c,)), "b": jnp.zeros((c,))}

        p = {"stem": _conv(next(k), 3, 64), "bn": bn(64), "blocks": []}
        c_in = 64
        for c, s in [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)]:
            blk = {
                "c1": _conv(next(k), c_in, c),
                "bn1": bn(c),
                "c2": _conv(next(k), c, c),
                "bn2": bn(c),
            }
            if s != 1 or c_in != c:
                blk["sc"] = _conv(next(k), c_in, c, 1)
                blk["bnsc"] = bn(c)
            p["blocks"].append(blk)
            c_in = c
        p["fc"] = _dense(next(k), 512, 10)
        return p
    if model == "lstm":
        v, e, h = LSTM["vocab"], LSTM["embed"], LSTM["hidden"]
        return {
            "emb": jax.random.normal(next(k), (v, e)) * 0.1,
            "wi": jax.random.normal(next(k), (e, 4 * h)) * 0.05,
            "wh": jax.random.normal(next(k), (h, 4 * h)) * 0.05,
            "b": jnp.zeros((4 * h,)),
            "out": _dense(next(k), h, v),
        }
    raise ValueError(model)


RESNET_STRIDES = [1, 1, 2, 1, 2, 1, 2, 1]


def apply_model(model, p, x):
    if model == "mlp":
        for i, layer in enumerate(p):
            x = x @ layer["w"] + layer["b"]
            if i < len(p) - 1:
                x = jax.nn.relu(x)
        return x
    if model == "cnn":
        x = maxpool_nchw(jax.nn.relu(conv_nchw(p["c1"], x)))
        x = maxpool_nchw(jax.nn.relu(conv_nchw(p["c2"], x)))
        x = x.reshape(x.shape[0], -1)
        x = jax.nn.relu(x @ p["d1"]["w"] + p["d1"]["b"])
        return x @ p["d2"]["w"] + p["d2"]["b"]
    if model == "resnet18":
        x = jax.nn.relu(_bn(conv_nchw(p["stem"], x, 1, "SAME"), **p["bn"]))
        for blk, s in zip(p["blocks"], RESNET_STRIDES):
            y = jax.nn.relu(_bn(conv_nchw(blk["c1"], x, s, ((1, 1), (1, 1))), **blk["bn1"]))
            y = _bn(conv_nchw(blk["c2"], y, 1, "SAME"), **blk["bn2"])
            sc = _bn(conv_nchw(blk["sc"], x, s), **blk["bnsc"]) if "sc" in blk else x
            x = jax.nn.relu(y + sc)
        x = jnp.mean(x, axis=(2, 3))
        return x @ p["fc"]["w"] + p["fc"]["b"]
    if model == "lstm":
        h_size = LSTM["hidden"]
        xs = jnp.take(p["emb"], x.T, axis=0)  # (seq, batch, embed)
        gates_x = xs @ p["wi"] + p["b"]

        def cell(carry, gx):
            h, c = carry
            g = gx + h @ p["wh"]
            i, f, gg, o = jnp.split(g, 4, axis=-1)
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(gg)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), h

        zeros = jnp.zeros((x.shape[0], h_size), jnp.float32)
        _, hs = lax.scan(cell, (zeros, zeros), gates_x)
        return jnp.swapaxes(hs @ p["out"]["w"] + p["out"]["b"], 0, 1)  # (batch, seq, vocab)
    raise ValueError(model)


def build(w, x, y):
    """Returns ``step() -> loss`` for the hand-written jit + optax loop."""
    params = init_model(w.model, jax.random.key(0))
    tx = optax.adam(LR)
    opt_state = tx.init(params)

    def loss_fn(p, xb, yb):
        logits = apply_model(w.model, p, xb)
        return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

    def train_step(p, s, xb, yb):
        loss, g = jax.value_and_grad(loss_fn)(p, xb, yb)
        updates, s = tx.update(g, s, p)
        return optax.apply_updates(p, updates), s, loss

    train_step = jax.jit(train_step, donate_argnums=(0, 1))
    xb, yb = jnp.asarray(x), jnp.asarray(y)
    st = {"p": params, "s": opt_state}

    def step():
        st["p"], st["s"], loss = train_step(st["p"], st["s"], xb, yb)
        return loss

    return {"step": step}
