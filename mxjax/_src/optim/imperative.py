"""MXNet's imperative optimizer interface, over the same optax transformations.

``opt.create_state(index, weight)`` / ``opt.update(index, weight, grad, state)``
(and their ``_multi_precision`` forms) are MXNet's per-parameter, in-place API:
the state is what MXNet returns (``None``, one NDArray or a tuple of NDArrays
in MXNet's order) and ``update`` writes the new weight and state into the
given NDArrays. The maths is not written twice: ``update`` runs the
optimizer's own optax transformation (the one :meth:`Optimizer.to_optax`
gives the Gluon ``Trainer``) on the one weight, with the state converted to
and from MXNet's layout. :class:`Updater` and :func:`get_updater` are MXNet's
``index -> state`` bookkeeping around it.
"""

from __future__ import annotations

import io
import json
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from mxjax._src.nd.ndarray import NDArray
from mxjax._src.optim import base as _b

__all__ = ["ImperativeMixin", "Updater", "get_updater"]

_LOW = (np.dtype(np.float16),)


def _jax(x: Any) -> jax.Array:
    return x._data if isinstance(x, NDArray) else jnp.asarray(x)


def _write(arr: NDArray, value: jax.Array) -> None:
    """Writes ``value`` into ``arr`` in place (MXNet's ``out=``), keeping its dtype."""
    arr._data = value.astype(arr._data.dtype)
    arr._entry = None


def _wrap(value: jax.Array) -> NDArray:
    return NDArray(value)


def _find_rule_state(state: Any) -> _b.MXRuleState | None:
    found = [
        s
        for s in jax.tree_util.tree_leaves(state, is_leaf=lambda x: isinstance(x, _b.MXRuleState))
        if isinstance(s, _b.MXRuleState)
    ]
    return found[0] if found else None


def _replace_rule_state(state: Any, new: _b.MXRuleState) -> Any:
    return jax.tree_util.tree_map(
        lambda s: new if isinstance(s, _b.MXRuleState) else s,
        state,
        is_leaf=lambda x: isinstance(x, _b.MXRuleState),
    )


def _row_mask(grad: Any) -> jax.Array | None:
    """The rows a ``row_sparse`` gradient stores (its non-zero rows), else None."""
    if getattr(grad, "stype", "default") != "row_sparse":
        return None
    g = _jax(grad)
    return jnp.any(g.reshape(g.shape[0], -1) != 0, axis=1) if g.ndim else None


def _keep_rows(mask: jax.Array, new: jax.Array, old: jax.Array) -> jax.Array:
    return jnp.where(mask.reshape((-1,) + (1,) * (new.ndim - 1)), new, old)


