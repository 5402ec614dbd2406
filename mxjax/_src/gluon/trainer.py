"""Gluon's ``Trainer`` over ``mx.optimizer``'s optax transformations.

``step(batch_size)`` sums gradients over contexts, sets the optimizer's
``rescale_grad`` to ``scale / batch_size`` and applies the optimizer's optax
transformation (rescale, clip, ``wd * wd_mult`` L2, ``learning_rate * lr_mult``)
to all parameters in one ``jax.jit`` call. Each parameter has its own optax
state, so a stale parameter can be skipped (``ignore_stale_grad``) inside the
same compiled update. ``learning_rate``, ``wd`` and ``rescale_grad`` are traced
arguments: ``set_learning_rate``, a scheduler or a new batch size never
recompile.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from mxjax import optimizer as _opt
from mxjax._src.gluon import _bridge as B
from mxjax._src.gluon.parameter import Parameter
from mxjax._src.gluon.parameter_dict import ParameterDict
from mxjax._src.gluon.trainer_kv import choose_store
from mxjax._src.host_eval import host_eval
from mxjax._src.host_random import copy_array
from mxjax._src.kvstore import KVStore, KVStoreBase
from mxjax._src.optim.imperative import Updater
from mxjax._src.validate import check_hyperparams, check_number

__all__ = ["Trainer"]


def _device(x: jax.Array):
    return next(iter(x.devices()))


def _run_contexts(params: list) -> None:
    """Computes the pending gradients of every context as one program over their devices."""
    if any(p._data is not None and len(p._data) > 1 for p in params):
        B.run_contexts([d.grad for p in params if p._data is not None for d in p._data])


def _reduce(grads: list) -> jax.Array:
    """Sums per-context gradients on the first context's device (kvstore 'device')."""
    first = B.to_jax(grads[0])
    if len(grads) == 1:
        return first
    dev = _device(first)
    return sum((jax.device_put(B.to_jax(g), dev) for g in grads[1:]), first)


def _is_key(x: Any) -> bool:
    return jnp.issubdtype(x.dtype, jax.dtypes.prng_key)


