"""Recording a call into a deferred graph (``defer``), and collective calls."""

from __future__ import annotations

import weakref
from typing import Any

import jax
import numpy as np

from mxjax._src.compile_cache import cached
from mxjax._src.deferred._state import _FLAGS, _STATS, BACKWARD, DONE, MAX_NODES, PENDING
from mxjax._src.deferred.graph import _Graph, _Node
from mxjax._src.deferred.lazy import (
    _DATA,
    _ENTRY,
    LazyNDArray,
    _make_lazy,
    _materialize,
    _new_lazy,
    _points_to,
    _to_tape,
)
from mxjax._src.nd._mode import _state as _mode_state
from mxjax._src.nd.ndarray import NDArray

__all__ = ["Collective", "defer", "defer_apply"]

_KEY_AVALS: dict = {}  # id -> (key array, aval) for the few long-lived PRNG keys passed per call


def _akey(v) -> Any:
    if isinstance(v, jax.Array):
        if hasattr(v, "_base_array"):  # a typed PRNG key: its aval is rebuilt on each access
            hit = _KEY_AVALS.get(id(v))
            if hit is None or hit[0] is not v:
                if len(_KEY_AVALS) > 64:
                    _KEY_AVALS.clear()
                hit = _KEY_AVALS[id(v)] = (v, v.aval)
            return hit[1]
        aval = getattr(v, "aval", None)  # shape, dtype and weak type, cheap to hash
        return aval if aval is not None else (v.shape, v.dtype)
    if isinstance(v, np.ndarray):
        return (v.shape, v.dtype, "np")
    if isinstance(v, jax.ShapeDtypeStruct):
        return (v.shape, v.dtype, v.weak_type)
    return (type(v), v) if v is None or isinstance(v, (bool, int)) else (type(v),)


def _struct(r):
    if r[0] == 0:
        return r[1].avals[r[2]]
    return r[-1]


def _avals(kernel, d_refs, c_refs):
    sig = (
        tuple(_akey(_struct(r)) for r in d_refs)
        + (None,)
        + tuple(_akey(_struct(r)) for r in c_refs)
    )

    def build():
        out, aux = jax.eval_shape(
            kernel.f, tuple(_struct(r) for r in d_refs), tuple(_struct(r) for r in c_refs)
        )
        multi = isinstance(out, (tuple, list))
        outs = list(out) if multi else [out]
        avals = tuple(jax.ShapeDtypeStruct(o.shape, o.dtype) for o in (*outs, *aux))
        return (multi, len(outs), avals)

    return cached(("avals", kernel, sig), build)


def _joinable(g: _Graph) -> bool:
    """New calls may join a pending graph, or a collective one whose backward is deferred."""
    return g.state == PENDING or (g.sync and g.state == BACKWARD)


def _ref(a, graphs: list, diff: bool, tape_ok: bool = False):
    """A node input: a lazy output, a differentiable variable or a constant (None: not deferrable).

    ``tape_ok`` (collective nodes, which always run on the tape) accepts an
    input already computed on the tape as ``(4, ndarray, value)``.
    """
    if type(a) is LazyNDArray:
        owner, j, _ = a._lazy
        if type(owner) is _Node and _joinable(owner.graph):
            if owner.graph not in graphs:
                graphs.append(owner.graph)
            return (0, owner, j)
        _materialize(a)
    if isinstance(a, NDArray):
        v = _DATA.__get__(a)
        if _ENTRY.__get__(a) is not None:  # computed on the ordinary tape
            if not diff:
                return (2, v)
            return (4, a, v) if tape_ok else None
        if diff and a._grad_req is not None:
            return (1, a, v)
        return (2, v)
    if isinstance(a, jax.core.Tracer):
        return None
    return (2, a)


def defer(kernel, d_inputs, c_inputs, aux_targets=(), tape_fn=None):
    """Appends one call to a deferred graph; returns its lazy outputs, or None to run it now.

    ``kernel.f(dargs, cargs) -> (out, aux)`` is the pure function (``out`` one
    array or a tuple, ``aux`` a tuple of side outputs written into
    ``aux_targets``); ``kernel.forward(dargs, cargs) -> (out, aux, backward)``
    its compiled forward-with-vjp, used when the graph is replayed on the
    tape. Only ``d_inputs`` are differentiated.

    Examples:
        >>> from mxjax._src import deferred
        >>> deferred.defer(None, [1.0], [])  # nothing to differentiate: run now
    """
    if not _FLAGS["enabled"] or not _mode_state.recording:
        return None
    graphs: list = []
    d_refs = []
    live = False
    for a in d_inputs:
        r = _ref(a, graphs, True)
        if r is None:
            return None
        live = live or r[0] != 2
        d_refs.append(r)
    if not live:
        return None
    c_refs = []
    for a in c_inputs:
        r = _ref(a, graphs, False)
        if r is None:
            return None
        c_refs.append(r)
    if graphs:
        g = next((x for x in graphs if x.state != PENDING), graphs[0])
        for other in graphs:  # independent graphs joined by this call
            if other is not g:
                _merge(g, other)
        if len(g.nodes) >= MAX_NODES and not g.sync:
            _to_tape(g)
            return None
    else:
        g = _Graph()
    multi, n_out, avals = _avals(kernel, d_refs, c_refs)
    if len(avals) - n_out != len(aux_targets):
        raise ValueError(
            f"deferred call: expected {len(avals) - n_out} aux targets, got {len(aux_targets)}"
        )
    node = _Node(kernel, d_refs, c_refs, g, multi, n_out, avals, tape_fn)
    g.nodes.append(node)
    _STATS["deferred"] += 1
    outs = []
    for j in range(n_out):
        a = _new_lazy(node, j, avals[j])
        node.targets.append((j, weakref.ref(a)))
        outs.append(a)
    for i, t in enumerate(aux_targets):
        j = n_out + i
        _make_lazy(t, node, j, avals[j])
        node.targets.append((j, weakref.ref(t)))
    return tuple(outs) if multi else outs[0]


