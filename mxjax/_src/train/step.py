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
import optax

__all__ = ["TrainState", "lr_factor", "make_eval_step", "make_train_step", "zero_sums"]


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


class LRFactorState(NamedTuple):
    """State of :func:`lr_factor`: the current multiplier of the updates."""

    factor: jax.Array


def lr_factor() -> optax.GradientTransformation:
    """Scales updates by a factor held in the optimizer state (1.0 at init).

    Callbacks such as ``ReduceLROnPlateau`` change the factor between steps
    without recompiling the step (it is data, not a constant).

    Examples:
        >>> import jax.numpy as jnp, optax
        >>> from mxjax.train import lr_factor
        >>> tx = optax.chain(optax.sgd(1.0), lr_factor())
        >>> st = tx.init({"w": jnp.ones(2)})
        >>> float(st[1].factor)
        1.0
    """

    def init(params):
        del params
        return LRFactorState(jnp.ones((), jnp.float32))

    def update(updates, state, params=None):
        del params
        return jax.tree.map(lambda u: u * state.factor.astype(u.dtype), updates), state

    return optax.GradientTransformation(init, update)


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
    sums = {n: jnp.zeros((), jnp.float32) for n in ("loss", *names, "count")}
    sums["batch"] = jnp.zeros((), jnp.int32)
    return sums


def _accumulate(sums, per_loss, out, y, metrics):
    new = dict(sums)
    new["loss"] = sums["loss"] + jnp.sum(per_loss.astype(jnp.float32))
    for name, fn in metrics.items():
        new[name] = sums[name] + jnp.sum(fn(out, y).astype(jnp.float32))
    new["count"] = sums["count"] + per_loss.shape[0]
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
    return jax.jit(_train_step_fn(apply_fn, loss_fn, tx, metrics), donate_argnums=(0, 1))


def _train_step_fn(apply_fn, loss_fn, tx, metrics, with_outputs: bool = False):
    """The un-jitted train step (shared by the single- and multi-device versions).

    With ``with_outputs`` it also returns the network outputs and the
    per-sample losses (for the Estimator's event handlers).
    """

    def step(ts: TrainState, sums, x, y):
        key, sub = jax.random.split(ts.key)

        def objective(params):
            out, new_state = apply_fn(params, ts.state, *_as_args(x), key=sub, train=True)
            per = _per_sample(loss_fn, out, y)
            return jnp.mean(per), (out, new_state, per)

        (_, (out, new_state, per)), grads = jax.value_and_grad(objective, has_aux=True)(ts.params)
        updates, opt_state = tx.update(grads, ts.opt_state, ts.params)
        params = optax.apply_updates(ts.params, updates)
        sums = _accumulate(sums, jax.lax.stop_gradient(per), out, y, metrics)
        new_ts = TrainState(params, new_state, opt_state, key, ts.step + 1)
        if with_outputs:
            return new_ts, sums, jax.lax.stop_gradient(out), jax.lax.stop_gradient(per)
        return new_ts, sums

    return step


def make_eval_step(
    apply_fn: Callable, loss_fn: Callable | None, metrics: dict[str, Callable]
) -> Callable:
    """Builds the jitted ``eval_step(params, state, sums, x, y) -> sums`` (inference mode).

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

    def step(params, state, sums, x, y):
        out, _ = apply_fn(params, state, *_as_args(x), train=False)
        per = _per_sample(loss_fn, out, y) if loss_fn is not None else jnp.zeros((out.shape[0],))
        return _accumulate(sums, per, out, y, metrics)

    return jax.jit(step, donate_argnums=(2,))
