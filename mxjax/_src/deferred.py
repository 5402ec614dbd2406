"""Deferred recording: a recorded training step runs as one compiled program.

Under ``autograd.record()``, a call that has a stable compiled kernel (a
hybridized block, a Gluon layer or loss, an ``nd`` operator) does not run at
once. It appends a node to a *graph* and returns :class:`LazyNDArray` outputs
that know their shape, dtype and context but hold no value yet.

``loss.backward()`` on lazy heads records what to differentiate and makes the
variables' gradients lazy too. The next thing that needs a value decides how
the graph runs:

* ``Trainer.step()`` runs forward, backward and the optimizer update as one
  ``jax.jit`` program (:func:`try_step`): the whole Gluon step is a single
  dispatch, like a hand-written ``jax.jit`` train step;
* reading an output or a gradient runs forward and backward as one program;
* reading an output *before* ``backward()`` (or a ``retain_graph`` /
  ``create_graph`` backward, or an operation that cannot be deferred) replays
  the graph onto the ordinary tape, node by node, exactly as if it had run
  eagerly.

The values are the ones eager execution would give: every input value is
captured when its node is created, random keys are inputs, and the programs
are cached per graph structure (a steady training loop compiles once).
Set ``MXJAX_DEFER=0`` to turn deferral off.
"""

from __future__ import annotations

import copy
import os
import sys
import weakref
from collections import OrderedDict
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src import autograd as ag
from mxjax._src.nd.ndarray import NDArray

__all__ = ["LazyNDArray", "defer", "enabled", "set_enabled", "stats", "try_backward", "try_step"]

_DATA = NDArray.__dict__["_data"]  # the slot descriptors under the lazy properties
_ENTRY = NDArray.__dict__["_entry"]

PENDING, BACKWARD, DONE, STEPPED = 0, 1, 2, 3
MAX_NODES = 256  # a larger graph is replayed onto the tape instead of growing further
_MAX_PROGRAMS = 64
_PROGRAMS: OrderedDict = OrderedDict()
_AVALS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_FLAGS = {"enabled": os.environ.get("MXJAX_DEFER", "1") not in ("0", "false", "False")}
_STATS = {"deferred": 0, "programs": 0, "steps": 0, "taped": 0}


def enabled() -> bool:
    """Whether recorded calls are deferred (``MXJAX_DEFER=0`` turns it off).

    Examples:
        >>> from mxjax._src import deferred
        >>> isinstance(deferred.enabled(), bool)
        True
    """
    return _FLAGS["enabled"]


def set_enabled(on: bool) -> bool:
    """Turns deferral on or off; returns the previous setting.

    Examples:
        >>> from mxjax._src import deferred
        >>> old = deferred.set_enabled(False)
        >>> deferred.set_enabled(old)
        False
    """
    old = _FLAGS["enabled"]
    _FLAGS["enabled"] = bool(on)
    return old


def stats() -> dict:
    """Counters: deferred nodes, fused programs run, fused optimizer steps, graphs taped.

    Examples:
        >>> from mxjax._src import deferred
        >>> sorted(deferred.stats())
        ['deferred', 'programs', 'steps', 'taped']
    """
    return dict(_STATS)


