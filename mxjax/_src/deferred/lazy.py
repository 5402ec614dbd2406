"""Lazy arrays, and running a deferred graph to fill them (tape replay or one program)."""

from __future__ import annotations

import copy

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src import autograd as ag
from mxjax._src.compile_cache import cached
from mxjax._src.deferred._state import _STATS, BACKWARD, DONE, PENDING, STEPPED
from mxjax._src.deferred.graph import _FREED, _check_complete, _device_of, _Graph, _Node, _topo
from mxjax._src.nd.ndarray import NDArray

__all__ = ["LazyNDArray"]

_DATA = NDArray.__dict__["_data"]  # the slot descriptors under the lazy properties
_ENTRY = NDArray.__dict__["_entry"]


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


def _program(spec, out_pos, update):
    return cached(("step", spec, out_pos, update), lambda: _build_program(spec, out_pos, update))


def _fwd_bwd(spec, out_pos):
    """The pure forward-and-backward function of a program spec (see ``_prepare``)."""
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

    return fwd_bwd


def _build_program(spec, out_pos, update):
    fwd_bwd = _fwd_bwd(spec, out_pos)
    adds = spec[3]
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
