"""Measures the internal layout choices of convolution on a LeNet-style train step.

A LeNet-style network (Conv 32 3x3 relu, MaxPool 2, Conv 64 3x3 relu, MaxPool 2,
Dense 128 relu, Dense 10) on NCHW MNIST-sized input, batch 128, one jitted
``value_and_grad`` + adam step, timed with the convolutions computed as:

* ``nchw``: ``lax.conv_general_dilated`` directly on NCHW/OIHW;
* ``nhwc``: transpose to NHWC/HWIO, convolve, transpose back (per layer);
* ``nhwc_net``: the whole network channels-last (the lower bound of layout work);
* ``patches``: NHWC shifted-slice patches + one matmul per convolution;
* ``mxjax``: ``mxjax.layers`` as shipped (its default code path);
* ``mxjax_direct``: ``mxjax.layers`` computing in the interface layout (NCHW).

Run::

    python benchmarks/conv_layouts.py [--batch 128] [--steps 20]
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax

from mxjax import layers as L
from mxjax._src.layers import conv as conv_mod


def conv_nchw(x, w):
    return lax.conv_general_dilated(
        x, w, (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCHW")
    )


def conv_nhwc(x, w):
    xt = jnp.transpose(x, (0, 2, 3, 1))
    wt = jnp.transpose(w, (2, 3, 1, 0))
    y = lax.conv_general_dilated(
        xt, wt, (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC")
    )
    return jnp.transpose(y, (0, 3, 1, 2))


def _patches_nhwc(x, kh, kw):
    h, w = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    cols = [x[:, i : i + h, j : j + w, :] for i in range(kh) for j in range(kw)]
    return jnp.concatenate(cols, axis=-1)  # (N, H', W', kh*kw*C)


def conv_patches(x, w):
    o, c, kh, kw = w.shape
    xt = jnp.transpose(x, (0, 2, 3, 1))
    p = _patches_nhwc(xt, kh, kw)
    wm = jnp.transpose(w, (2, 3, 1, 0)).reshape(kh * kw * c, o)
    y = p @ wm
    return jnp.transpose(y, (0, 3, 1, 2))


def maxpool_nchw(x):
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def make_forward(conv):
    def forward(p, x):
        x = jax.nn.relu(conv(x, p["c1w"]) + p["c1b"].reshape(1, -1, 1, 1))
        x = maxpool_nchw(x)
        x = jax.nn.relu(conv(x, p["c2w"]) + p["c2b"].reshape(1, -1, 1, 1))
        x = maxpool_nchw(x)
        x = x.reshape(x.shape[0], -1)
        x = jax.nn.relu(x @ p["d1w"].T + p["d1b"])
        return x @ p["d2w"].T + p["d2b"]

    return forward


def forward_nhwc_net(p, x):
    x = jnp.transpose(x, (0, 2, 3, 1))
    dn = ("NHWC", "HWIO", "NHWC")
    for i in (1, 2):
        w = jnp.transpose(p[f"c{i}w"], (2, 3, 1, 0))
        x = lax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=dn)
        x = jax.nn.relu(x + p[f"c{i}b"])
        x = lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    x = jnp.transpose(x, (0, 3, 1, 2)).reshape(x.shape[0], -1)
    x = jax.nn.relu(x @ p["d1w"].T + p["d1b"])
    return x @ p["d2w"].T + p["d2b"]


def init_params(key):
    ks = jax.random.split(key, 4)
    n = lambda k, s: jax.random.normal(k, s) * 0.05  # noqa: E731
    return {
        "c1w": n(ks[0], (32, 1, 3, 3)), "c1b": jnp.zeros(32),
        "c2w": n(ks[1], (64, 32, 3, 3)), "c2b": jnp.zeros(64),
        "d1w": n(ks[2], (128, 64 * 5 * 5)), "d1b": jnp.zeros(128),
        "d2w": n(ks[3], (10, 128)), "d2b": jnp.zeros(10),
    }  # fmt: skip


def mxjax_forward(impl=None):
    net = L.Sequential(
        [
            L.Conv2D(32, 3, activation="relu"),
            L.MaxPool2D(2),
            L.Conv2D(64, 3, activation="relu"),
            L.MaxPool2D(2),
            L.Dense(128, activation="relu"),
            L.Dense(10),
        ]
    )

    def to_tree(p):
        return {
            "0": {"weight": p["c1w"], "bias": p["c1b"]},
            "2": {"weight": p["c2w"], "bias": p["c2b"]},
            "4": {"weight": p["d1w"], "bias": p["d1b"]},
            "5": {"weight": p["d2w"], "bias": p["d2b"]},
        }

    def forward(p, x):
        old = conv_mod._IMPL
        conv_mod._IMPL = impl or old  # read while tracing
        try:
            return net.apply(to_tree(p), {}, x)[0]
        finally:
            conv_mod._IMPL = old

    return forward


def make_step(forward, params, x, y):
    opt = optax.adam(1e-3)

    def loss_fn(p):
        logits = forward(p, x)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    @jax.jit
    def step(p, s):
        loss, g = jax.value_and_grad(loss_fn)(p)
        upd, s = opt.update(g, s, p)
        return optax.apply_updates(p, upd), s, loss

    state = [params, opt.init(params)]

    def run(n):
        times = []
        for _ in range(n):
            t0, c0 = time.perf_counter(), time.process_time()
            p, s, loss = step(*state)
            jax.block_until_ready(loss)
            times.append((time.perf_counter() - t0, time.process_time() - c0))
            state[:] = [p, s]
        return times, float(loss)

    run(1)  # compile
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=5, help="steps per round")
    ap.add_argument("--rounds", type=int, default=4, help="round-robin rounds over variants")
    args = ap.parse_args()
    params = init_params(jax.random.key(0))
    x = jax.random.normal(jax.random.key(1), (args.batch, 1, 28, 28))
    y = jax.random.randint(jax.random.key(2), (args.batch,), 0, 10)
    variants = {
        "nchw": make_forward(conv_nchw),
        "nhwc": make_forward(conv_nhwc),
        "nhwc_net": forward_nhwc_net,
        "patches": make_forward(conv_patches),
        "mxjax": mxjax_forward(),
        "mxjax_direct": mxjax_forward("direct"),
    }
    ref = variants["nchw"](params, x)
    print(f"jax {jax.__version__}, backend {jax.default_backend()}, batch {args.batch}")
    runs = {name: make_step(fwd, params, x, y) for name, fwd in variants.items()}
    times = {name: [] for name in variants}
    losses = {}
    for _ in range(args.rounds):  # round-robin, so load changes hit every variant alike
        for name, run in runs.items():
            t, losses[name] = run(args.steps)
            times[name].extend(t)
    base = float(np.median([c for _, c in times["nchw"]]))
    print(f"mxjax default conv path: {conv_mod._IMPL!r}; times per step (wall, and CPU time")
    print("summed over threads, which is less sensitive to other load on the machine)")
    for name, fwd in variants.items():
        err = float(jnp.max(jnp.abs(fwd(params, x) - ref)))
        wall = float(np.median([w for w, _ in times[name]]))
        cpu = float(np.median([c for _, c in times[name]]))
        print(
            f"{name:12s} wall {wall * 1e3:7.1f} ms  cpu {cpu * 1e3:7.1f} ms "
            f"(x{cpu / base:.2f} of nchw)  loss {losses[name]:.4f}  max|y-y_nchw| {err:.1e}"
        )


if __name__ == "__main__":
    main()