class ImperativeMixin:
    """MXNet's per-index bookkeeping and in-place ``update`` for :class:`Optimizer`.

    Subclasses describe MXNet's state layout with class attributes:
    ``_single_state`` (the state is one NDArray or None, not a tuple),
    ``_state_order`` (slot names in MXNet's tuple order; default: the
    factory's slot order) and ``_master_last`` (multi-precision state is
    ``(state, weight32)`` as in SGD/NAG/LARS, instead of ``(weight32, state)``).
    """

    _single_state = False
    _state_order: tuple[str, ...] | None = None
    _master_last = False
    #: Whether a row_sparse gradient updates only its stored rows (MXNet's lazy update).
    _lazy_rows = False

    # -- counters and per-index rates (MXNet's names) ------------------------------------
    def _init_counters(self) -> None:
        self._all_index_update_counts: dict = {0: {}}
        self._index_update_count: dict = self._all_index_update_counts[0]
        self._imperative_extra: dict = {}
        self.aggregate_num = 0

    def _set_current_context(self, device_id: int) -> None:
        """Selects the per-device update counters (MXNet keeps one dict per device)."""
        self._index_update_count = self._all_index_update_counts.setdefault(device_id, {})

    def _update_count(self, index: Any) -> None:
        """Counts one update of ``index`` (an int or a list) and advances ``num_update``.

        Examples:
            >>> import mxjax as mx
            >>> opt = mx.optimizer.SGD()
            >>> opt._update_count(0); opt._update_count([0, 1])
            >>> opt._index_update_count, opt.num_update
            ({0: 2, 1: 1}, 2)
        """
        for idx in index if isinstance(index, (list, tuple)) else [index]:
            if idx not in self._index_update_count:
                self._index_update_count[idx] = self.begin_num_update
            self._index_update_count[idx] += 1
            self.num_update = max(self._index_update_count[idx], self.num_update)

    def _mults(self, indices: list, base: float, own: dict, attr: str) -> list:
        out = []
        for index in indices:
            value = base
            if index in self.param_dict:
                value *= getattr(self.param_dict[index], attr)
            elif index in own:
                value *= own[index]
            elif index in self.idx2name:
                value *= own.get(self.idx2name[index], 1.0)
            out.append(value)
        return out

    def _get_lrs(self, indices: list) -> list:
        """Learning rates of ``indices``: the current rate times each one's ``lr_mult``."""
        return self._mults(list(indices), self.learning_rate, self.lr_mult, "lr_mult")

    def _get_lr(self, index: Any) -> float:
        """The learning rate of ``index`` (``param_dict``, then ``lr_mult`` by index or name).

        Examples:
            >>> import mxjax as mx
            >>> opt = mx.optimizer.SGD(learning_rate=0.1, param_idx2name={0: "fc_weight"})
            >>> opt.set_lr_mult({"fc_weight": 0.5})
            >>> opt._get_lr(0)
            0.05
        """
        return self._get_lrs([index])[0]

    def _get_wds(self, indices: list) -> list:
        """Weight decays of ``indices`` (``wd`` times each one's ``wd_mult``)."""
        return self._mults(list(indices), self.wd, self.wd_mult, "wd_mult")

    def _get_wd(self, index: Any) -> float:
        """The weight decay of ``index`` (0 for non-weights named in ``param_idx2name``).

        Examples:
            >>> import mxjax as mx
            >>> opt = mx.optimizer.SGD(wd=0.1, param_idx2name={0: "fc_weight", 1: "fc_bias"})
            >>> opt._get_wd(0), opt._get_wd(1)
            (0.1, 0.0)
        """
        return self._get_wds([index])[0]

    # -- states ---------------------------------------------------------------------------
    def _imperative_tx(self) -> optax.GradientTransformation:
        """The transformation for one weight, rates given per call (see facade)."""
        raise NotImplementedError

    def _mx_layout(self, slots: Any) -> Any:
        """MXNet's state (None, an NDArray or a tuple) from a slots NamedTuple of arrays."""
        fields = tuple(slots._fields)
        order = self._state_order or fields
        values = tuple(
            _wrap(getattr(slots, n)) if n in fields and getattr(slots, n) is not None else None
            for n in order
        )
        if self._single_state:
            return values[0] if values else None
        return values

    def _slot_values(self, state: Any, fields: tuple) -> dict:
        if state is None:
            return {}
        order = self._state_order or fields
        if self._single_state:
            return {order[0]: state} if order else {}
        if not isinstance(state, (tuple, list)):
            state = (state,)
        return {n: s for n, s in zip(order, state) if s is not None}

    def create_state(self, index: Any, weight: NDArray) -> Any:
        """Creates MXNet's optimizer state for ``weight`` (None, an NDArray or a tuple).

        Examples:
            >>> import mxjax as mx
            >>> mx.optimizer.SGD(momentum=0.9).create_state(0, mx.nd.ones((2,))).asnumpy().tolist()
            [0.0, 0.0]
            >>> mx.optimizer.SGD().create_state(0, mx.nd.ones((2,))) is None
            True
            >>> len(mx.optimizer.Adam().create_state(0, mx.nd.ones((2,))))
            2
        """
        if type(self)._factory is None:
            return None
        rule = _find_rule_state(self._imperative_tx().init({"w": _jax(weight)}))
        slots = type(rule.slots)(*(s["w"] for s in rule.slots))
        return self._mx_layout(slots)

    def create_state_multi_precision(self, index: Any, weight: NDArray) -> Any:
        """Like :meth:`create_state`, with a float32 master copy of a float16 ``weight``
        when ``multi_precision`` is set.

        Examples:
            >>> import numpy as np, mxjax as mx
            >>> opt = mx.optimizer.Adam(multi_precision=True)
            >>> master, (mean, var) = opt.create_state_multi_precision(0, mx.nd.ones((2,), dtype=np.float16))
            >>> master.dtype, mean.dtype
            (<class 'numpy.float32'>, <class 'numpy.float32'>)
        """
        if self.multi_precision and np.dtype(weight.dtype) in _LOW:
            master = weight.astype(np.float32)
            inner = self.create_state(index, master)
            return (inner, master) if self._master_last else (master, inner)
        return self.create_state(index, weight)

    # -- updates --------------------------------------------------------------------------
    def update(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        """Updates ``weight`` (and ``state``) in place from ``grad`` (MXNet's ``update``).

        ``index`` may be a list, with lists of weights, gradients and states
        (MXNet's aggregated update).

        Examples:
            >>> import mxjax as mx
            >>> opt = mx.optimizer.SGD(learning_rate=0.1, momentum=0.9)
            >>> w, g = mx.nd.ones((2,)), mx.nd.ones((2,))
            >>> state = opt.create_state(0, w)
            >>> opt.update(0, w, g, state)
            >>> w.asnumpy().tolist(), state.asnumpy().tolist()
            ([0.8999999761581421, 0.8999999761581421], [-0.10000000149011612, -0.10000000149011612])
        """
        if isinstance(index, (list, tuple)):
            for i, w, g, s in zip(index, weight, grad, state):
                self.update(i, w, g, s)
            return
        if type(self)._factory is None:
            raise NotImplementedError(
                f"{type(self).__name__}.update: the class defines neither `update` nor an "
                "optax `_factory`"
            )
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        self._step_one(index, weight, grad, state, lr, wd)

    def _step_one(self, index, weight, grad, state, lr, wd) -> None:
        tx = self._imperative_tx()
        w = _jax(weight)
        g = _jax(grad).astype(w.dtype)
        init = self._template(tx, w)
        rule = _find_rule_state(init)
        fields = tuple(rule.slots._fields)
        given = self._slot_values(state, fields)
        slots = type(rule.slots)(
            *({"w": _jax(given[n])} if n in given else getattr(rule.slots, n) for n in fields)
        )
        extra = self._imperative_extra.get(index, rule.extra)
        t = self._index_update_count[index]
        opt_state = _replace_rule_state(
            init, _b.MXRuleState(jnp.asarray(t - 1, jnp.int32), slots, extra)
        )
        opt_state = self._with_rates(opt_state, lr, wd)
        upd, new_state = tx.update({"w": g}, opt_state, {"w": w})
        new_w = w + upd["w"]
        new_rule = _find_rule_state(new_state)
        mask = _row_mask(grad) if self._lazy_rows else None
        if mask is not None:
            new_w = _keep_rows(mask, new_w, w)
        _write(weight, new_w)
        for n in fields:
            if n in given:
                value = getattr(new_rule.slots, n)["w"]
                old = _jax(given[n])
                _write(given[n], value if mask is None else _keep_rows(mask, value, old))
        self._imperative_extra[index] = new_rule.extra

    def _template(self, tx: optax.GradientTransformation, w: jax.Array) -> Any:
        """A fresh state of ``tx`` for a weight like ``w`` (kept per transformation, shape, dtype)."""
        cache = self.__dict__.setdefault("_imperative_templates", {})
        key = (id(tx), w.shape, w.dtype)
        if key not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[key] = (tx, tx.init({"w": w}))  # tx kept alive: its id stays unique
        return cache[key][1]

    def update_multi_precision(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        """:meth:`update`, through the float32 master copy for float16 weights.

        Examples:
            >>> import numpy as np, mxjax as mx
            >>> opt = mx.optimizer.SGD(learning_rate=1e-4, multi_precision=True)
            >>> w = mx.nd.ones((2,), dtype=np.float16)
            >>> state = opt.create_state_multi_precision(0, w)
            >>> for _ in range(10):
            ...     opt.update_multi_precision(0, w, mx.nd.ones((2,), dtype=np.float16), state)
            >>> round(float(state[1].asnumpy()[0]), 4), w.dtype
            (0.999, <class 'numpy.float16'>)
        """
        if isinstance(index, (list, tuple)):
            for i, w, g, s in zip(index, weight, grad, state):
                self.update_multi_precision(i, w, g, s)
            return
        if self.multi_precision and np.dtype(weight.dtype) in _LOW:
            inner, master = state if self._master_last else state[::-1]
            grad32 = grad.astype(np.float32)
            stype = getattr(grad, "stype", "default")
            if stype != "default" and grad32.stype != stype:
                grad32 = grad32.tostype(stype)  # MXNet's cast keeps the storage type
            self.update(index, master, grad32, inner)
            _write(weight, master._data)
        else:
            self.update(index, weight, grad, state)

    # -- the Trainer's optax state in MXNet's layout --------------------------------------
    def mx_state_of(self, opt_state: Any, name: str) -> Any:
        """MXNet's state (as :meth:`create_state_multi_precision` lays it out) of the
        parameter ``name`` in an optax state of :meth:`to_optax` (NDArray copies).

        Examples:
            >>> import jax.numpy as jnp, mxjax as mx
            >>> opt = mx.optimizer.SGD(momentum=0.9)
            >>> state = opt.to_optax(["w"]).init({"w": jnp.ones(2)})
            >>> opt.mx_state_of(state, "w").asnumpy().tolist()
            [0.0, 0.0]
        """
        master = None
        if isinstance(opt_state, _b.MultiPrecisionState):
            m = opt_state.master[name]
            master = _wrap(m) if m.size else None
            opt_state = opt_state.inner_state
        rule = _find_rule_state(opt_state)
        if rule is None:
            return None
        slots = type(rule.slots)(*(s[name] for s in rule.slots))
        inner = self._mx_layout(slots)
        if master is None:
            return inner
        return (inner, master) if self._master_last else (master, inner)


def _flatten_state(prefix: str, state: Any, arrays: dict) -> Any:
    """JSON-able structure of a state, its arrays stored in ``arrays``."""
    if state is None:
        return None
    if isinstance(state, (tuple, list)):
        return [_flatten_state(f"{prefix}.{i}", s, arrays) for i, s in enumerate(state)]
    arrays[prefix] = np.asarray(_jax(state))
    return prefix


def _unflatten_state(spec: Any, arrays: Any) -> Any:
    if spec is None:
        return None
    if isinstance(spec, list):
        return tuple(_unflatten_state(s, arrays) for s in spec)
    return NDArray(jnp.asarray(arrays[spec]))


class Updater:
    """Keeps an optimizer's per-index states and applies it (MXNet's ``Updater``).

    ``updater(index, grad, weight)`` creates the state of a new index with
    :meth:`Optimizer.create_state_multi_precision` and updates ``weight`` in
    place. ``get_states``/``set_states`` serialize the states as an ``.npz``
    byte string (MXNet pickles; mxjax never does).

    Examples:
        >>> import mxjax as mx
        >>> updater = mx.optimizer.get_updater(mx.optimizer.SGD(learning_rate=0.5, momentum=0.9))
        >>> w = mx.nd.ones((2,))
        >>> updater(0, mx.nd.ones((2,)), w)
        >>> w.asnumpy().tolist(), sorted(updater.states)
        ([0.5, 0.5], [0])
    """

    def __init__(self, optimizer: Any):
        self.optimizer = optimizer
        self.states: dict = {}
        self.states_synced: dict = {}
        self.aggregate_updates = getattr(optimizer, "aggregate_num", 0) > 1

    def __call__(self, index: Any, grad: Any, weight: Any) -> None:
        if not isinstance(index, (list, tuple)):
            index, grad, weight = [index], [grad], [weight]
        for i, g, w in zip(index, grad, weight):
            if i not in self.states:
                self.states[i] = self.optimizer.create_state_multi_precision(i, w)
                self.states_synced[i] = True
            self.optimizer.update_multi_precision(i, w, g, self.states[i])

    def sync_state_context(self, state: Any, context: Any) -> Any:
        """The state moved to ``context`` (NDArrays copied there, tuples kept)."""
        if isinstance(state, NDArray):
            return state.as_in_context(context)
        if isinstance(state, (tuple, list)):
            return type(state)(self.sync_state_context(s, context) for s in state)
        return state

    def set_states(self, states: bytes) -> None:
        """Restores states written by :meth:`get_states` (``.npz`` bytes, no pickle)."""
        with np.load(io.BytesIO(states), allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        meta = json.loads(bytes(arrays.pop("__meta__")).decode())
        self.states = {
            (int(k[1:]) if k.startswith("i") else k[1:]): _unflatten_state(v, arrays)
            for k, v in meta["states"].items()
        }
        self.states_synced = dict.fromkeys(self.states, False)
        opt = meta.get("optimizer")
        if opt is not None:
            self.optimizer.num_update = opt["num_update"]
            self.optimizer.lr, self.optimizer.wd = opt["lr"], opt["wd"]
            counts = {int(k): v for k, v in opt["index_update_count"].items()}
            self.optimizer._index_update_count.clear()
            self.optimizer._index_update_count.update(counts)

    def get_states(self, dump_optimizer: bool = False) -> bytes:
        """The states as ``.npz`` bytes; ``dump_optimizer`` adds the update counters,
        ``lr`` and ``wd`` (MXNet pickles the whole optimizer object instead).

        Examples:
            >>> import mxjax as mx
            >>> u = mx.optimizer.get_updater(mx.optimizer.Adam())
            >>> u(0, mx.nd.ones((2,)), mx.nd.ones((2,)))
            >>> v = mx.optimizer.get_updater(mx.optimizer.Adam())
            >>> v.set_states(u.get_states())
            >>> v.states[0][0].asnumpy().tolist() == u.states[0][0].asnumpy().tolist()
            True
        """
        arrays: dict = {}
        spec = {
            (f"i{k}" if isinstance(k, int) else f"s{k}"): _flatten_state(f"{k}", v, arrays)
            for k, v in self.states.items()
        }
        meta: dict = {"states": spec}
        if dump_optimizer:
            opt = self.optimizer
            meta["optimizer"] = {
                "num_update": int(opt.num_update),
                "lr": opt.lr,
                "wd": opt.wd,
                "index_update_count": {
                    str(k): int(v) for k, v in opt._index_update_count.items() if isinstance(k, int)
                },
            }
        arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        return buf.getvalue()


def get_updater(optimizer: Any) -> Updater:
    """An :class:`Updater` for ``optimizer`` (MXNet's ``mx.optimizer.get_updater``).

    Examples:
        >>> import mxjax as mx
        >>> type(mx.optimizer.get_updater(mx.optimizer.SGD())).__name__
        'Updater'
    """
    return Updater(optimizer)
