"""The per-context graphs of one multi-context step, run as one program over their devices.

In MXNet's multi-context loop (``split_and_load``, one ``net(x)`` and one
``backward()`` per context) every context records its own deferred graph.
Run one by one, the same forward-and-backward program would be compiled once
per device, because an XLA executable is bound to its device. Graphs with
the same structure and the same input shapes on distinct devices are run
instead as ONE program over a mesh of those devices (``jax.shard_map``): each
device runs the unchanged per-context computation on its own inputs, so the
values are those of the per-context programs, and the program is compiled
once for any number of contexts.

A network holding a SyncBatchNorm records ONE graph for all contexts (its
collective node joins them). When every context's part has the same
structure and shapes, that graph too runs as one program over the devices
(:func:`run_collective`): each device computes its own part, and the
collective combines the members' statistics inside the program
(``Collective.spmd_form``); otherwise it runs on the tape, node by node.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from mxjax._src.compile_cache import cached
from mxjax._src.deferred._state import _STATS, BACKWARD, DONE
from mxjax._src.deferred.graph import _FREED, _device_of, _Graph, _inexact, _topo
from mxjax._src.deferred.lazy import (
    LazyNDArray,
    _alive,
    _fill,
    _finish,
    _fwd_bwd,
    _points_to,
    _value,
)
from mxjax._src.deferred.record import Collective

__all__ = ["run_replicas"]

_AXIS = "contexts"


def _per_device(body, mesh):
    """``body`` as one program over ``mesh``: every block is declared replicated
    (``PartitionSpec()``) but holds its own device's values, so each device runs the
    per-context computation, with no communication between devices."""
    fn = jax.shard_map(
        body, mesh=mesh, in_specs=PartitionSpec(), out_specs=PartitionSpec(), check_vma=False
    )
    return _Replicas(mesh, jax.jit(fn))


def _on_one_device(leaves: list):
    """``(device, leaves)`` with host scalars put on the one device of the arrays, or None."""
    dev = None
    for x in leaves:
        if isinstance(x, jax.Array) and x.committed:
            devs = x.devices()
            if len(devs) != 1 or (dev is not None and devs != {dev}):
                return None
            (dev,) = devs
        elif not isinstance(x, (jax.Array, int, float, bool, np.number, np.bool_, np.ndarray)):
            return None
    if dev is None:
        return None
    # A host value or an uncommitted array (the step's random key and counter) follows the
    # committed inputs, as in the per-context program: copied to the context's device.
    return dev, [
        x if isinstance(x, jax.Array) and x.committed else jax.device_put(x, dev) for x in leaves
    ]


def run_replicas(arrays) -> int:
    """Runs the pending graphs behind ``arrays``, grouped into one program per structure.

    ``arrays`` are gradients (or outputs) of the contexts of one step; the
    deferred graphs they are pending on that share a program spec, kept
    outputs and input shapes, each on its own device, run together as one
    SPMD program; the others are left for their ordinary path. Returns the
    number of graphs run.

    Examples:
        >>> from mxjax import nd
        >>> from mxjax._src.deferred.replicas import run_replicas
        >>> run_replicas([nd.ones((2,))])  # nothing pending
        0
    """
    graphs: dict = {}
    for a in arrays:
        if type(a) is LazyNDArray:
            owner = a._lazy[0]
            if type(owner) is _Graph and owner.state == BACKWARD:
                graphs[id(owner)] = owner
    ran = 0
    for g in list(graphs.values()):
        if g.sync:
            del graphs[id(g)]
            ran += run_collective(g)
    if len(graphs) < 2:
        return ran
    groups: dict = {}
    for g in graphs.values():
        inputs = (tuple(g.leaf_vals), tuple(g.args), g.head_grads, tuple(g.adds))
        leaves, treedef = jax.tree_util.tree_flatten(inputs)
        placed = _on_one_device(leaves)
        if placed is None:
            continue
        dev, leaves = placed
        out_pos, targets = _alive(g)
        members = groups.setdefault((g.spec, out_pos, treedef, _avals(leaves)), {})
        if dev not in members:  # two graphs on one device: the second runs on its own
            members[dev] = (g, leaves, targets)
    for (spec, out_pos, treedef, _), members in groups.items():
        if len(members) < 2:
            continue
        devices = tuple(members)
        prog = _program(spec, out_pos, treedef, devices)
        outs, grads = _call(prog, treedef, [leaves for _, leaves, _ in members.values()])
        _STATS["programs"] += 1
        for dev, (g, _, targets) in members.items():
            _finish(
                g,
                targets,
                tuple(_block(o, dev) for o in outs),
                tuple(_block(x, dev) for x in grads),
            )
            ran += 1
    return ran


def _avals(leaves: list) -> tuple:
    return tuple((x.shape, x.dtype, getattr(x, "weak_type", False)) for x in leaves)


def _call(prog: _Replicas, treedef, per_device: list):
    """Runs ``prog`` on each device's own flat inputs (one list per device, in mesh order)."""
    sharding = NamedSharding(prog.mesh, PartitionSpec())
    # Each device's own buffers, seen by the program as that device's block.
    glob = [
        jax.make_array_from_single_device_arrays(xs[0].shape, sharding, list(xs))
        for xs in zip(*per_device)
    ]
    return prog(jax.tree_util.tree_unflatten(treedef, glob))