def _merge(g: _Graph, other: _Graph) -> None:
    """Moves the nodes of an independent pending graph into ``g``."""
    for n in other.nodes:
        n.graph = g
    g.nodes.extend(other.nodes)
    g.sync = g.sync or other.sync
    if other.state == BACKWARD:  # two collective graphs with deferred backwards
        g.state = BACKWARD
        g.heads += other.heads
        for i, leaf in enumerate(other.leaves):
            if leaf._grad is not None and _points_to(leaf._grad, other, i):
                leaf._grad._lazy = (g, len(g.leaves), leaf._grad._lazy[2])
            g.leaves.append(leaf)
            g.prev.append(other.prev[i])
    other.nodes, other.heads, other.leaves, other.prev = [], [], [], []
    other.state = DONE


def defer_apply(fn, inputs):
    """``autograd.apply(fn, *inputs)`` deferred when an input is lazy (None: run it now).

    Only functions with a stable identity are deferred (module-level
    functions at once, others once they are hot), so a steady loop builds the
    same graph every step.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import nd
        >>> from mxjax._src import deferred
        >>> deferred.defer_apply(jnp.exp, [nd.ones((1,))]) is None  # nothing lazy
        True
    """
    from mxjax._src.nd import _compile

    vals, idx = [], []
    for i, a in enumerate(inputs):
        if isinstance(a, NDArray):
            if type(a) is LazyNDArray:
                lz = a._lazy
                if type(lz[0]) is not _Node or lz[0].graph.state != PENDING:
                    return None
                vals.append(lz[2])
                idx.append(i)
            elif _ENTRY.__get__(a) is not None:
                return None
            else:
                vals.append(_DATA.__get__(a))
                if a._grad_req is not None:
                    idx.append(i)
        else:
            vals.append(a)
    if not idx:
        return None
    c = _compile.compiled(fn, vals, idx, always=True)
    if c is None or not (c.calls >= _compile._COMPILE_AFTER or _compile.stable(fn)):
        return None
    _, const = c.split(vals)
    kernel = c.kernel
    return defer(kernel, [inputs[i] for i in idx], list(const), tape_fn=kernel.tape_fn)


class Collective:
    """A call that needs the inputs of every device before it can run (SyncBatchNorm).

    Members join one by one (``join``); the node they share computes all
    outputs at once when the step's graph runs. Subclasses define ``n``
    (members), ``forward(d, c) -> (outs, aux, backward)`` over all members'
    inputs laid out member after member, ``member_avals(d, c)`` and
    ``incomplete(node, missing)`` (the error for a graph that must run before
    every member joined).

    Examples:
        >>> from mxjax._src import deferred
        >>> deferred.Collective.__name__
        'Collective'
    """

    n = 1
    d_per = 1
    c_per = 0
    aux_per = 0

    def spmd_form(self):
        """The member computation inside one program over the members' devices, or None.

        A hashable callable ``form(d, c, axis_name) -> (out, *aux)`` taking one
        member's own inputs and combining the members' values over the mesh
        axis ``axis_name``, with the numbers (and gradients) of ``forward``.
        None (the default): a graph holding this collective runs on the tape.
        """
        return None

    def __init__(self):
        self.node = None
        self.joined: set = set()

    def join(self, i, d_inputs, c_inputs, aux_targets, device):
        """Adds member ``i``; returns its lazy output, or None when deferral is off."""
        if not _FLAGS["enabled"] or not _mode_state.recording:
            return None
        graphs: list = []
        d_refs = [_ref(a, graphs, True, tape_ok=True) for a in d_inputs]
        c_refs = [_ref(a, graphs, False) for a in c_inputs]
        if any(r is None for r in (*d_refs, *c_refs)):
            return None
        node = self.node
        if node is None:
            n = self.n
            node = _Node(
                self,
                [None] * (n * self.d_per),
                [None] * (n * self.c_per),
                None,
                True,
                n,
                [None] * (n * (1 + self.aux_per)),
                None,
            )
            node.devices = {}
            self.node = node
            g = next((x for x in graphs if x.state != PENDING), graphs[0] if graphs else _Graph())
            node.graph = g
            g.nodes.append(node)
        g = node.graph
        for other in graphs:
            if other is not g:
                if other.sync and other.state != PENDING and g.state == PENDING:
                    _merge(other, g)
                    g = other
                else:
                    _merge(g, other)
        g.sync = True
        node.d[i * self.d_per : (i + 1) * self.d_per] = d_refs
        node.c[i * self.c_per : (i + 1) * self.c_per] = c_refs
        avals = self.member_avals([_struct(r) for r in d_refs], [_struct(r) for r in c_refs])
        n = self.n
        node.avals[i] = avals[0]
        node.devices[i] = device
        for k in range(self.aux_per):
            j = n + i * self.aux_per + k
            node.avals[j] = avals[1 + k]
            node.devices[j] = device
            _make_lazy(aux_targets[k], node, j, avals[1 + k])
            node.targets.append((j, weakref.ref(aux_targets[k])))
        self.joined.add(i)
        _STATS["deferred"] += 1
        out = _new_lazy(node, i, avals[0])
        node.targets.append((i, weakref.ref(out)))
        return out

    def full(self) -> bool:
        """Whether every member has joined (the next call starts a new collective)."""
        return len(self.joined) == self.n