class Trainer:
    """Applies an optimizer to a set of Parameters (Gluon's ``Trainer``).

    Args:
        params: a ParameterDict (``net.collect_params()``), a dict or a list of Parameters.
        optimizer: an optimizer name (``'sgd'``, ``'adam'`` ...) or an
            ``mx.optimizer.Optimizer``.
        optimizer_params: the optimizer's arguments (``learning_rate``, ``wd``,
            ``momentum``, ``rescale_grad``, ``clip_gradient`` ...).
        kvstore: ``'device'``/``'local'`` (gradients are summed across contexts).
        compression_params: accepted for compatibility; must be None.
        update_on_kvstore: accepted for compatibility.
        check_nan: before each update, check that every gradient is finite and
            raise :class:`FloatingPointError` (naming the parameter) instead of
            updating; the weights and optimizer states stay as they were. It
            reads the gradients on the host once per step, so it is off by
            default.

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
        check_nan: bool = False,
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
        for p in self._params:
            p._set_trainer(self)
        if compression_params is not None:
            raise ValueError(
                f"Trainer: compression_params is not supported; expected None, received "
                f"{compression_params!r}"
            )
        if kvstore is False:
            kvstore = None
        if kvstore is not None and not isinstance(kvstore, (str, KVStoreBase)):
            raise TypeError(
                "Trainer: kvstore must be a store name such as 'device', a KVStore or None; "
                f"received {type(kvstore).__name__} {kvstore!r}"
            )
        if update_on_kvstore not in (None, True, False):
            raise TypeError(
                f"Trainer: update_on_kvstore must be None, True or False; received "
                f"{update_on_kvstore!r}"
            )
        self._kvstore_params = {"kvstore": kvstore, "update_on_kvstore": update_on_kvstore}
        self._reset_kvstore()
        self._check_nan = bool(check_nan)
        if optimizer_params is not None and not isinstance(optimizer_params, Mapping):
            raise TypeError(
                "Trainer: optimizer_params must be a dict such as {'learning_rate': 0.1}; "
                f"received {type(optimizer_params).__name__} {optimizer_params!r}"
            )
        check_hyperparams(optimizer_params or {}, "Trainer")
        self._init_optimizer(optimizer, dict(optimizer_params or {}))
        self._states: list | None = None
        self._jit = None
        self._run = None
        self._mults: list = []

    def _init_optimizer(self, optimizer: Any, op: dict) -> None:
        if isinstance(optimizer, _opt.Optimizer):
            if op:
                raise ValueError(
                    "Trainer: optimizer_params must be None if optimizer is an instance of "
                    f"Optimizer instead of str; received {op!r}"
                )
            self._optimizer = optimizer
        elif isinstance(optimizer, str):
            self._optimizer = _opt.create(optimizer, **op)
        else:
            raise TypeError(
                "Trainer: optimizer must be a name such as 'sgd' or an mx.optimizer.Optimizer; "
                f"received {type(optimizer).__name__}"
            )
        self._scale = float(self._optimizer.rescale_grad)
        # MXNet: the optimizer reads lr_mult/wd_mult of Parameter i (``_get_lr(i)``)
        self._optimizer.param_dict = dict(enumerate(self._params))

    # ------------------------------------------------------------------- API
    @property
    def learning_rate(self) -> float:
        """The current learning rate."""
        return self._optimizer.learning_rate

    def set_learning_rate(self, lr: float) -> None:
        """Sets the learning rate (no recompilation)."""
        self._optimizer.set_learning_rate(check_number(lr, "lr", "Trainer.set_learning_rate"))

    @property
    def optimizer(self):
        """The ``mx.optimizer.Optimizer``."""
        return self._optimizer

    def step(self, batch_size: int, ignore_stale_grad: bool = False) -> None:
        """Reduces gradients across contexts, rescales by ``1/batch_size`` and updates."""
        if not self._kv_initialized:
            self._init_kvstore()
        if self._custom_store():
            self._allreduce_on_store()
            self._update(batch_size, ignore_stale_grad, reduce=False)
            return
        self._update(batch_size, ignore_stale_grad, reduce=True)

    def allreduce_grads(self) -> None:
        """Sums gradients across contexts (the first half of :meth:`step`).

        Raises:
            AssertionError: when parameters are updated on the kvstore (as MXNet).
        """
        self._check_not_on_kvstore("allreduce_grads")
        if self._custom_store():
            self._allreduce_on_store()
            return
        _run_contexts(self._params)
        for p in self._params:
            if p.grad_req == "null" or p._data is None or len(p._data) < 2:
                continue
            total = _reduce([d.grad for d in p._data])
            for d in p._data:
                B.assign(d.grad, jax.device_put(total, _device(d.jax)))

    def update(self, batch_size: int, ignore_stale_grad: bool = False) -> None:
        """Updates from already reduced gradients (the second half of :meth:`step`).

        Raises:
            AssertionError: when parameters are updated on the kvstore (as MXNet).
        """
        self._check_not_on_kvstore("update")
        self._update(batch_size, ignore_stale_grad, reduce=False)

    # ---------------------------------------------------------------- kvstore
    def _check_not_on_kvstore(self, what: str) -> None:
        if not self._kv_initialized:
            self._init_kvstore()
        if self._kvstore is not None and self._update_on_kvstore:
            raise AssertionError(
                f"{what}() when parameters are updated on kvstore is not supported. Try "
                "setting `update_on_kvstore` to False when creating trainer."
            )

    def _contexts(self) -> list:
        for p in self._params:
            if p._data is not None:
                return list(p._ctx)
            if p._deferred is not None:
                return list(p._deferred[1])
        return []

    def _reset_kvstore(self) -> None:
        """Forgets the store set-up (MXNet does this when parameters get new values)."""
        kv = getattr(self, "_kvstore", None)
        if kv is not None and "dist" in kv.type:
            raise RuntimeError("Cannot reset distributed KVStore.")
        self._kv_initialized = False
        self._kvstore = None
        self._distributed = None
        self._update_on_kvstore = None
        self._params_to_init = list(self._params)

    def _init_kvstore(self) -> None:
        """Chooses the store and ``update_on_kvstore`` as MXNet's Trainer does.

        See :func:`~mxjax._src.gluon.trainer_kv.choose_store`. Either way the
        arithmetic is the same: the gradients summed over contexts, one update.
        """
        kv, update_on_kvstore = choose_store(
            self._kvstore_params, len(self._contexts()), self._params
        )
        if kv is not None and update_on_kvstore:
            kv._set_updater(_TrainerUpdater(self))
        self._kvstore, self._update_on_kvstore = kv, update_on_kvstore
        self._distributed = False
        self._kv_initialized = True
        self._params_to_init = []

    def _custom_store(self) -> bool:
        """A store of the user's own class: gradients are summed by its ``pushpull``."""
        return self._kvstore is not None and not isinstance(self._kvstore, KVStore)

    def _allreduce_on_store(self) -> None:
        for i, p in enumerate(self._params):
            if p.grad_req == "null" or p._data is None or len(p._data) < 2:
                continue
            grads = [d.grad for d in p._data]
            self._kvstore.pushpull(i, grads, out=grads)

    @property
    def _updaters(self) -> list:
        """MXNet's per-context updaters: views of this Trainer's optimizer states."""
        view = _TrainerUpdater(self)
        return [view for _ in (self._contexts() or [None])]

    def _mx_states(self) -> dict:
        """The optimizer state of each parameter index, in MXNet's layout (NDArray copies)."""
        if self._states is None:
            return {}
        index = {id(p): i for i, p in enumerate(self._params)}
        return {
            index[id(p)]: self._optimizer.mx_state_of(st, n)
            for p, st, n in zip(self._active(), self._states, self._tx_names)
        }

    # -------------------------------------------------------------- internals
    def _active(self) -> list:
        return [p for p in self._params if p.grad_req != "null"]

    def _update(self, batch_size: int, ignore_stale_grad: bool, reduce: bool) -> None:
        if (
            type(batch_size) is not int or batch_size < 1
        ):  # fast path for the common call, full check otherwise
            where = "Trainer.step" if reduce else "Trainer.update"
            batch_size = check_number(batch_size, "batch_size", where, minimum=0, strict=True)
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
        _run_contexts(params)
        scaler = getattr(self, "_amp_loss_scaler", None)  # set by amp.init_trainer
        if scaler is not None and scaler.has_overflow(params):
            return  # AMP: skip the update whose gradients overflowed (the scale was lowered)
        if self._check_nan:  # before anything changes (num_update included)
            self._raise_on_nonfinite(params, fresh, reduce)
        if self._states is None:
            self._build(params)
        elif self._mults != [(p.lr_mult, p.wd_mult) for p in params]:
            # Parameter.lr_mult/wd_mult changed since the build (MXNet reads them at every
            # update): new transforms over the same optimizer states.
            states = self._states
            self._build(params)
            self._states = states
        self._optimizer.rescale_grad = self._scale / batch_size
        hp = {k: np.float32(v) for k, v in self._optimizer.next_hyperparams().items()}
        mask = None if all(fresh) else np.asarray(fresh, dtype=bool)
        if mask is None and not self._check_nan and all(len(p._data) == 1 for p in params):
            # Gradients still pending from a deferred backward: forward, backward and
            # this update run as one compiled program.
            fused = B.fused_step([p._data[0] for p in params], self._run, self._states, hp, mask)
            if fused is not None:
                new_w, self._states = fused
                self._assign(params, new_w)
                return
        weights = tuple(p._data[0].jax for p in params)
        if reduce:
            grads = tuple(_reduce([d.grad for d in p._data]) for p in params)
        else:
            grads = tuple(B.to_jax(p._data[0].grad) for p in params)
        self._states, new_w = self._jit(weights, grads, self._states, hp, mask)
        self._assign(params, new_w)

    def _raise_on_nonfinite(self, params: list, fresh: list, reduce: bool) -> None:
        if reduce:
            grads = [_reduce([d.grad for d in p._data]) for p in params]
        else:
            grads = [B.to_jax(p._data[0].grad) for p in params]
        finite = jax.device_get([jnp.isfinite(g).all() for g in grads])
        for p, g, ok, used in zip(params, grads, finite, fresh):
            if used and not ok:
                bad = int(np.size(g) - np.count_nonzero(np.isfinite(np.asarray(g))))
                raise FloatingPointError(
                    f"Trainer.step: the gradient of Parameter {p.name!r} has {bad} NaN or "
                    f"infinite value(s) of {np.size(g)} (update {self._optimizer.num_update}); "
                    "the weights and optimizer states were not updated (check_nan=True)"
                )

    @staticmethod
    def _assign(params: list, new_w: tuple) -> None:
        for p, w in zip(params, new_w):
            if len(p._data) == 1:  # the program's output already lives on the parameter's device
                B.assign(p._data[0], w)
            else:
                p._set_values([w] * len(p._data))
            for d in p._data:
                B.mark_stale(d)

    def _names(self, params: list) -> list:
        names, seen = [], set()
        for i, p in enumerate(params):
            n = p.name if p.name not in seen else f"{p.name}#{i}"
            seen.add(n)
            names.append(n)
        return names

    def _build(self, params: list) -> None:
        self._mults = [(p.lr_mult, p.wd_mult) for p in params]
        names = self._names(params)
        opt = self._optimizer
        txs = [
            opt.to_optax([n], lr_mult={n: float(p.lr_mult)}, wd_mult={n: float(p.wd_mult)})
            for n, p in zip(names, params)
        ]
        # committed to the parameter's device, like the states every update returns (one compile)
        weights = [p._data[0].jax for p in params]
        if len({_device(w) for w in weights}) == 1:
            # made on the host (host_eval): eagerly, each zeros_like compiles per shape
            states = host_eval(
                lambda ws: [tx.init({n: w}) for tx, n, w in zip(txs, names, ws)], weights
            )
        else:
            states = [tx.init({n: w}) for tx, n, w in zip(txs, names, weights)]
        self._states = [jax.device_put(st, _device(w)) for st, w in zip(states, weights)]

        # MXNet's lazy update: a row_sparse gradient changes only its stored rows
        lazy = [p._grad_stype == "row_sparse" and bool(opt._lazy_rows) for p in params]

        def run(weights, grads, states, hp, mask):
            # mask None: every gradient is fresh (no per-parameter select in the program)
            new_w, new_s = [], []
            for i, (tx, n) in enumerate(zip(txs, names)):
                w, g, s = weights[i], grads[i], states[i]
                s = _opt.set_hyperparams(s, **hp)
                upd, ns = tx.update({n: g.astype(w.dtype)}, s, {n: w})
                nw = optax.apply_updates({n: w}, upd)[n].astype(w.dtype)
                if lazy[i] and w.ndim:
                    nw, ns = _keep_stored_rows(g, nw, w, ns, s)
                if mask is not None:
                    keep = mask[i]
                    nw = jnp.where(keep, nw, w)
                    ns = jax.tree_util.tree_map(lambda a, b, k=keep: jnp.where(k, a, b), ns, s)
                new_w.append(nw)
                new_s.append(ns)
            return tuple(new_w), new_s

        def update(weights, grads, states, hp, mask):
            new_w, new_s = run(weights, grads, states, hp, mask)
            # states first: donated buffers go to the first outputs of matching shape
            return new_s, new_w

        self._run = run
        self._txs, self._tx_names = txs, names
        self._jit = jax.jit(update, donate_argnums=(2,))

    def _transformation(self, named: dict) -> optax.GradientTransformation:
        """This Trainer's update as one optax transformation over ``{name: Parameter}``.

        The state is the Trainer's own list of per-parameter states (built on
        first use), so a compiled train step (the Estimator's) and
        :meth:`step` continue the same optimizer state. Parameters the Trainer
        does not hold get no update. Hyperparameters are set on the states by
        the caller (:func:`mxjax.optimizer.set_hyperparams`), as in :meth:`step`.
        """
        ids: dict = {}
        for name, p in named.items():
            ids.setdefault(id(p), name)  # a shared Parameter: its first name, as the engine

        def slots():
            active = self._active()
            return [(ids[id(p)], i) for i, p in enumerate(active) if id(p) in ids]

        def init(params):
            del params
            with jax.ensure_compile_time_eval():  # concrete states, even when traced
                self._ensure_states()
            return list(self._states)

        def update(grads, states, params=None):
            updates = jax.tree.map(jnp.zeros_like, grads)
            new = list(states)
            for name, i in slots():
                tx, n, w = self._txs[i], self._tx_names[i], params[name]
                upd, new[i] = tx.update({n: grads[name].astype(w.dtype)}, states[i], {n: w})
                updates[name] = upd[n]
            return updates, new

        return optax.GradientTransformation(init, update)

    def _ensure_states(self) -> None:
        """Builds the per-parameter optimizer states unless they exist.

        Outside a trace this compiles nothing (see :meth:`_build`): call it before
        tracing a function whose ``init`` reads the states (the Estimator does).
        """
        if self._states is None:
            self._build(self._active())

    def _set_states(self, states: list) -> None:
        """Takes per-parameter states back from a compiled step (copies, on each parameter's device)."""
        params = self._active()
        self._states = [
            jax.device_put(jax.tree.map(copy_array, s), _device(p._data[0].jax))
            for s, p in zip(states, params)
        ]

    def state_arrays(self) -> dict[str, np.ndarray]:
        """The Trainer's whole state as named NumPy arrays (what :meth:`save_states` writes).

        ``num_update`` (the update count that drives ``lr_scheduler``), the
        learning rate set by ``set_learning_rate`` (``lr``), ``wd``, and every
        optimizer state leaf (``s0``, ``s1`` ...: momenta, step counts; PRNG
        keys as key data).

        Examples:
            >>> import mxjax as mx
            >>> from mxjax import gluon
            >>> net = gluon.nn.Dense(1, in_units=2)
            >>> net.initialize()
            >>> trainer = gluon.Trainer(net.collect_params(), "sgd", {"momentum": 0.9})
            >>> arrays = trainer.state_arrays()
            >>> int(arrays["num_update"]), float(arrays["lr"]), "s0" in arrays
            (0, 0.01, True)
        """
        self._ensure_states()
        opt = self._optimizer
        flat = {"num_update": np.asarray(opt.num_update, np.int64), "wd": np.float64(opt.wd)}
        if opt.lr is not None:
            flat["lr"] = np.float64(opt.lr)
        for i, leaf in enumerate(jax.tree_util.tree_leaves(self._states)):
            if _is_key(leaf):
                leaf = jax.random.key_data(leaf)
            flat[f"s{i}"] = np.asarray(jax.device_get(leaf))
        return flat

    def load_state_arrays(self, data: Mapping[str, Any], source: str = "state") -> None:
        """Restores arrays from :meth:`state_arrays` (the inverse; checks count and shapes).

        Raises:
            ValueError: when ``data`` does not match this Trainer's parameters.
        """
        self._build(self._active())
        leaves, treedef = jax.tree_util.tree_flatten(self._states)
        found = sorted(k for k in data if k.startswith("s") and k[1:].isdigit())
        if len(found) != len(leaves) or "num_update" not in data:
            raise ValueError(
                f"Trainer.load_states: {source} holds {len(found)} state arrays; this "
                f"Trainer's optimizer state has {len(leaves)}"
            )
        new = []
        for i, leaf in enumerate(leaves):
            v = jnp.asarray(np.asarray(data[f"s{i}"]))
            if _is_key(leaf):
                new.append(jax.random.wrap_key_data(v))
                continue
            if v.shape != leaf.shape:
                raise ValueError(
                    f"Trainer.load_states: state array {i} in {source} has shape {v.shape}; "
                    f"expected {leaf.shape}"
                )
            new.append(jax.device_put(v.astype(leaf.dtype), _device(leaf)))
        self._states = jax.tree_util.tree_unflatten(treedef, new)
        self._optimizer.num_update = int(np.asarray(data["num_update"]))
        if "wd" in data:
            self._optimizer.wd = float(np.asarray(data["wd"]))
        if "lr" in data:
            self._optimizer.lr = float(np.asarray(data["lr"]))

    def save_states(self, fname: str) -> None:
        """Saves optimizer states, update count and learning rate to an ``.npz`` file.

        The file is written atomically (temporary file, then rename) and holds
        no pickle: :meth:`state_arrays` lists what it contains.
        """
        from mxjax._src.io.params import atomic_write

        buf = io.BytesIO()
        np.savez(buf, **self.state_arrays())
        atomic_write(fname, buf.getvalue())

    def load_states(self, fname: str) -> None:
        """Loads states written by :meth:`save_states` (``allow_pickle=False``).

        Raises:
            ValueError: when the file does not match this Trainer's parameters.
        """
        with np.load(fname, allow_pickle=False) as f:
            data = {k: f[k] for k in f.files}
        self.load_state_arrays(data, repr(fname))