def _block(x: jax.Array, dev) -> jax.Array:
    for shard in x.addressable_shards:
        if shard.device == dev:
            return shard.data
    raise RuntimeError(f"mxjax internal error: no block of a replica program on {dev}")


class _Replicas:
    """A compiled program over a mesh of devices, and that mesh."""

    __slots__ = ("mesh", "fn")

    def __init__(self, mesh: Mesh, fn):
        self.mesh, self.fn = mesh, fn

    def __call__(self, inputs):
        return self.fn(inputs)


def _program(spec, out_pos, treedef, devices) -> _Replicas:
    return cached(
        ("replicas", spec, out_pos, treedef, devices),
        lambda: _build(spec, out_pos, devices),
    )


def _build(spec, out_pos, devices) -> _Replicas:
    fwd_bwd = _fwd_bwd(spec, out_pos)
    mesh = Mesh(np.asarray(devices, dtype=object), (_AXIS,))

    def fwd_bwd_contexts(inputs):
        return fwd_bwd(*inputs)

    return _per_device(fwd_bwd_contexts, mesh)


# ----------------------------------------------------------- collective (SyncBatchNorm) graphs
def _local_ref(r, k, n, pos, coll_ids, aux_per, leaf_at, leaves, args, diff):
    """Member ``k``'s description of one input ref, or None when the graph is not per-member."""
    if r[0] == 0:
        src, j = r[1], r[2]
        if id(src) in coll_ids:  # a collective's output: only member k's own ones
            if j == k:
                j = 0
            elif n <= j and (j - n) // aux_per == k:
                j = 1 + (j - n) % aux_per
            else:
                return None
        p = pos.get(id(src))
        if p is None:
            return None
        return (0 if diff else 3, p, j)
    if r[0] == 1 and diff:
        leaf, v = r[1], r[2]
        if leaf._grad_req in ("write", "add") and leaf._grad is not None and _inexact(v.dtype):
            i = leaf_at.get(id(leaf))
            if i is None:
                leaf_at[id(leaf)] = i = len(leaves)
                leaves.append((leaf, v))
            elif leaves[i][1] is not v:
                return None
            return (1, i)
    if r[0] == 4:
        return None  # an array computed on the tape: its gradient flows there
    args.append(r[-1])
    return (2, len(args) - 1)


def _member_plan(order, k, n, devices, coll_ids, aux_per, heads):
    """Member ``k``'s program spec, variables, constants, kept outputs and heads (or None)."""
    pos: dict = {}
    spec, leaves, args, leaf_at, out_pos, targets = [], [], [], {}, [], []
    for node in order:
        coll = id(node) in coll_ids
        if coll:
            d = node.d[k * node.kernel.d_per : (k + 1) * node.kernel.d_per]
            c = node.c[k * node.kernel.c_per : (k + 1) * node.kernel.c_per]
        else:
            if _device_of(node, 0) != devices[k]:
                continue
            d, c = node.d, node.c
        d_desc = [
            _local_ref(r, k, n, pos, coll_ids, aux_per, leaf_at, leaves, args, True) for r in d
        ]
        c_desc = [
            _local_ref(r, k, n, pos, coll_ids, aux_per, leaf_at, leaves, args, False) for r in c
        ]
        if any(x is None for x in (*d_desc, *c_desc)):
            return None
        pos[id(node)] = len(spec)
        kernel = node.kernel.spmd_form() if coll else node.kernel
        spec.append((kernel, coll or node.multi, coll, tuple(d_desc), tuple(c_desc)))
        for j, ref in node.targets:
            a = ref()
            if a is None or not _points_to(a, node, j):
                continue
            local = j
            if coll:
                if j == k:
                    local = 0
                elif n <= j and (j - n) // aux_per == k:
                    local = 1 + (j - n) % aux_per
                else:
                    continue
            out_pos.append((len(spec) - 1, local))
            targets.append((a, (j < node.n_out)))
    head_pos, head_grads = [], []
    for h, hg in heads:
        node, j, aval = h._lazy
        if not _inexact(aval.dtype) or id(node) in coll_ids:
            return None
        if _device_of(node, 0) == devices[k]:
            head_pos.append((pos[id(node)], j))
            head_grads.append(hg)
    if not head_pos:
        return None
    if any(hg is None for hg in head_grads) and any(hg is not None for hg in head_grads):
        return None
    hgs = None if head_grads[0] is None else tuple(head_grads)
    reached = _reached(spec, head_pos)
    return (tuple(spec), tuple(out_pos), tuple(head_pos), reached), leaves, args, hgs, targets