# ----------------------------------------------------------------------------- lazy arrays
class LazyNDArray(NDArray):
    """An NDArray whose value a deferred graph has not computed yet.

    Shape, dtype and context are known; reading the value (``asnumpy()``,
    ``.jax``, using it in an operation that cannot be deferred ...) runs the
    graph and turns the array into an ordinary :class:`NDArray` in place.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax import autograd, gluon
        >>> net = gluon.nn.Dense(2, in_units=3)
        >>> net.initialize()
        >>> with autograd.record():
        ...     y = net(mx.nd.ones((4, 3)))
        >>> y.shape, type(y).__name__
        ((4, 2), 'LazyNDArray')
        >>> y.asnumpy().shape, type(y).__name__
        ((4, 2), 'NDArray')
    """

    __slots__ = ()

    @property
    def _data(self):
        owner = self._lazy[0]
        if type(owner) is _Node and owner.graph.sync and owner.graph.state in (PENDING, BACKWARD):
            # A collective graph's value is read before its backward: compute the forward
            # values only, so later backward calls (one per device's loss) still join it.
            if owner.values is None:
                _evaluate(owner.graph)
            return owner.values[self._lazy[1]]
        _materialize(self)
        return _DATA.__get__(self)

    @_data.setter
    def _data(self, value):
        _DATA.__set__(self, value)
        self._lazy = None
        self.__class__ = NDArray

    @property
    def _entry(self):
        _materialize(self)
        return _ENTRY.__get__(self)

    @_entry.setter
    def _entry(self, value):
        _ENTRY.__set__(self, value)

    @property
    def shape(self) -> tuple:
        """The shape as a tuple of ints (known without computing the value)."""
        return tuple(self._lazy[2].shape)

    @property
    def dtype(self):
        """The NumPy scalar type (known without computing the value)."""
        return np.dtype(self._lazy[2].dtype).type

    @property
    def size(self) -> int:
        """Number of elements."""
        return int(np.prod(self._lazy[2].shape, dtype=np.int64))

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self._lazy[2].shape)

    @property
    def context(self):
        """The context the value will live on."""
        from mxjax._src import context as _ctx

        owner, j, aval = self._lazy
        dev = next(iter(aval.devices())) if isinstance(aval, jax.Array) else _device_of(owner, j)
        return _ctx.current_context() if dev is None else _ctx.context_of_device(dev)

    ctx = context

    # copies and pickles see the value (after this, the array is an ordinary NDArray)
    def __copy__(self):
        _materialize(self)
        return copy.copy(self)

    def __deepcopy__(self, memo):
        _materialize(self)
        return copy.deepcopy(self, memo)

    def __reduce_ex__(self, protocol):
        _materialize(self)
        return self.__reduce_ex__(protocol)


ag._Lazy = LazyNDArray
ag._deferred = sys.modules[__name__]
jax.tree_util.register_pytree_node(
    LazyNDArray, lambda x: ((x._data,), None), lambda _, children: NDArray(children[0])
)


def _new_lazy(owner, j, aval) -> LazyNDArray:
    a = object.__new__(LazyNDArray)
    _ENTRY.__set__(a, None)
    a._grad = None
    a._grad_req = None
    a._fresh = False
    a._lazy = (owner, j, aval)
    return a


def _make_lazy(a: NDArray, owner, j, aval) -> None:
    """Turns an existing NDArray (a BatchNorm statistic, a gradient buffer) lazy in place."""
    if type(a) is not LazyNDArray:
        a.__class__ = LazyNDArray
    _ENTRY.__set__(a, None)
    a._lazy = (owner, j, aval)


def _fill(a: NDArray, value, entry) -> None:
    _DATA.__set__(a, value)
    _ENTRY.__set__(a, entry)
    a._lazy = None
    a.__class__ = NDArray


def _points_to(a, owner, j) -> bool:
    lz = a._lazy if type(a) is LazyNDArray else None
    return lz is not None and lz[0] is owner and lz[1] == j


def _materialize(a: LazyNDArray) -> None:
    owner = a._lazy[0]
    g = owner.graph if type(owner) is _Node else owner
    if g.state == PENDING:
        _to_tape(g)
    elif g.state == BACKWARD:
        _run_sync(g) if g.sync else _execute(g)
    elif g.state == STEPPED:  # a gradient read after the fused update
        _execute(g)
    if type(a) is LazyNDArray:  # pragma: no cover - every target is filled above
        raise RuntimeError("mxjax internal error: a deferred array was not computed")


# ----------------------------------------------------------------------------- graphs
class _Node:
    __slots__ = (
        "kernel",
        "d",
        "c",
        "graph",
        "multi",
        "n_out",
        "avals",
        "targets",
        "tape_fn",
        "devices",
        "values",
    )

    def __init__(self, kernel, d, c, graph, multi, n_out, avals, tape_fn):
        self.kernel = kernel
        self.d = d  # refs: (0, node, j) | (1, leaf NDArray, value) | (2, value)
        self.c = c
        self.graph = graph
        self.multi = multi
        self.n_out = n_out
        self.avals = avals
        self.targets: list = []  # (j, weakref to the NDArray that receives output j)
        self.tape_fn = tape_fn
        self.devices: dict | None = None  # output -> device, for nodes spanning devices
        self.values: list | None = None  # forward values of a collective graph read early


class _Graph:
    __slots__ = (
        "nodes",
        "state",
        "spec",
        "leaves",
        "leaf_vals",
        "args",
        "head_grads",
        "adds",
        "sync",
        "heads",
        "prev",
    )

    def __init__(self):
        self.nodes: list = []
        self.state = PENDING
        self.spec = None
        self.leaves: list = []
        self.leaf_vals: list = []
        self.args: list = []
        self.head_grads = None
        self.adds: list = []
        self.sync = False  # holds a collective node (SyncBatchNorm): runs on the tape, jointly
        self.heads: list = []  # sync graphs: (head, head_grad) of every deferred backward
        self.prev: list = []  # sync graphs: gradient values before the deferred backward