def _keep_stored_rows(g, nw, w, ns, s):
    """New weight and state only in the rows a ``row_sparse`` gradient stores (non-zero rows)."""
    rows = jnp.any(g.reshape(g.shape[0], -1) != 0, axis=1)

    def keep(new, old):
        if new.shape != w.shape:  # counters and hyperparameters
            return new
        return jnp.where(rows.reshape((-1,) + (1,) * (new.ndim - 1)), new, old)

    return keep(nw, w), jax.tree_util.tree_map(keep, ns, s)


class _TrainerUpdater(Updater):
    """A Trainer's optimizer states seen as MXNet's ``Updater`` (``trainer._updaters[i]``).

    The Trainer applies the optimizer itself, in one compiled update of all
    parameters; ``states`` shows its states in MXNet's layout.
    """

    def __init__(self, trainer: Trainer):
        self._trainer = trainer
        self.states_synced: dict = {}
        self.aggregate_updates = False

    @property
    def optimizer(self):  # type: ignore[override]
        return self._trainer._optimizer

    @property
    def states(self) -> dict:  # type: ignore[override]
        return self._trainer._mx_states()

    def __call__(self, index: Any, grad: Any, weight: Any) -> None:
        raise RuntimeError(
            "this updater shows a Trainer's states; the Trainer applies its optimizer itself "
            "(Trainer.step). Use mx.optimizer.get_updater(optimizer) for an updater of your own"
        )