def _reached(spec, head_pos) -> tuple:
    """The variables a gradient reaches from the heads (the tape writes only those)."""
    todo = [i for i, _ in head_pos]
    seen: set = set()
    found: set = set()
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        for x in spec[i][3]:
            if x[0] == 0:
                todo.append(x[1])
            elif x[0] == 1:
                found.add(x[1])
    return tuple(sorted(found))


def run_collective(g: _Graph) -> bool:
    """Runs a collective graph (SyncBatchNorm in the multi-context loop) as one program.

    Every device runs its own context's part; a collective node combines the
    members' statistics inside the program (``Collective.member_spmd``). Returns
    False, changing nothing, when the graph is not one part per device of one
    shape (an uneven batch, a tape input ...): it then runs on the tape.
    """
    if any(r is None for nd_ in g.nodes for r in nd_.d):
        return False  # incomplete: the tape path raises the collective's own error
    colls = [nd_ for nd_ in g.nodes if isinstance(nd_.kernel, Collective)]
    if not colls or any(c.kernel.spmd_form() is None for c in colls):
        return False
    n = colls[0].kernel.n
    devices = tuple(colls[0].devices.get(i) for i in range(n))
    if None in devices or len(set(devices)) != n:
        return False
    if any(c.kernel.n != n or tuple(c.devices.get(i) for i in range(n)) != devices for c in colls):
        return False
    aux_per = colls[0].kernel.aux_per
    if any(c.kernel.aux_per != aux_per for c in colls):
        return False
    coll_ids = {id(c) for c in colls}
    order = _topo(g.nodes)
    plans = [_member_plan(order, k, n, devices, coll_ids, aux_per, g.heads) for k in range(n)]
    if any(p is None for p in plans):
        return False
    keys, placed = [], []
    for k, (spec, leaves, args, hgs, _) in enumerate(plans):
        flat, treedef = jax.tree_util.tree_flatten((tuple(v for _, v in leaves), tuple(args), hgs))
        on = _on_one_device(flat)
        if on is None or on[0] != devices[k]:
            return False
        placed.append(on[1])
        keys.append((spec, treedef, _avals(on[1])))
    if any(key != keys[0] for key in keys[1:]):
        return False
    known = {id(leaf) for leaf in g.leaves}
    if any(id(leaf) not in known for _, leaves, _, _, _ in plans for leaf, _ in leaves):
        return False
    spec, treedef, _ = keys[0]
    outs, grads = _call(_collective_program(spec, treedef, devices), treedef, placed)
    _STATS["programs"] += 1
    for i, leaf in enumerate(g.leaves):  # the gradients as they were; the reached ones change
        if leaf._grad is not None and _points_to(leaf._grad, g, i):
            _fill(leaf._grad, g.prev[i], None)
    reached = spec[3]
    for dev, (_, leaves, _, _, targets) in zip(devices, plans):
        for (a, diff), v in zip(targets, outs):
            _fill(a, _block(v, dev), (_FREED, 0) if diff else None)
        for i in reached:
            leaf = leaves[i][0]
            ct = _block(grads[i], dev)
            grad = leaf._grad
            if ct.dtype != leaf._data.dtype:
                ct = ct.astype(leaf._data.dtype)
            grad._data = grad._data + ct if leaf._grad_req == "add" else ct
            grad._entry = None
            leaf._fresh = True
    g.state = DONE
    g.nodes, g.heads, g.prev, g.leaves = [], [], [], []
    return True


def _collective_program(spec, treedef, devices) -> _Replicas:
    return cached(
        ("collective", spec, treedef, devices),
        lambda: _build_collective(spec, devices),
    )


def _build_collective(spec, devices) -> _Replicas:
    nodes, out_pos, head_pos, reached = spec
    mesh = Mesh(np.asarray(devices, dtype=object), (_AXIS,))

    def forward(leaves, args):
        env: list = []
        for kernel, multi, coll, d_desc, c_desc in nodes:
            d = tuple(_value(x, env, leaves, args) for x in d_desc)
            c = tuple(_value(x, env, leaves, args) for x in c_desc)
            if coll:
                env.append(tuple(kernel(d, c, _AXIS)))
                continue
            out, aux = kernel.f(d, c)
            env.append((*(tuple(out) if multi else (out,)), *aux))
        return env

    def fwd_bwd_contexts(inputs):
        leaves, args, head_grads = inputs

        def f(lv):
            env = forward(lv, args)
            return tuple(env[i][j] for i, j in head_pos), env

        heads, pull, env = jax.vjp(f, tuple(leaves), has_aux=True)
        if head_grads is not None:
            cts = tuple(g.astype(h.dtype) for g, h in zip(head_grads, heads))
        else:
            cts = tuple(jnp.ones(h.shape, h.dtype) for h in heads)
        (grads,) = pull(cts)
        return tuple(env[i][j] for i, j in out_pos), tuple(grads)

    return _per_device(fwd_bwd_contexts, mesh)
