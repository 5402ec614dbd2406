"""Data-parallel training in one or several processes; process 0 saves the final params.

python tests/parallel/mp_worker.py OUT.npz [--die-after-init]
"""

import os
import sys

from mxjax import parallel

cfg = parallel.initialize(heartbeat_timeout_seconds=10, initialization_timeout=60)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

from mxjax import layers as L  # noqa: E402
from mxjax.train import TrainState, zero_sums  # noqa: E402

if "--die-after-init" in sys.argv and parallel.process_index() == 1:
    os._exit(3)

layer = L.Sequential([L.Dense(16, activation="tanh"), L.Dense(3)])
rng = np.random.default_rng(0)
xs = rng.standard_normal((10, 32, 6)).astype(np.float32)
ys = rng.integers(0, 3, (10, 32)).astype(np.int32)
p, s = layer.init(jax.random.key(0), jnp.asarray(xs[0]))
tx = optax.adam(1e-2)
mesh = parallel.data_mesh("all")
step = parallel.make_parallel_train_step(
    layer.apply, lambda o, y: optax.softmax_cross_entropy_with_integer_labels(o, y), tx, {}, mesh
)
ts = parallel.replicate(
    TrainState(p, s, tx.init(p), jax.random.key(1), jnp.zeros((), jnp.int32)), mesh
)
sums = parallel.replicate(zero_sums([]), mesh)
for x, y in zip(xs, ys):
    ts, sums = step(ts, sums, parallel.shard_batch(x, mesh), parallel.shard_batch(y, mesh))
flat = L.flatten_names(ts.params)
host = {k: np.asarray(jax.device_get(v.addressable_data(0))) for k, v in flat.items()}
if parallel.is_coordinator():
    np.savez(sys.argv[1], loss=float(jax.device_get(sums["loss"].addressable_data(0))), **host)
print(
    f"process {parallel.process_index()}/{parallel.process_count()} done, {len(jax.devices())} global devices"
)