_FREED = ag._Node(None, None, (), False)  # the entry of outputs whose graph ran backward


def _device_of(owner, j=None):
    """The device output ``j`` of a node will live on: that of its data inputs."""
    if type(owner) is not _Node:
        return None
    if owner.devices is not None and j in owner.devices:
        return owner.devices[j]
    dev = None
    stack = [(owner, j)]
    seen: set = set()
    while stack and dev is None:
        node, out = stack.pop()
        if node.devices is not None and out in node.devices:  # collectives know theirs
            dev = node.devices[out]
            break
        if id(node) in seen:
            continue
        seen.add(id(node))
        later = []
        for r in node.d:  # data inputs; constants (keys ...) only as a last resort
            if r is None:
                continue
            if r[0] == 0:
                later.append((r[1], r[2]))
            elif isinstance(r[-1], jax.Array):
                dev = next(iter(r[-1].devices()))
                break
        stack.extend(reversed(later))
    if dev is None:  # only constants: the first one with a device
        for r in owner.c:
            if r is not None and isinstance(r[-1], jax.Array):
                dev = next(iter(r[-1].devices()))
                break
    if dev is not None:
        if owner.devices is None:
            owner.devices = {}
        owner.devices[j] = dev
    return dev


_INEXACT: dict = {}
_KEY_AVALS: dict = {}  # id -> (key array, aval) for the few long-lived PRNG keys passed per call


def _inexact(dtype) -> bool:
    hit = _INEXACT.get(dtype)
    if hit is None:
        hit = _INEXACT[dtype] = bool(jnp.issubdtype(dtype, jnp.inexact))
    return hit


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
    cache = _AVALS.get(kernel)
    if cache is None:
        _AVALS[kernel] = cache = {}
    sig = (
        tuple(_akey(_struct(r)) for r in d_refs)
        + (None,)
        + tuple(_akey(_struct(r)) for r in c_refs)
    )
    hit = cache.get(sig)
    if hit is None:
        out, aux = jax.eval_shape(
            kernel.f, tuple(_struct(r) for r in d_refs), tuple(_struct(r) for r in c_refs)
        )
        multi = isinstance(out, (tuple, list))
        outs = list(out) if multi else [out]
        avals = tuple(jax.ShapeDtypeStruct(o.shape, o.dtype) for o in (*outs, *aux))
        if len(cache) > 64:
            cache.clear()
        cache[sig] = hit = (multi, len(outs), avals)
    return hit


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
    if not _FLAGS["enabled"] or not ag._state.recording:
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


# ----------------------------------------------------------------------------- tape replay
def _node_inputs(n: _Node) -> list:
    return [r[1] for r in (*n.d, *n.c) if r is not None and r[0] == 0]


def _topo(nodes: list) -> list:
    """Nodes in dependency order (collective nodes gather inputs created after them)."""
    return ag.postorder(nodes, _node_inputs)


def _check_complete(g: _Graph) -> None:
    for n in g.nodes:
        missing = [i for i, r in enumerate(n.d) if r is None]
        if missing:
            raise n.kernel.incomplete(n, missing)


def _evaluate(g: _Graph) -> None:
    """Computes the forward values of a collective graph without consuming it."""
    _check_complete(g)
    done: dict = {}

    def value(r):
        return done[id(r[1])][r[2]] if r[0] == 0 else r[-1]

    for node in _topo(g.nodes):
        out, aux, _ = node.kernel.forward(
            tuple(value(r) for r in node.d), tuple(value(r) for r in node.c)
        )
        done[id(node)] = node.values = [*(list(out) if node.multi else [out]), *aux]


