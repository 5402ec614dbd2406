"""The generic Gluon wrapper around a functional core layer (one definition of the maths).

A :class:`CoreBlock` holds a ``mxjax.layers`` layer and exposes its params
and state as Parameters (state with ``grad_req='null'``). Unknown input sizes
are found at the first forward with ``jax.eval_shape`` of the layer's
``init``. Each call hands the layer's ``apply`` as one kernel (cached per
layer, mode and parameter names in the facade's compile cache) to the
dispatcher, which runs, records or defers it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp

from mxjax._src.compile_cache import cached
from mxjax._src.gluon import _bridge as B
from mxjax._src.gluon.block import HybridBlock
from mxjax._src.layers.base import flatten_names, unflatten_names

__all__ = ["CoreBlock"]

_INIT_ALIASES = {"running_var": "running_variance"}


def _specific_init(core: Any, name: str) -> Any:
    fields = {f.name for f in dataclasses.fields(core)}
    leaf = name.split(".")[-1]
    candidates = [leaf, _INIT_ALIASES.get(leaf, leaf)]
    # recurrent names such as l0_i2h_weight -> i2h_weight_initializer
    parts = leaf.split("_")
    candidates += ["_".join(parts[i:]) for i in range(1, len(parts))]
    for c in candidates:
        f = f"{c}_initializer"
        if f in fields:
            return getattr(core, f)
    return None


def _disabled(core: Any, name: str) -> bool:
    """Gluon's ``scale=False``/``center=False``: gamma/beta kept with ``grad_req='null'``."""
    leaf = name.split(".")[-1]
    if leaf == "gamma":
        return getattr(core, "scale", True) is False
    if leaf == "beta":
        return getattr(core, "center", True) is False
    return False


def _shapes(core: Any, shape: tuple, dtype: Any, extra: tuple = ()):
    x = jax.ShapeDtypeStruct(shape, jnp.dtype(dtype))
    order: list = []

    def init(k, x):
        p, s = core.init(k, x, *extra)
        order.append((list(flatten_names(p)), list(flatten_names(s))))
        return p, s

    p, s = jax.eval_shape(init, B.key_spec(), x)
    p, s = flatten_names(p), flatten_names(s)
    return {k: p[k] for k in order[0][0]}, {k: s[k] for k in order[0][1]}


def _default_call(core, params, state, xs, key, train):
    return core.apply(params, state, *xs, key=key, train=train)


def _run(core, train, call, pnames, snames):
    def run(pvals, svals, key, *xs):
        params = unflatten_names(dict(zip(pnames, pvals)))
        state = unflatten_names(dict(zip(snames, svals)))
        out, new_state = call(core, params, state, xs, key, train)
        new_state = flatten_names(new_state)
        if isinstance(out, list):
            out = tuple(out)
        return out, tuple(new_state.get(n, v) for n, v in zip(snames, svals))

    return run


def _kernel(core: Any, train: bool, call: Any, pnames: tuple, snames: tuple) -> B.Kernel:
    """The layer's apply as a kernel: ``dargs = (*params, *inputs)``, ``cargs = (*state, key)``."""

    def build():
        run = _run(core, train, call, pnames, snames)
        n_p, n_s = len(pnames), len(snames)
        return B.Kernel(lambda d, c: run(d[:n_p], c[:n_s], c[n_s], *d[n_p:]))

    return cached(("layer", core, train, call, pnames, snames), build)


