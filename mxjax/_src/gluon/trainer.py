"""Gluon's ``Trainer``: MXNet update semantics compiled as one jitted update.

``step(batch_size)`` sums gradients over contexts, rescales them by
``rescale_grad / batch_size``, clips them, adds ``wd * wd_mult * weight`` and
applies the optimizer with ``learning_rate * lr_mult``, for all parameters in
one ``jax.jit`` call. The learning rate, rescale factor and step count are
traced arguments, so ``set_learning_rate`` or a new batch size never
recompile.
"""

from __future__ import annotations

import os
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.gluon import _bridge as B
from mxjax._src.gluon.parameter import Parameter, ParameterDict

__all__ = ["Trainer"]


def _sgd_init(w, momentum):
    return {"mom": jnp.zeros_like(w)} if momentum else {}


def _sgd_update(w, g, s, lr, t, hp):
    del t
    if hp.get("momentum", 0.0):
        mom = hp["momentum"] * s["mom"] - lr * g
        return w + mom, {"mom": mom}
    return w - lr * g, s


def _adam_init(w, _):
    return {"mean": jnp.zeros_like(w), "var": jnp.zeros_like(w)}


def _adam_update(w, g, s, lr, t, hp):
    b1, b2, eps = hp.get("beta1", 0.9), hp.get("beta2", 0.999), hp.get("epsilon", 1e-8)
    m = b1 * s["mean"] + (1 - b1) * g
    v = b2 * s["var"] + (1 - b2) * g * g
    lr_t = lr * jnp.sqrt(1 - b2**t) / (1 - b1**t)
    return w - lr_t * m / (jnp.sqrt(v) + eps), {"mean": m, "var": v}


# name -> (init, update, gradient-side wd/clip handled by the Trainer, hyperparameter names)
_BUILTIN = {
    "sgd": (_sgd_init, _sgd_update, ("momentum",)),
    "adam": (_adam_init, _adam_update, ("beta1", "beta2", "epsilon")),
}
_COMMON = (
    "learning_rate",
    "wd",
    "rescale_grad",
    "clip_gradient",
    "lr_scheduler",
    "multi_precision",
)


