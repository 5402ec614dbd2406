"""The data-parallel train step: one jitted SPMD program over a device mesh.

Parameters, optimizer state and metric sums are replicated; each device gets
a shard of the batch. Because the program is written for the global batch
(mean loss over all samples), XLA inserts the gradient all-reduce (a mean) and
the numbers equal a single-device step on the same global batch. Batch
statistics (BatchNorm) are global too, i.e. synchronised across devices.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import Mesh

from mxjax._src.parallel.mesh import batch_sharding, replicated
from mxjax._src.train.step import jit_step, train_step_fn

__all__ = ["make_parallel_train_step", "shard_batch", "replicate"]


def _global_put(tree, sharding):
    """``device_put`` that also works when ``sharding`` spans other processes' devices.

    Every process must pass the same (global) values, as in pmap-style
    data-parallel code where each host holds the full batch or the same state.
    """
    if jax.process_count() == 1:
        return jax.device_put(tree, sharding)

    def put(leaf):
        if jnp.issubdtype(getattr(leaf, "dtype", None), jax.dtypes.prng_key):
            impl = jax.random.key_impl(leaf)
            data = put(jax.random.key_data(leaf))
            return jax.jit(
                lambda d: jax.random.wrap_key_data(d, impl=impl), out_shardings=sharding
            )(data)
        host = np.asarray(jax.device_get(leaf) if isinstance(leaf, jax.Array) else leaf)
        return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])

    return jax.tree.map(put, tree)


def replicate(tree, mesh: Mesh):
    """Places a full copy of every leaf of ``tree`` on each device of ``mesh``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import parallel
        >>> mesh = parallel.data_mesh(1)
        >>> parallel.replicate({"w": jnp.ones(2)}, mesh)["w"].shape
        (2,)
    """
    return _global_put(tree, replicated(mesh))


def shard_batch(tree, mesh: Mesh):
    """Splits the leading axis of every leaf across ``mesh``.

    Raises:
        ValueError: when the batch size is not divisible by the device count.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import parallel
        >>> parallel.shard_batch(jnp.ones((4, 3)), parallel.data_mesh(1)).shape
        (4, 3)
    """
    n = mesh.devices.size
    for leaf in jax.tree.leaves(tree):
        if leaf.shape[0] % n:
            raise ValueError(
                f"a batch of {leaf.shape[0]} samples cannot be split evenly over {n} devices; "
                f"use a batch size divisible by {n}"
            )
    return _global_put(tree, batch_sharding(mesh))


def make_parallel_train_step(
    apply_fn: Callable,
    loss_fn: Callable,
    tx: optax.GradientTransformation,
    metrics: dict[str, Callable],
    mesh: Mesh,
    *,
    gather: bool = False,
    even: bool = True,
    with_outputs: bool = False,
) -> Callable:
    """Builds the data-parallel ``step(train_state, sums, x, y) -> (train_state, sums)``.

    With ``gather=True`` the signature is ``step(ts, sums, x_all, y_all, perm, offset)``:
    the dataset is replicated on every device, ``perm[sums['batch'] - offset]``
    are the sample indices of this step, and each device gathers its shard
    (no host-to-device copy per step). With ``even=False``
    the batch is replicated instead of split (for a batch size not divisible
    by the device count): the result is the same, computed redundantly.

    Examples:
        >>> import jax, jax.numpy as jnp, optax
        >>> from mxjax import layers as L, losses, parallel
        >>> from mxjax.train import TrainState, zero_sums
        >>> mesh = parallel.data_mesh(1)
        >>> net = L.Dense(2)
        >>> p, s = net.init(jax.random.key(0), jnp.ones((1, 3)))
        >>> tx = optax.sgd(0.1)
        >>> ts = parallel.replicate(TrainState(p, s, tx.init(p), jax.random.key(1), jnp.zeros((), jnp.int32)), mesh)
        >>> step = parallel.make_parallel_train_step(net.apply, losses.softmax_cross_entropy, tx, {}, mesh)
        >>> ts, sums = step(ts, parallel.replicate(zero_sums([]), mesh), jnp.ones((4, 3)), jnp.zeros(4, jnp.int32))
        >>> int(sums["count"])
        4
    """
    step = train_step_fn(apply_fn, loss_fn, tx, metrics, with_outputs=with_outputs)
    bat = batch_sharding(mesh) if even else replicated(mesh)
    return jit_step(
        step, gather=gather, replicated=replicated(mesh), batch=bat, with_outputs=with_outputs
    )
