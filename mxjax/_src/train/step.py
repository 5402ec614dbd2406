"""One jitted train step and one eval step, shared by fit, the Estimator and the CLI.

The train step does forward, loss, gradient, optimizer update and metric
accumulation in a single XLA program; the train state and the metric
accumulator are donated, so parameters and optimizer buffers are updated in
place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

__all__ = [
    "TrainState",
    "jit_step",
    "make_eval_step",
    "make_train_step",
    "train_step_fn",
    "zero_sums",
]


class TrainState(NamedTuple):
    """Everything a train step reads and writes (a pytree).

    Attributes:
        params: parameter tree.
        state: layer state tree (BatchNorm running statistics ...).
        opt_state: the optax state.
        key: PRNG key for dropout and other randomness.
        step: number of steps taken (int32 scalar).

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax.train import TrainState
        >>> ts = TrainState({}, {}, (), jax.random.key(0), jnp.zeros((), jnp.int32))
        >>> int(ts.step)
        0
    """

    params: Any
    state: Any
    opt_state: Any
    key: jax.Array
    step: jax.Array


def _as_args(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def zero_sums(names) -> dict[str, jax.Array]:
    """A fresh metric accumulator: ``{'loss': 0, <metric>: 0, 'count': 0, 'batch': 0}``.

    ``batch`` counts the steps taken with this accumulator (an int32 kept on
    the device, so the step can pick its batch without a host transfer).

    Examples:
        >>> from mxjax.train import zero_sums
        >>> sorted(zero_sums(["accuracy"]))
        ['accuracy', 'batch', 'count', 'loss']
    """
    sums = {n: np.zeros((), np.float32) for n in ("loss", *names, "count")}
    sums["batch"] = np.zeros((), np.int32)
    return jax.device_put(sums)  # made on the host: jnp.zeros compiles a program


def _accumulate(sums, per_loss, out, y, metrics, valid=None, keep=None):
    """Adds a batch's loss and metric sums.

    With ``valid``, only the first ``valid`` rows count; with ``keep`` (a
    boolean row mask), only the rows it marks.
    """
    rows = per_loss.shape[0]
    if valid is not None:
        keep = jnp.arange(rows) < valid

    def total(v):
        v = jnp.asarray(v).astype(jnp.float32)
        if keep is not None and v.ndim and v.shape[0] == rows:
            # where, not a product: a padded row's value may be anything (nan included)
            v = jnp.where(keep.reshape((rows,) + (1,) * (v.ndim - 1)), v, 0.0)
        return jnp.sum(v)

    new = dict(sums)
    new["loss"] = sums["loss"] + total(per_loss)
    for name, fn in metrics.items():
        new[name] = sums[name] + total(fn(out, y))
    if keep is None:
        new["count"] = sums["count"] + rows
    else:
        new["count"] = sums["count"] + jnp.sum(keep).astype(jnp.float32)
    if "batch" in sums:
        new["batch"] = sums["batch"] + 1
    return new


def _per_sample(loss_fn, out, y):
    per = loss_fn(out, y)
    per = jnp.asarray(per)
    if per.ndim == 0:
        raise ValueError(
            "the loss function must return one value per sample (shape (batch,)); it returned a scalar. "
            "Gluon losses and mxjax.losses do; wrap a mean-reducing loss accordingly."
        )
    return per.reshape(per.shape[0], -1).mean(axis=1)


def make_train_step(
    apply_fn: Callable,
    loss_fn: Callable,
    tx: optax.GradientTransformation,
    metrics: dict[str, Callable],
) -> Callable:
    """Builds the jitted ``step(train_state, sums, x, y) -> (train_state, sums)``.

    ``apply_fn(params, state, *inputs, key=..., train=True) -> (outputs, state)``
    is a layer's ``apply``; ``loss_fn(outputs, labels)`` returns per-sample
    losses whose mean is minimised. ``x`` may be an array or a tuple of arrays.

    Examples:
        >>> import jax, jax.numpy as jnp, optax
        >>> from mxjax import layers as L, losses
        >>> from mxjax.train import TrainState, make_train_step, zero_sums
        >>> net = L.Dense(2)
        >>> x, y = jnp.ones((4, 3)), jnp.array([0, 1, 0, 1])
        >>> p, s = net.init(jax.random.key(0), x)
        >>> tx = optax.sgd(0.1)
        >>> ts = TrainState(p, s, tx.init(p), jax.random.key(1), jnp.zeros((), jnp.int32))
        >>> step = make_train_step(net.apply, losses.softmax_cross_entropy, tx, {})
        >>> ts, sums = step(ts, zero_sums([]), x, y)
        >>> int(sums["count"])
        4
    """
    return jit_step(train_step_fn(apply_fn, loss_fn, tx, metrics))


def jit_step(
    step: Callable,
    *,
    gather: bool = False,
    replicated=None,
    batch=None,
    with_outputs: bool = False,
) -> Callable:
    """The one ``jax.jit`` wrapper around a train step (every runner compiles through it).

    The train state and the metric sums (arguments 0 and 1) are donated.
    With ``gather`` the compiled signature is ``(ts, sums, x_all, y_all, perm,
    offset)``: ``perm[sums['batch'] - offset]`` holds the sample indices of
    this step, so the arrays are uploaded once per fit and a step needs no
    host-to-device copy. An index of -1 marks a padded row: a smaller last
    batch runs the same program and the step trains on its real rows only. ``replicated``/``batch`` are the shardings of the
    state and of a batch for data-parallel programs (None: one device).

    Examples:
        >>> import jax, jax.numpy as jnp, optax
        >>> from mxjax import layers as L, losses
        >>> from mxjax.train import TrainState, jit_step, train_step_fn, zero_sums
        >>> net = L.Dense(2)
        >>> p, s = net.init(jax.random.key(0), jnp.ones((1, 3)))
        >>> ts = TrainState(p, s, optax.sgd(0.1).init(p), jax.random.key(1), jnp.zeros((), jnp.int32))
        >>> run = jit_step(train_step_fn(net.apply, losses.softmax_cross_entropy, optax.sgd(0.1), {}), gather=True)
        >>> perm = jnp.arange(4, dtype=jnp.int32).reshape(2, 2)
        >>> ts, sums = run(ts, zero_sums([]), jnp.ones((4, 3)), jnp.zeros(4, jnp.int32), perm, jnp.int32(0))
        >>> int(sums["count"])
        2
    """
    fn = step
    if gather:

        def fn(ts, sums, xa, ya, perm, offset):
            idx = jax.lax.dynamic_index_in_dim(perm, sums["batch"] - offset, keepdims=False)
            # -1 marks the padding of a smaller last batch: rows of sample 0, masked out
            keep = idx >= 0
            idx = jnp.maximum(idx, 0)

            def take(a):
                a = jnp.take(a, idx, axis=0)
                return a if batch is None else jax.lax.with_sharding_constraint(a, batch)

            return step(ts, sums, jax.tree.map(take, xa), take(ya), keep)

    if replicated is None:
        return jax.jit(fn, donate_argnums=(0, 1))
    rep, bat = replicated, batch
    ins = (rep,) * 6 if gather else (rep, rep, bat, bat)
    outs = (rep, rep, bat, bat) if with_outputs else (rep, rep)
    return jax.jit(fn, in_shardings=ins, out_shardings=outs, donate_argnums=(0, 1))


def train_step_fn(apply_fn, loss_fn, tx, metrics, with_outputs: bool = False):
    """The un-jitted train step ``step(ts, sums, x, y) -> (ts, sums)``.

    Shared by every runner (compile it with :func:`jit_step`). With
    ``with_outputs`` it also returns the network outputs and the per-sample
    losses (for the Estimator's event handlers).

    Examples:
        >>> import optax
        >>> from mxjax import layers as L, losses
        >>> from mxjax.train import train_step_fn
        >>> callable(train_step_fn(L.Dense(2).apply, losses.l2_loss, optax.sgd(0.1), {}))
        True
    """

    def step(ts: TrainState, sums, x, y, keep=None):
        # keep: a row mask of a padded last batch (rows past the data are not trained on)
        key, sub = jax.random.split(ts.key)

        def objective(params):
            out, new_state = apply_fn(params, ts.state, *_as_args(x), key=sub, train=True)
            per = _per_sample(loss_fn, out, y)
            if keep is None:
                return jnp.mean(per), (out, new_state, per)
            # where, not a product: no gradient reaches the padded rows
            mean = jnp.sum(jnp.where(keep, per, 0.0)) / jnp.sum(keep).astype(per.dtype)
            return mean, (out, new_state, per)

        (_, (out, new_state, per)), grads = jax.value_and_grad(objective, has_aux=True)(ts.params)
        updates, opt_state = tx.update(grads, ts.opt_state, ts.params)
        params = optax.apply_updates(ts.params, updates)
        sums = _accumulate(sums, jax.lax.stop_gradient(per), out, y, metrics, keep=keep)
        new_ts = TrainState(params, new_state, opt_state, key, ts.step + 1)
        if with_outputs:
            return new_ts, sums, jax.lax.stop_gradient(out), jax.lax.stop_gradient(per)
        return new_ts, sums

    return step


def make_eval_step(
    apply_fn: Callable, loss_fn: Callable | None, metrics: dict[str, Callable]
) -> Callable:
    """Builds the jitted ``eval_step(params, state, sums, x, y, valid=None) -> sums`` (inference mode).

    ``valid`` (an int32 scalar) counts only the first ``valid`` rows of the
    batch: a smaller last batch padded to the common size runs the same
    program and its padding adds nothing to the sums.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L, losses
        >>> from mxjax.train import make_eval_step, zero_sums
        >>> net = L.Dense(2)
        >>> p, s = net.init(jax.random.key(0), jnp.ones((4, 3)))
        >>> ev = make_eval_step(net.apply, losses.softmax_cross_entropy, {})
        >>> int(ev(p, s, zero_sums([]), jnp.ones((4, 3)), jnp.zeros(4, jnp.int32))["count"])
        4
    """

    def step(params, state, sums, x, y, valid=None):
        out, _ = apply_fn(params, state, *_as_args(x), train=False)
        per = _per_sample(loss_fn, out, y) if loss_fn is not None else jnp.zeros((out.shape[0],))
        return _accumulate(sums, per, out, y, metrics, valid)

    return jax.jit(step, donate_argnums=(2,))