def _to_tape(g: _Graph) -> None:
    """Runs a pending graph node by node on the ordinary autograd tape."""
    if g.sync:
        _check_complete(g)
    g.state = DONE
    _STATS["taped"] += 1
    done: dict = {}
    for node in _topo(g.nodes) if g.sync else g.nodes:
        d_nd, d_vals = [], []
        for r in node.d:
            if r[0] == 0:
                x = done[id(r[1])][r[2]]
                d_nd.append(x)
                d_vals.append(_DATA.__get__(x))
            elif r[0] in (1, 4):  # a variable, or an array on the tape (collectives)
                d_nd.append(r[1])
                d_vals.append(r[2])
            else:
                d_nd.append(None)
                d_vals.append(r[1])
        c_vals = tuple(_DATA.__get__(done[id(r[1])][r[2]]) if r[0] == 0 else r[-1] for r in node.c)
        d_vals = tuple(d_vals)
        out, aux, backward = node.kernel.forward(d_vals, c_vals)
        outs = list(out) if node.multi else [out]
        parents = []
        for x in d_nd:
            p = None
            if x is not None:
                e = _ENTRY.__get__(x)
                if e is not None:
                    p = e
                elif x._grad_req is not None:
                    p = (None, x)
            parents.append(p)

        def vjp(ct, backward=backward):
            return tuple(backward(ct))

        fn = node.tape_fn(c_vals) if node.tape_fn is not None else None
        tnode = ag._Node(
            vjp,
            parents,
            tuple((o.shape, o.dtype) for o in outs),
            node.multi,
            fn,
            list(d_vals) if fn is not None else None,
        )
        values = [*outs, *aux]
        wrapped = []
        for j, o in enumerate(values):
            w = NDArray(o)
            if j < node.n_out:
                _ENTRY.__set__(w, (tnode, j))
            wrapped.append(w)
        done[id(node)] = wrapped
        for j, ref in node.targets:
            a = ref()
            if a is not None and _points_to(a, node, j):
                _fill(a, values[j], _ENTRY.__get__(wrapped[j]))
    g.nodes = []


# ----------------------------------------------------------------------------- backward
def _prepare(g: _Graph, heads, head_grads):
    """The program spec of ``g`` differentiated at ``heads`` (None: replay on the tape)."""
    pos = {id(n): i for i, n in enumerate(g.nodes)}
    leaves, leaf_vals, where, args, reqs = [], [], {}, [], []
    spec_nodes = []
    for n in g.nodes:
        d_desc = []
        for r in n.d:
            if r[0] == 0:
                d_desc.append((0, pos[id(r[1])], r[2]))
                continue
            if r[0] == 1:
                leaf, v = r[1], r[2]
                req = leaf._grad_req
                if req in ("write", "add") and _inexact(v.dtype):
                    if leaf._grad is None:
                        return None
                    i = where.get(id(leaf))
                    if i is None:
                        where[id(leaf)] = i = len(leaves)
                        leaves.append(leaf)
                        leaf_vals.append(v)
                        reqs.append(req)
                    elif leaf_vals[i] is not v:  # the variable changed between two uses
                        return None
                    d_desc.append((1, i))
                    continue
            args.append(r[-1])
            d_desc.append((2, len(args) - 1))
        c_desc = []
        for r in n.c:
            if r[0] == 0:
                c_desc.append((3, pos[id(r[1])], r[2]))
            else:
                args.append(r[-1])
                c_desc.append((2, len(args) - 1))
        spec_nodes.append((n.kernel, n.multi, tuple(d_desc), tuple(c_desc)))
    head_pos = []
    for h in heads:
        node, j, aval = h._lazy
        if not _inexact(aval.dtype):
            return None
        head_pos.append((pos[id(node)], j))
    adds = tuple(i for i, r in enumerate(reqs) if r == "add")
    spec = (tuple(spec_nodes), tuple(head_pos), head_grads is not None, adds)
    return spec, leaves, leaf_vals, args