class CoreBlock(HybridBlock):
    """A HybridBlock running ``core.apply`` of a functional layer.

    Subclasses call ``super().__init__(core, prefix=..., params=...)`` and
    may define ``_probe(n)`` (the shape of an example input with ``n``
    features/channels, used to find parameter names and shapes) and
    ``_in_size()`` (the known feature size, or 0).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax import layers as L
        >>> from mxjax.gluon.nn import CoreBlock
        >>> blk = CoreBlock(L.Dense(3))
        >>> blk.initialize()
        >>> blk(mx.nd.ones((2, 4))).shape
        (2, 3)
    """

    _core_call: Any = staticmethod(_default_call)
    _n_init_inputs: int = 0

    def __init__(self, core: Any, prefix: str | None = None, params: Any = None, **kwargs: Any):
        super().__init__(prefix=prefix, params=params)
        self._core = core
        self._pnames: tuple = ()
        self._snames: tuple = ()
        self._attrs: dict = {}
        self._declare()

    def _alias(self) -> str:
        return type(self).__name__.lower()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._core})"

    def _probe(self, n: int) -> tuple | None:
        """Example input shape with ``n`` features (None: probe with (2, n))."""
        return (2, n)

    def _probe_dtype(self) -> str:
        return "float32"

    def _in_size(self) -> int:
        return 0

    def _has_params(self) -> bool:
        return True

    def _declare(self) -> None:
        if not self._has_params():
            return
        n = self._in_size()
        dt = self._probe_dtype()
        if n:
            p, s = _shapes(self._core, self._probe(n), dt)
            pshape = {k: tuple(v.shape) for k, v in {**p, **s}.items()}
        else:
            p, s = _shapes(self._core, self._probe(3), dt)
            p2, s2 = _shapes(self._core, self._probe(5), dt)
            both2 = {**p2, **s2}
            pshape = {
                k: tuple(a if a == b else 0 for a, b in zip(v.shape, both2[k].shape))
                for k, v in {**p, **s}.items()
            }
        self._pnames, self._snames = tuple(self._order(list(p))), tuple(self._order(list(s)))
        for name in (*self._pnames, *self._snames):
            is_state = name in s
            leaf = {**p, **s}[name]
            attr = self._gluon_name(name)
            param = self.params.get(
                attr,
                shape=pshape[name],
                dtype=str(leaf.dtype),
                init=_specific_init(self._core, name),
                allow_deferred_init=True,
                grad_req="null" if is_state or _disabled(self._core, name) else "write",
                differentiable=not is_state,
            )
            self._attrs[name] = attr
            setattr(self, attr, param)

    def _needs_key(self) -> bool:
        """Whether ``apply`` draws randomness in training (dropout)."""
        core = self._core
        return bool(getattr(core, "rate", 0) or getattr(core, "dropout", 0))

    def _order(self, names: list) -> list:
        """The order in which Gluon creates the parameters (default: the core's)."""
        return names

    def _gluon_name(self, core_name: str) -> str:
        """The Parameter/attribute name of a core parameter (``weight``, ``l0_i2h_weight``)."""
        return core_name.replace(".", "_")

    def _collect_params_with_prefix(self, prefix: str = "") -> dict:
        if prefix:
            prefix += "."
        return {prefix + name: self._reg_params[attr] for name, attr in self._attrs.items()}

    def _param(self, name: str):
        return self._reg_params[self._attrs[name]]

    def _ensure_init(self, xs: tuple) -> None:
        pending = [
            self._param(n) for n in (*self._pnames, *self._snames) if self._param(n)._data is None
        ]
        if not pending:  # inside a trace too: parameters initialize to concrete values
            return
        if any(p._deferred is None for p in pending):
            pending[0]._check_initialized()
        xs = xs[: self._n_init_inputs] if self._n_init_inputs else xs
        example = [
            None
            if x is None
            else jax.ShapeDtypeStruct(
                tuple(x.shape), x.dtype if B.is_ndarray(x) else B.as_jnp(x).dtype
            )
            for x in xs
        ]
        p, s = jax.eval_shape(lambda k, *e: self._core.init(k, *e), B.key_spec(), *example)
        shapes = {**flatten_names(p), **flatten_names(s)}
        for name in (*self._pnames, *self._snames):
            self._param(name)._finish_deferred_init(tuple(shapes[name].shape))

    def forward(self, *xs: Any) -> Any:
        self._ensure_init(xs)
        ctx = B.context_of(xs[0]) if xs else None
        pnd = [self._param(n).data(ctx) for n in self._pnames]
        snd = [self._param(n).data(ctx) for n in self._snames]
        train = B.is_training()
        key = B.new_key() if train and self._needs_key() else None
        kernel = _kernel(self._core, train, type(self)._core_call, self._pnames, self._snames)
        inputs = pnd + [x if x is None or B.is_ndarray(x) else B.as_jnp(x) for x in xs]
        if B.current_trace() is not None:  # state updates go to the trace
            targets = [self._param(n).set_data for n in self._snames]
        else:
            targets = snd
        return B.call(kernel, inputs, [*snd, key], targets)
