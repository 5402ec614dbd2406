"""A deferred ``backward()``, and its fusion with the optimizer step (``try_step``)."""

from __future__ import annotations

from mxjax._src import autograd as ag
from mxjax._src.deferred._state import _FLAGS, _STATS, BACKWARD, DONE, PENDING, STEPPED
from mxjax._src.deferred.graph import _FREED, _Graph, _inexact, _Node
from mxjax._src.deferred.lazy import (
    _DATA,
    LazyNDArray,
    _alive,
    _fill,
    _finish,
    _make_lazy,
    _program,
)
from mxjax._src.errors import AutogradError

__all__ = ["try_backward", "try_step"]


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
                raise AutogradError(ag._FREED)
        elif g.state == BACKWARD:
            raise AutogradError(ag._FREED)
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
