"""Kernels: the unit the dispatcher runs (a pure function with its compiled forms).

A :class:`Kernel` wraps ``f(dargs, cargs) -> (out, aux)``: ``out`` is one
array or a tuple, ``aux`` a tuple of side outputs (updated BatchNorm
statistics ...); only ``dargs`` are differentiated. It offers the three forms
the dispatcher (``mxjax._src.dispatch``) chooses between:

* ``f``: the pure function (inside a trace, and traced into a deferred step
  program);
* ``run``: ``jax.jit(f)``, for a call that is not recorded;
* ``forward``: a compiled forward that also returns the vjp's residuals, and
  a compiled backward applying them, for a call recorded on the tape.
"""

from __future__ import annotations

from typing import Any

import jax

__all__ = ["Kernel"]


class Kernel:
    """``jax.jit``-compiled forms of ``f(dargs, cargs) -> (out, aux)``.

    The forward-with-vjp returns the outputs, ``aux`` and the leaves of the
    vjp closure; the closure's structure is captured once per input
    signature, so the backward is a second compiled function of plain arrays
    (no per-call hashing of a closure).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax._src.kernel import Kernel
        >>> k = Kernel(lambda d, c: (d[0] * c[0], ()))
        >>> out, aux = k.run((jnp.ones(2),), (3.0,))
        >>> out.tolist(), aux
        ([3.0, 3.0], ())
        >>> out, aux, backward = k.forward((jnp.ones(2),), (3.0,))
        >>> backward(jnp.ones(2))[0].tolist()
        [3.0, 3.0]
    """

    def __init__(self, f: Any):
        self.f = f  # the pure function (deferred graphs trace it into one program)
        self._treedefs: dict = {}
        self.run = jax.jit(f)
        self._fwd = jax.jit(self._fwd_impl, static_argnums=(0,))
        self._bwd = jax.jit(self._bwd_impl, static_argnums=(0,))

    def _fwd_impl(self, sig, dargs, cargs):
        out, vjp, aux = jax.vjp(lambda *d: self.f(d, cargs), *dargs, has_aux=True)
        leaves, treedef = jax.tree_util.tree_flatten(vjp)
        self._treedefs[sig] = treedef
        return out, aux, leaves

    def _bwd_impl(self, sig, leaves, ct):
        return jax.tree_util.tree_unflatten(self._treedefs[sig], leaves)(ct)

    def tape_fn(self, cargs: tuple):
        """``f`` as a function of the differentiated inputs only (``aux`` dropped).

        The tape keeps it with a recorded call so that the call's backward can
        itself be differentiated (``autograd.grad(..., create_graph=True)``).

        Examples:
            >>> import jax.numpy as jnp
            >>> from mxjax._src.kernel import Kernel
            >>> k = Kernel(lambda d, c: (d[0] * c[0], ()))
            >>> k.tape_fn((3.0,))(jnp.ones(2)).tolist()
            [3.0, 3.0]
        """
        f = self.f

        def fn(*d):
            return f(d, cargs)[0]

        return fn

    def forward(self, dargs: tuple, cargs: tuple):
        """Returns ``(outputs, aux, backward)``; ``backward(ct)`` returns cotangents of ``dargs``."""
        sig = tuple(
            (tuple(a.shape), str(a.dtype)) if hasattr(a, "shape") else None
            for a in jax.tree_util.tree_leaves((dargs, cargs))
        ) + (jax.tree_util.tree_structure((dargs, cargs)),)
        out, aux, leaves = self._fwd(sig, dargs, cargs)
        bwd = self._bwd

        def backward(ct):
            return bwd(sig, leaves, ct)

        return out, aux, backward
