"""``gluon.contrib.nn.SyncBatchNorm``: batch statistics over every device of a step.

In the imperative multi-context loop (``split_and_load``, one forward per
context under ``autograd.record()``), each context's call joins a
:class:`~mxjax._src.deferred.Collective`. When the step's graph runs, the
per-channel sums of all devices are added (small ``(C,)`` vectors copied
between devices), every device normalizes with the global mean and biased
variance, and the backward pass adds the devices' statistic gradients the
same way. Each device keeps its own ``gamma``/``beta`` gradients and running
statistics (all equal), as in MXNet; ``Trainer.step`` all-reduces the
gradients.

Under ``fit(devices=...)``, ``Estimator(context=[...])`` and the
``mxjax.parallel`` step the batch is one array sharded over the devices, so
the statistics are global already and SyncBatchNorm computes exactly what
BatchNorm does there.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from mxjax._src import deferred
from mxjax._src.errors import MXJaxError
from mxjax._src.gluon import _bridge as B
from mxjax._src.gluon.nn import BatchNorm
from mxjax._src.layers.norm import _affine, expand_to

__all__ = ["SyncBatchNorm"]

_F32 = jnp.float32


@partial(jax.jit, static_argnums=(1,))
def _sum(x, axes):
    return jnp.sum(x.astype(_F32), axis=axes)


def _sqdev(x, mean, axis, axes):
    return jnp.sum(jnp.square(x.astype(_F32) - expand_to(mean, x.ndim, axis)), axis=axes)


_sqdev_fwd = jax.jit(_sqdev, static_argnums=(2, 3))


@partial(jax.jit, static_argnums=(3, 4))
def _sqdev_bwd(x, mean, dq, axis, axes):
    _, pull = jax.vjp(lambda a, m: _sqdev(a, m, axis, axes), x, mean)
    return pull(dq)


@partial(jax.jit, static_argnums=(2,))
def _bcast(ds, x, axis):
    return jnp.broadcast_to(expand_to(ds, x.ndim, axis), x.shape).astype(x.dtype)


def _norm(x, gamma, beta, mean, var, axis, eps, scale, center):
    y = (x.astype(_F32) - expand_to(mean, x.ndim, axis)) * expand_to(
        jax.lax.rsqrt(var + eps), x.ndim, axis
    )
    g = gamma if scale else jnp.ones_like(gamma)
    return _affine(y, g, beta, x.ndim, axis, True, center).astype(x.dtype)


_norm_fwd = jax.jit(_norm, static_argnums=(5, 6, 7, 8))


@partial(jax.jit, static_argnums=(6, 7, 8, 9))
def _norm_bwd(x, gamma, beta, mean, var, dy, axis, eps, scale, center):
    _, pull = jax.vjp(lambda *a: _norm(*a, axis, eps, scale, center), x, gamma, beta, mean, var)
    return pull(dy)


@jax.jit
def _running(r, batch, momentum):
    return (momentum * r.astype(_F32) + (1 - momentum) * batch).astype(r.dtype)


def _device(x):
    return next(iter(x.devices()))


def _allsum(vals: list, dev) -> jax.Array:
    """Adds per-device vectors on ``dev``."""
    total = vals[0] if _device(vals[0]) == dev else jax.device_put(vals[0], dev)
    for v in vals[1:]:
        total = total + jax.device_put(v, dev)
    return total


def _gathered_sum(v, axis_name: str, n: int):
    """``_allsum`` inside a program over the devices: the members' values added in order."""
    every = jax.lax.all_gather(v, axis_name)
    total = every[0]
    for i in range(1, n):
        total = total + every[i]
    return total


def _spmd_stats(x, axis, axes, axis_name, n, count):
    mean = _gathered_sum(_sum(x, axes), axis_name, n) / count
    var = _gathered_sum(_sqdev(x, mean, axis, axes), axis_name, n) / count
    return mean, var


@partial(jax.custom_vjp, nondiff_argnums=(3, 4, 5, 6, 7, 8, 9, 10))
def _spmd_norm(x, gamma, beta, axis, axes, eps, scale, center, axis_name, n, count):
    mean, var = _spmd_stats(x, axis, axes, axis_name, n, count)
    return _norm(x, gamma, beta, mean, var, axis, eps, scale, center)


def _spmd_norm_fwd(x, gamma, beta, axis, axes, eps, scale, center, axis_name, n, count):
    mean, var = _spmd_stats(x, axis, axes, axis_name, n, count)
    y = _norm(x, gamma, beta, mean, var, axis, eps, scale, center)
    return y, (x, gamma, beta, mean, var)