class Trainer:
    """Applies an optimizer to a set of Parameters (Gluon's ``Trainer``).

    Args:
        params: a ParameterDict (``net.collect_params()``), a dict or a list of Parameters.
        optimizer: an optimizer name (``'sgd'``, ``'adam'``).
        optimizer_params: ``learning_rate``, ``wd``, ``momentum``, ``rescale_grad``,
            ``clip_gradient``, ``beta1`` ...
        kvstore: ``'device'``/``'local'`` (gradients are summed across contexts).
        compression_params: accepted for compatibility; must be None.
        update_on_kvstore: accepted for compatibility.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax import autograd, gluon
        >>> net = gluon.nn.Dense(1, in_units=2)
        >>> net.initialize(mx.init.One())
        >>> trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
        >>> with autograd.record():
        ...     loss = net(mx.nd.ones((4, 2))).sum()
        >>> loss.backward()
        >>> trainer.step(4)
        >>> net.weight.data().asnumpy().tolist()
        [[0.8999999761581421, 0.8999999761581421]]
    """

    def __init__(
        self,
        params: Any,
        optimizer: Any,
        optimizer_params: dict | None = None,
        kvstore: Any = "device",
        compression_params: Any = None,
        update_on_kvstore: Any = None,
    ):
        if isinstance(params, (dict, ParameterDict)):
            params = list(params.values())
        if not isinstance(params, (list, tuple)):
            raise TypeError(
                "Trainer: params must be a ParameterDict, a dict or a list of Parameters; "
                f"received {type(params).__name__}"
            )
        seen: dict = {}
        for p in params:
            if not isinstance(p, Parameter):
                raise TypeError(
                    f"Trainer: params must contain Parameters; received {type(p).__name__}"
                )
            seen.setdefault(id(p), p)
        self._params = list(seen.values())
        if compression_params is not None:
            raise ValueError(
                f"Trainer: compression_params is not supported; expected None, received "
                f"{compression_params!r}"
            )
        if kvstore not in ("device", "local", None, False) and not hasattr(kvstore, "type"):
            raise ValueError(
                f"Trainer: kvstore must be 'device', 'local' or None; received {kvstore!r}"
            )
        self._kvstore = kvstore
        self._update_on_kvstore = update_on_kvstore
        self._init_optimizer(optimizer, dict(optimizer_params or {}))
        self._states: list | None = None
        self._t = 0
        self._jit = None

    def _init_optimizer(self, optimizer: Any, op: dict) -> None:
        if not isinstance(optimizer, str):
            raise TypeError(
                f"Trainer: optimizer must be a name such as 'sgd' or 'adam'; received "
                f"{type(optimizer).__name__}"
            )
        name = optimizer.lower()
        if name not in _BUILTIN:
            raise ValueError(
                f"Trainer: unknown optimizer {optimizer!r}; expected one of {sorted(_BUILTIN)}"
            )
        init, update, hp_names = _BUILTIN[name]
        unknown = set(op) - set(hp_names) - set(_COMMON)
        if unknown:
            raise ValueError(
                f"Trainer: optimizer {optimizer!r} got unknown optimizer_params "
                f"{sorted(unknown)}; expected some of {sorted(set(hp_names) | set(_COMMON))}"
            )
        self._opt_name = name
        self._opt_init, self._opt_update = init, update
        self._hp = {k: float(op[k]) for k in hp_names if k in op}
        self._lr = float(op.get("learning_rate", 0.01 if name == "sgd" else 0.001))
        self._wd = float(op.get("wd", 0.0))
        self._rescale = float(op.get("rescale_grad", 1.0))
        self._clip = op.get("clip_gradient")
        self._scheduler = op.get("lr_scheduler")

    # ------------------------------------------------------------------- API
    @property
    def learning_rate(self) -> float:
        """The current learning rate."""
        if self._scheduler is not None:
            return float(self._scheduler(self._t))
        return self._lr

    def set_learning_rate(self, lr: float) -> None:
        """Sets the learning rate (no recompilation)."""
        self._lr = float(lr)

    @property
    def optimizer(self) -> str:
        """The optimizer's name."""
        return self._opt_name

    def step(self, batch_size: int, ignore_stale_grad: bool = False) -> None:
        """Reduces gradients across contexts, rescales by ``1/batch_size`` and updates."""
        self._update(batch_size, ignore_stale_grad, reduce=True)

    def allreduce_grads(self) -> None:
        """Sums gradients across contexts (the first half of :meth:`step`)."""
        for p in self._params:
            if p.grad_req == "null" or p._data is None or len(p._data) < 2:
                continue
            total = sum(B.to_jax(d.grad) for d in p._data)
            for d in p._data:
                B.assign(d.grad, total)

    def update(self, batch_size: int, ignore_stale_grad: bool = False) -> None:
        """Updates from already reduced gradients (the second half of :meth:`step`)."""
        self._update(batch_size, ignore_stale_grad, reduce=False)

    # -------------------------------------------------------------- internals
    def _active(self) -> list:
        return [p for p in self._params if p.grad_req != "null"]

    def _update(self, batch_size: int, ignore_stale_grad: bool, reduce: bool) -> None:
        params = self._active()
        fresh = []
        for p in params:
            p._check_initialized()
            ok = all(B.is_fresh(d) for d in p._data)
            if not ok and not ignore_stale_grad:
                raise UserWarning(
                    f"Gradient of Parameter `{p.name}` on context {p._ctx[0]} has not been "
                    "updated by backward since last `step`. This could mean a bug in your "
                    "model that made it only use a subset of the Parameters (Blocks) for this "
                    "iteration. If you are intentionally only using a subset, call step with "
                    "ignore_stale_grad=True to suppress this warning and skip updating of "
                    "Parameters with stale gradient"
                )
            fresh.append(ok)
        if self._states is None:
            self._states = [
                self._opt_init(p._data[0].jax, self._hp.get("momentum")) for p in params
            ]
        if self._jit is None:
            self._jit = jax.jit(self._make_update(params), donate_argnums=(2,))
        weights = tuple(p._data[0].jax for p in params)
        if reduce:
            grads = tuple(
                sum(B.to_jax(d.grad) for d in p._data)
                if len(p._data) > 1
                else B.to_jax(p._data[0].grad)
                for p in params
            )
        else:
            grads = tuple(B.to_jax(p._data[0].grad) for p in params)
        self._t += 1
        lr = jnp.float32(self.learning_rate)
        rescale = jnp.float32(self._rescale / batch_size)
        mask = jnp.asarray(fresh, dtype=bool)
        new_w, self._states = self._jit(
            weights, grads, self._states, lr, rescale, jnp.float32(self._t), mask
        )
        for p, w in zip(params, new_w):
            p._set_values([w] * len(p._data))
            for d in p._data:
                B.mark_stale(d)

    def _make_update(self, params: list):
        mults = [(float(p.lr_mult), float(p.wd_mult)) for p in params]
        wd, clip, hp, update = self._wd, self._clip, dict(self._hp), self._opt_update

        def run(weights, grads, states, lr, rescale, t, mask):
            new_w, new_s = [], []
            for i, (w, g, s) in enumerate(zip(weights, grads, states)):
                lr_mult, wd_mult = mults[i]
                g = g.astype(w.dtype) * rescale
                if clip is not None:
                    g = jnp.clip(g, -clip, clip)
                g = g + (wd * wd_mult) * w
                nw, ns = update(w, g, s, lr * lr_mult, t, hp)
                keep = mask[i]
                new_w.append(jnp.where(keep, nw, w).astype(w.dtype))
                new_s.append(jax.tree_util.tree_map(lambda a, b, k=keep: jnp.where(k, a, b), ns, s))
            return tuple(new_w), new_s

        return run

    def save_states(self, fname: str) -> None:
        """Saves optimizer states to an ``.npz`` file (no pickle), atomically."""
        flat = {"__t__": np.asarray(self._t), "__lr__": np.asarray(self._lr)}
        for i, s in enumerate(self._states or []):
            for k, v in s.items():
                flat[f"{i}/{k}"] = np.asarray(jax.device_get(v))
        tmp = fname + ".tmp.npz"
        np.savez(tmp, **flat)
        os.replace(tmp, fname)

    def load_states(self, fname: str) -> None:
        """Loads states written by :meth:`save_states` (``allow_pickle=False``)."""
        with np.load(fname, allow_pickle=False) as f:
            data = {k: f[k] for k in f.files}
        self._t = int(data.pop("__t__"))
        self._lr = float(data.pop("__lr__"))
        params = self._active()
        states = [self._opt_init(p._data[0].jax, self._hp.get("momentum")) for p in params]
        for k, v in data.items():
            i, name = k.split("/", 1)
            i = int(i)
            if i >= len(states) or name not in states[i]:
                raise ValueError(
                    f"Trainer.load_states: {fname!r} holds state {k!r} that does not match "
                    f"this Trainer's {len(states)} parameters"
                )
            states[i][name] = jnp.asarray(v)
        self._states = states