def try_backward(heads, head_grads) -> bool:
    """Defers ``backward(heads)`` when every head is lazy; False when it must run now.

    Examples:
        >>> from mxjax import nd
        >>> from mxjax._src import deferred
        >>> deferred.try_backward([nd.ones((1,))], None)
        False
    """
    if not _FLAGS["enabled"]:
        return False
    heads = list(heads) if isinstance(heads, (list, tuple)) else [heads]
    if not heads or any(type(h) is not LazyNDArray or type(h._lazy[0]) is not _Node for h in heads):
        return False
    if head_grads is not None:
        head_grads = list(head_grads) if isinstance(head_grads, (list, tuple)) else [head_grads]
        if len(head_grads) != len(heads):
            return False
    groups: dict = {}
    for i, h in enumerate(heads):
        g = h._lazy[0].graph
        if g.sync:
            if g.state == DONE or any(x is h for x, _ in g.heads):
                raise ag.AutogradError(ag._FREED)
        elif g.state == BACKWARD:
            raise ag.AutogradError(ag._FREED)
        elif g.state != PENDING:
            return False
        groups.setdefault(id(g), (g, []))[1].append(i)
    syncs = [g for g, _ in groups.values() if g.sync]
    if syncs:
        if len(syncs) != len(groups):
            return False  # mixed with ordinary graphs: run everything on the tape
        for g, idx in groups.values():
            _sync_mark(g)
            for i in idx:
                hg = None if head_grads is None else ag._head_grad(heads[i], head_grads[i])
                g.heads.append((heads[i], hg))
        return True
    plans = []
    seen: set = set()
    for g, idx in groups.values():
        hg = None
        if head_grads is not None:
            hg = tuple(ag._head_grad(heads[i], head_grads[i]) for i in idx)
        plan = _prepare(g, [heads[i] for i in idx], hg)
        if plan is None:
            return False
        ids = {id(leaf) for leaf in plan[1]}
        if ids & seen:  # two graphs write the same gradient: let the tape add them
            return False
        seen |= ids
        plans.append((g, plan, hg))
    for g, (spec, leaves, leaf_vals, args), hg in plans:
        g.state = BACKWARD
        g.spec, g.leaves, g.leaf_vals, g.args, g.head_grads = spec, leaves, leaf_vals, args, hg
        g.adds = [leaves[i]._grad._data for i in spec[3]]  # may run an earlier graph
        for i, leaf in enumerate(leaves):
            grad = leaf._grad
            _make_lazy(grad, g, i, leaf_vals[i])  # the value stands in for its shape and dtype
            leaf._fresh = True
    return True


def _sync_mark(g: _Graph) -> None:
    """Makes the gradients of a collective graph's variables lazy (also ones joined later)."""
    g.state = BACKWARD
    known = {id(leaf) for leaf in g.leaves}
    for n in g.nodes:
        for r in n.d:
            if r is None or r[0] != 1:
                continue
            leaf, v = r[1], r[2]
            if id(leaf) in known or leaf._grad is None or leaf._grad_req not in ("write", "add"):
                continue
            known.add(id(leaf))
            g.prev.append(leaf._grad._data)  # may run an earlier graph
            g.leaves.append(leaf)
            _make_lazy(leaf._grad, g, len(g.leaves) - 1, v)
            leaf._fresh = True


def _run_sync(g: _Graph) -> None:
    """Runs a collective graph: replay on the tape, then one backward over all its heads."""
    _check_complete(g)
    for i, leaf in enumerate(g.leaves):
        if leaf._grad is not None and _points_to(leaf._grad, g, i):
            _fill(leaf._grad, g.prev[i], None)
    heads = g.heads
    g.state = PENDING
    _to_tape(g)
    hgs = [hg for _, hg in heads]
    leaves = ag._run([h for h, _ in heads], hgs if any(x is not None for x in hgs) else None, False)
    ag._write_grads(leaves)
    g.heads, g.prev, g.leaves = [], [], []


# ----------------------------------------------------------------------------- programs
def _program(spec, out_pos, update):
    key = (spec, out_pos, update)
    prog = _PROGRAMS.get(key)
    if prog is not None:
        _PROGRAMS.move_to_end(key)
        return prog
    nodes, head_pos, has_hg, adds = spec

    def forward(leaves, args):
        env: list = []
        for kernel, multi, d_desc, c_desc in nodes:
            d = tuple(_value(x, env, leaves, args) for x in d_desc)
            c = tuple(_value(x, env, leaves, args) for x in c_desc)
            out, aux = kernel.f(d, c)
            env.append((*(tuple(out) if multi else (out,)), *aux))
        return env

    def fwd_bwd(leaves, args, head_grads, adds_in):
        def f(lv):
            env = forward(lv, args)
            return tuple(env[i][j] for i, j in head_pos), env

        heads, pull, env = jax.vjp(f, tuple(leaves), has_aux=True)
        if has_hg:
            cts = tuple(g.astype(h.dtype) for g, h in zip(head_grads, heads))
        else:
            cts = tuple(jnp.ones(h.shape, h.dtype) for h in heads)
        (grads,) = pull(cts)
        grads = list(grads)
        for k, extra in zip(adds, adds_in):
            grads[k] = grads[k] + extra.astype(grads[k].dtype)
        return tuple(env[i][j] for i, j in out_pos), tuple(grads)

    if update is None:
        prog = jax.jit(fwd_bwd)
    else:
        run, param_pos = update

        def step(leaves, args, head_grads, adds_in, states, hp, mask):
            outs, grads = fwd_bwd(leaves, args, head_grads, adds_in)
            weights = tuple(leaves[k] for k in param_pos)
            new_w, new_s = run(weights, tuple(grads[k] for k in param_pos), states, hp, mask)
            # The new states first: donated state buffers are matched to the first outputs of
            # the same shape, so the update happens in place (no defensive copies). Gradients
            # are returned only for grad_req='add'; 'write' ones are recomputed if read.
            return new_s, new_w, outs, (grads if adds else ())

        prog = jax.jit(step, donate_argnums=(4,))
    _PROGRAMS[key] = prog
    if len(_PROGRAMS) > _MAX_PROGRAMS:
        _PROGRAMS.popitem(last=False)
    return prog