def _spmd_norm_bwd(axis, axes, eps, scale, center, axis_name, n, count, res, dy):
    # _SyncStats.forward's backward, the sums over devices gathered in the same order
    x, gamma, beta, mean, var = res
    _, pull = jax.vjp(lambda *a: _norm(*a, axis, eps, scale, center), x, gamma, beta, mean, var)
    r3 = pull(dy)
    dq = _gathered_sum(r3[4], axis_name, n) / count
    _, pull2 = jax.vjp(lambda a, m: _sqdev(a, m, axis, axes), x, mean)
    r2 = pull2(dq)
    ds = _gathered_sum(r3[3] + r2[1], axis_name, n) / count
    dx = r3[0] + r2[0] + _bcast(ds, x, axis)
    return dx, r3[1], r3[2]


_spmd_norm.defvjp(_spmd_norm_fwd, _spmd_norm_bwd)


@dataclasses.dataclass(frozen=True)
class _SyncForm:
    """One member of a SyncBatchNorm call inside a program over the devices (``spmd_form``)."""

    name: str
    n: int
    core: Any

    def __call__(self, d, c, axis_name):
        x, gamma, beta = d
        core, n = self.core, self.n
        axis = core.axis % x.ndim
        axes = tuple(i for i in range(x.ndim) if i != axis)
        count = n * (x.size // x.shape[axis])  # every member's part has this shape
        eps, scale, center = float(core.epsilon), bool(core.scale), bool(core.center)
        y = _spmd_norm(x, gamma, beta, axis, axes, eps, scale, center, axis_name, n, count)
        mean, var = _spmd_stats(jax.lax.stop_gradient(x), axis, axes, axis_name, n, count)
        mom = jnp.float32(core.momentum)
        return y, _running(c[0], mean, mom), _running(c[1], var, mom)


class _SyncStats(deferred.Collective):
    """One SyncBatchNorm call over ``n`` devices: inputs ``(x, gamma, beta)`` and
    state ``(running_mean, running_var)`` per device."""

    d_per, c_per, aux_per = 3, 2, 2

    def __init__(self, name: str, n: int, core: Any):
        super().__init__()
        self.name, self.n, self.core = name, n, core

    def member_avals(self, d, c):
        x = d[0]
        return [jax.ShapeDtypeStruct(x.shape, x.dtype)] + [
            jax.ShapeDtypeStruct(v.shape, v.dtype) for v in c
        ]

    def incomplete(self, node, missing) -> MXJaxError:
        absent = sorted({i // self.d_per for i in missing})
        ran = sorted(self.joined)
        return MXJaxError(
            f"SyncBatchNorm {self.name!r} (num_devices={self.n}): its output is needed before "
            f"every device ran the forward pass of this step (devices {ran} did, {absent} did "
            "not). Run the forward pass on every context before using any output (call "
            "backward or read values after the loop over contexts)"
        )

    def forward(self, d, c):
        core, n = self.core, self.n
        xs, gs, bs = list(d[0::3]), list(d[1::3]), list(d[2::3])
        axis = core.axis % xs[0].ndim
        axes = tuple(i for i in range(xs[0].ndim) if i != axis)
        for i, x in enumerate(xs):
            if x.ndim != xs[0].ndim or x.shape[axis] != xs[0].shape[axis]:
                raise ValueError(
                    f"SyncBatchNorm {self.name!r}: every device needs the same channels on axis "
                    f"{axis}; device 0 has input shape {tuple(xs[0].shape)}, device {i} "
                    f"{tuple(x.shape)}"
                )
        devs = [_device(x) for x in xs]
        count = sum(x.size // x.shape[axis] for x in xs)
        eps, scale, center = float(core.epsilon), bool(core.scale), bool(core.center)
        mean = _allsum([_sum(x, axes) for x in xs], devs[0]) / count
        means = [jax.device_put(mean, dv) for dv in devs]
        var = _allsum([_sqdev_fwd(x, m, axis, axes) for x, m in zip(xs, means)], devs[0]) / count
        vars_ = [jax.device_put(var, dv) for dv in devs]
        ys = tuple(
            _norm_fwd(x, g, b, m, v, axis, eps, scale, center)
            for x, g, b, m, v in zip(xs, gs, bs, means, vars_)
        )
        mom = jnp.float32(core.momentum)
        aux = []
        for rm, rv, m, v in zip(c[0::2], c[1::2], means, vars_):
            aux += [_running(rm, m, mom), _running(rv, v, mom)]

        def backward(cts):
            r3 = [
                _norm_bwd(x, g, b, m, v, dy, axis, eps, scale, center)
                for x, g, b, m, v, dy in zip(xs, gs, bs, means, vars_, cts)
            ]
            dq = _allsum([r[4] for r in r3], devs[0]) / count
            r2 = [
                _sqdev_bwd(x, m, jax.device_put(dq, dv), axis, axes)
                for x, m, dv in zip(xs, means, devs)
            ]
            ds = _allsum([a[3] + b[1] for a, b in zip(r3, r2)], devs[0]) / count
            out = []
            for x, dv, a, b in zip(xs, devs, r3, r2):
                dx = a[0] + b[0] + _bcast(jax.device_put(ds, dv), x, axis)
                out += [dx, a[1], a[2]]
            return tuple(out)

        del n
        return ys, tuple(aux), backward

    def spmd_form(self):
        return _SyncForm(self.name, self.n, self.core)


class SyncBatchNorm(BatchNorm):
    """Gluon's ``contrib.nn.SyncBatchNorm``: BatchNorm with statistics over all devices.

    The channel axis is 1 (NCHW), as in MXNet.

    Args:
        in_channels: number of channels (0 infers it).
        num_devices: how many contexts share the statistics (default: the
            number of GPUs, at least 1). The parameters must live on exactly
            this many contexts (``net.initialize(ctx=ctx_list)``).
        momentum: running-average momentum, as :class:`~mxjax.gluon.nn.BatchNorm`.
        epsilon: added to the variance.
        center: whether ``beta`` is learned.
        scale: whether ``gamma`` is used.
        use_global_stats: always use the running statistics (no synchronisation).
        beta_initializer: initializer of ``beta``.
        gamma_initializer: initializer of ``gamma``.
        running_mean_initializer: initializer of the running mean.
        running_variance_initializer: initializer of the running variance.

    In the multi-context loop, run every context's forward pass before using
    any output (as the loop over ``split_and_load``'s pieces does); the
    statistics are computed when backward, ``Trainer.step`` or a read needs
    them. With one device it is BatchNorm.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax import autograd
        >>> from mxjax.gluon.contrib.nn import SyncBatchNorm
        >>> bn = SyncBatchNorm(in_channels=2, num_devices=1)
        >>> bn.initialize()
        >>> with autograd.record():
        ...     y = bn(mx.nd.array([[1.0, 2.0], [3.0, 6.0]]))
        >>> y.asnumpy().round(3).tolist()
        [[-1.0, -1.0], [1.0, 1.0]]
    """

    _is_sync = True

    def __init__(
        self,
        in_channels: int = 0,
        num_devices: int | None = None,
        momentum: float = 0.9,
        epsilon: float = 1e-5,
        center: bool = True,
        scale: bool = True,
        use_global_stats: bool = False,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        running_mean_initializer: Any = "zeros",
        running_variance_initializer: Any = "ones",
        **kwargs: Any,
    ):
        super().__init__(
            axis=1,
            momentum=momentum,
            epsilon=epsilon,
            center=center,
            scale=scale,
            use_global_stats=use_global_stats,
            beta_initializer=beta_initializer,
            gamma_initializer=gamma_initializer,
            running_mean_initializer=running_mean_initializer,
            running_variance_initializer=running_variance_initializer,
            in_channels=in_channels,
            **kwargs,
        )
        if num_devices is None:
            from mxjax._src import context as _ctx

            num_devices = max(1, _ctx.num_gpus())
        if isinstance(num_devices, bool) or not isinstance(num_devices, int) or num_devices < 1:
            raise ValueError(
                f"SyncBatchNorm: num_devices must be a positive int; received {num_devices!r}"
            )
        self._num_devices = num_devices
        self._collective: _SyncStats | None = None

    @property
    def num_devices(self) -> int:
        """How many contexts share the batch statistics."""
        return self._num_devices

    def _syncs(self) -> bool:
        return (
            self._num_devices > 1
            and not self._core.use_global_stats
            and B.current_trace() is None
            and B.is_training()
        )

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not self._syncs():
            return super().__call__(x, *args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            hook(self, (x,))
        out = self._sync_forward(x)
        for hook in list(self._forward_hooks.values()):
            hook(self, (x,), out)
        return out

    def _sync_forward(self, x: Any) -> Any:
        if not B.is_recording():
            raise MXJaxError(
                f"SyncBatchNorm {self.name!r} (num_devices={self._num_devices}) in training mode "
                "needs autograd.record(): the devices' statistics are combined when the "
                "recorded step runs (use autograd.predict_mode() for inference)"
            )
        if not B.is_ndarray(x):
            x = B.wrap(B.as_jnp(x))
        self._ensure_init((x,))
        gamma = self._param("gamma")
        ctxs = gamma.list_ctx()
        if len(ctxs) != self._num_devices:
            raise ValueError(
                f"SyncBatchNorm {self.name!r}: num_devices={self._num_devices} but its parameters "
                f"live on {len(ctxs)} context(s) {ctxs}; initialize the network on "
                f"{self._num_devices} contexts"
            )
        ctx = x.context
        i = gamma._index(ctx)
        coll = self._collective
        if coll is None or coll.full() or i in coll.joined:
            coll = self._collective = _SyncStats(self.name, self._num_devices, self._core)
        names = ("gamma", "beta", "running_mean", "running_var")
        g, b, rm, rv = (self._param(n).data(ctx) for n in names)
        out = B.join_collective(coll, i, [x, g, b], [rm, rv], [rm, rv], next(iter(g.jax.devices())))
        if out is None:
            raise MXJaxError(
                f"SyncBatchNorm {self.name!r}: combining the devices' statistics needs deferred "
                "recording, which is turned off (mxjax._src.deferred.set_enabled(False))"
            )
        return out
