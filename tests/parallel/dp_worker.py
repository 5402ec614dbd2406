"""Run in a subprocess with 4 simulated CPU devices; prints one JSON line of max differences."""

import json
import os
import sys

if "--xla_force_host_platform_device_count=4" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=4"
    ).strip()
os.environ["JAX_PLATFORMS"] = "cpu"

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

from mxjax import (  # noqa: E402
    layers as L,  # noqa: E402
    parallel,
    train,
)
from mxjax.train import TrainState, make_train_step, zero_sums  # noqa: E402


def ce(out, y):
    return optax.softmax_cross_entropy_with_integer_labels(out, y)


def maxdiff(a, b):
    """Worst ratio of |a-b| to the allclose bound (rtol 1e-5, atol 1e-6); <= 1 means allclose."""
    worst = 0.0
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        worst = max(worst, float(np.max(np.abs(x - y) / (1e-5 * np.abs(y) + 1e-6))))
    return worst


def functional(layer):
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((10, 32, 6)).astype(np.float32)
    ys = rng.integers(0, 3, (10, 32)).astype(np.int32)
    p, s = layer.init(jax.random.key(0), jnp.asarray(xs[0]))
    tx = optax.adam(1e-2)

    def fresh():
        return TrainState(p, s, tx.init(p), jax.random.key(1), jnp.zeros((), jnp.int32))

    single = make_train_step(layer.apply, ce, tx, {})
    ts1, sums1 = jax.tree.map(jnp.array, fresh()), zero_sums([])
    for x, y in zip(xs, ys):
        ts1, sums1 = single(ts1, sums1, x, y)
    mesh = parallel.data_mesh(4)
    multi = parallel.make_parallel_train_step(layer.apply, ce, tx, {}, mesh)
    ts4 = parallel.replicate(jax.tree.map(jnp.array, fresh()), mesh)
    sums4 = parallel.replicate(zero_sums([]), mesh)
    for x, y in zip(xs, ys):
        ts4, sums4 = multi(
            ts4,
            sums4,
            parallel.shard_batch(jnp.asarray(x), mesh),
            parallel.shard_batch(jnp.asarray(y), mesh),
        )
    return (
        maxdiff(ts4.params, ts1.params),
        maxdiff(ts4.state, ts1.state) if jax.tree.leaves(ts1.state) else 0.0,
        float(abs(sums4["loss"] - sums1["loss"]) / sums1["loss"]),
    )


def fit_equivalence(n, batch_size):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((n, 6)).astype(np.float32)
    y = rng.integers(0, 3, n).astype(np.int32)
    out = []
    for devices in (None, 4):
        m = train.Model(L.Sequential([L.Dense(16, activation="relu"), L.Dense(3)]), seed=0)
        m.compile("adam", ce, metrics=["accuracy"], learning_rate=0.01)
        h = m.fit(x, y, epochs=2, batch_size=batch_size, verbose=0, devices=devices)
        out.append((m.params, h.history["loss"][-1]))
    return maxdiff(out[1][0], out[0][0]), abs(out[1][1] - out[0][1])


res = {"devices": len(jax.devices())}
res["mlp"] = functional(L.Sequential([L.Dense(16, activation="tanh"), L.Dense(3)]))
# A bias before BatchNorm has an exactly-zero gradient: Adam would amplify rounding noise there.
res["batchnorm"] = functional(
    L.Sequential(
        [L.Dense(16, use_bias=False), L.BatchNorm(axis=1), L.Activation("relu"), L.Dense(3)]
    )
)
res["fit_even"] = fit_equivalence(320, 32)
res["fit_uneven"] = fit_equivalence(330, 32)  # last batch of 10 is not divisible by 4
print(json.dumps(res))
sys.stdout.flush()