def _value(x, env, leaves, args):
    kind = x[0]
    if kind == 0:
        return env[x[1]][x[2]]
    if kind == 1:
        return leaves[x[1]]
    if kind == 2:
        return args[x[1]]
    return jax.lax.stop_gradient(env[x[1]][x[2]])


def _alive(g: _Graph):
    out_pos, targets = [], []
    for i, n in enumerate(g.nodes):
        for j, ref in n.targets:
            a = ref()
            if a is not None and _points_to(a, n, j):
                out_pos.append((i, j))
                targets.append((a, j < n.n_out))
    return tuple(out_pos), targets


def _finish(g: _Graph, targets, outs, grads) -> None:
    for (a, diff), v in zip(targets, outs):
        _fill(a, v, (_FREED, 0) if diff else None)
    for i, (leaf, v) in enumerate(zip(g.leaves, grads)):
        grad = leaf._grad
        if grad is not None and _points_to(grad, g, i):
            _fill(grad, v, None)
    g.state = DONE
    g.nodes, g.leaves, g.leaf_vals, g.args, g.head_grads, g.adds = [], [], [], [], None, []


def _execute(g: _Graph) -> None:
    """Runs forward and backward of a graph whose backward was deferred."""
    out_pos, targets = _alive(g)
    prog = _program(g.spec, out_pos, None)
    _STATS["programs"] += 1
    outs, grads = prog(tuple(g.leaf_vals), tuple(g.args), g.head_grads, tuple(g.adds))
    _finish(g, targets, outs, grads)


def try_step(arrays, run, states, hp, mask):
    """Fuses a pending backward with an optimizer update into one program.

    ``arrays`` are the parameters' NDArrays (one context each); their
    gradients must all be pending on the same graph, and their values
    unchanged since the forward pass. ``run(weights, grads, states, hp, mask)
    -> (new_weights, new_states)`` is the Trainer's update. Returns
    ``(new_weights, new_states)``, or None when the update must run on its own.

    Examples:
        >>> from mxjax import nd
        >>> from mxjax._src import deferred
        >>> deferred.try_step([nd.ones((1,))], None, None, None, None) is None
        True
    """
    if not arrays:
        return None
    g = None
    pos = []
    for a in arrays:
        grad = a._grad
        if type(grad) is not LazyNDArray:
            return None
        owner, i, _ = grad._lazy
        if type(owner) is not _Graph or owner.state != BACKWARD or owner.sync:
            return None
        if g is None:
            g = owner
        elif owner is not g:
            return None
        if type(a) is LazyNDArray or _DATA.__get__(a) is not g.leaf_vals[i]:
            return None  # changed after the forward pass
        pos.append(i)
    out_pos, targets = _alive(g)
    prog = _program(g.spec, out_pos, (run, tuple(pos)))
    _STATS["programs"] += 1
    _STATS["steps"] += 1
    new_s, new_w, outs, grads = prog(
        tuple(g.leaf_vals), tuple(g.args), g.head_grads, tuple(g.adds), states, hp, mask
    )
    if grads:
        _finish(g, targets, outs, grads)
    else:  # gradients stay lazy: reading one recomputes them from the captured inputs
        for (a, diff), v in zip(targets, outs):
            _fill(a, v, (_FREED, 0) if diff else None)
        g.state = STEPPED
        g.nodes = []
    return new_w, new_s


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


# ----------------------------------------------------------------------------- collectives
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

    def __init__(self):
        self.node = None
        self.joined: set = set()

    def join(self, i, d_inputs, c_inputs, aux_targets, device):
        """Adds member ``i``; returns its lazy output, or None when deferral is off."""
        if not _FLAGS["enabled"] or not ag._state.recording:
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
