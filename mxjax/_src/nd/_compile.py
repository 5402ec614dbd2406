"""Compiled forward/backward for tape operations that repeat.

Functions passed to :func:`mxjax.autograd.apply` repeatedly with the same
static arguments and input shapes get a compiled forward and a compiled
backward that applies the residuals the forward returned. Fresh closures are never compiled:
calls are counted per function object (weakly), and a signature compiles only
from its third call; compiled signatures live in the facade's compile cache
(``mxjax._src.compile_cache``, kind ``"op"``).
"""

from __future__ import annotations

import weakref

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.compile_cache import cached

__all__ = ["compiled", "stable"]

_COMPILE_AFTER = 3
_calls: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # fn -> {signature: calls}
_STATIC = (int, bool, str, type(None), np.dtype, type)


def _pull(pull, ct):
    return pull(ct)


class _Compiled:
    __slots__ = ("layout", "fwd", "fwd_vjp", "bwd", "call", "calls", "_kernel", "__weakref__")

    def __init__(self, fn, layout):
        self.layout = layout
        self.calls = 0

        def call(dyn, const):
            it_d, it_c = iter(dyn), iter(const)
            args = []
            for kind, v in layout:
                if kind == 0:
                    args.append(v)
                elif kind == 1:
                    args.append(next(it_d))
                else:
                    args.append(next(it_c))
            return fn(*args)

        def fwd_vjp(dyn, const):
            return jax.vjp(lambda *d: call(d, const), *dyn)

        self.call = call
        self.fwd = jax.jit(call)
        # ``jax.vjp``'s pullback is a pytree (its residuals are the leaves), so the
        # compiled forward can return it and a compiled backward can apply it.
        self.fwd_vjp = jax.jit(fwd_vjp)
        self.bwd = jax.jit(_pull)
        self._kernel = None

    @property
    def kernel(self) -> _Kernel:
        """This signature as a deferred-graph kernel (see ``mxjax._src.deferred``)."""
        if self._kernel is None:
            self._kernel = _Kernel(self)
        return self._kernel

    def split(self, vals):
        dyn, const = [], []
        for (kind, _), v in zip(self.layout, vals):
            if kind == 1:
                dyn.append(v)
            elif kind == 2:
                const.append(v)
        return tuple(dyn), tuple(const)


class _Kernel:
    """``f(dyn, const) -> (out, ())`` and ``forward`` with a compiled vjp, for deferred graphs."""

    __slots__ = ("_c", "__weakref__")

    def __init__(self, c: _Compiled):
        self._c = c

    def f(self, dyn, const):
        return self._c.call(dyn, const), ()

    def run(self, dyn, const):
        return self._c.fwd(dyn, const), ()

    def forward(self, dyn, const):
        out, pull = self._c.fwd_vjp(dyn, const)
        bwd = self._c.bwd
        return out, (), lambda ct: bwd(pull, ct)

    def tape_fn(self, const):
        call = self._c.call
        return lambda *d: call(d, const)


def stable(fn) -> bool:
    """Whether ``fn`` is defined at module or class level (the same object on every call)."""
    q = getattr(fn, "__qualname__", None)
    return isinstance(q, str) and "<locals>" not in q and "<lambda>" not in q


class _NotStatic(Exception):
    pass


def _freeze(v):
    """A hashable stand-in for a static argument (slices included), or _NotStatic."""
    if isinstance(v, _STATIC) or v is Ellipsis:
        return v
    if isinstance(v, slice):
        return ("__slice__", _freeze(v.start), _freeze(v.stop), _freeze(v.step))
    if isinstance(v, tuple):
        return tuple(_freeze(t) for t in v)
    raise _NotStatic


def compiled(fn, vals, idx, always: bool = False):
    """The :class:`_Compiled` for this call signature once it is hot (or ``always``), else None."""
    try:
        per_fn = _calls.get(fn)
    except TypeError:  # not weak-referenceable or unhashable
        return None
    if per_fn is None:
        try:
            _calls[fn] = per_fn = {}
        except TypeError:
            return None
    layout = []
    frozen = []
    shapes = []
    traced = set(idx)
    for j, v in enumerate(vals):
        if j in traced:
            layout.append((1, None))
            shapes.append((v.shape, v.dtype))
        elif isinstance(v, (jax.Array, np.ndarray, float, complex)):
            layout.append((2, None))
            shapes.append((jnp.shape(v), jnp.result_type(v)))
        else:
            try:
                frozen.append((j, _freeze(v)))
            except _NotStatic:
                return None
            layout.append((0, v))
    layout = tuple(layout)
    key = (tuple(k for k, _ in layout), tuple(frozen), tuple(shapes))
    n = min(per_fn.get(key, 0) + 1, _COMPILE_AFTER)
    if len(per_fn) > 512 and key not in per_fn:  # many distinct shapes: count over, not grow
        per_fn.clear()
    per_fn[key] = n
    if n < _COMPILE_AFTER and not always:
        return None
    c = cached(("op", fn, key), lambda: _Compiled(fn, layout))
    c.calls = n
    return c
