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
"""

from __future__ import annotations

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from mxjax._src.compile_cache import cached
from mxjax._src.deferred._state import _STATS, BACKWARD
from mxjax._src.deferred.graph import _Graph
from mxjax._src.deferred.lazy import LazyNDArray, _alive, _finish, _fwd_bwd

__all__ = ["run_replicas"]

_AXIS = "contexts"


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
            if type(owner) is _Graph and owner.state == BACKWARD and not owner.sync:
                graphs[id(owner)] = owner
    if len(graphs) < 2:
        return 0
    groups: dict = {}
    for g in graphs.values():
        inputs = (tuple(g.leaf_vals), tuple(g.args), g.head_grads, tuple(g.adds))
        leaves, treedef = jax.tree_util.tree_flatten(inputs)
        placed = _on_one_device(leaves)
        if placed is None:
            continue
        dev, leaves = placed
        out_pos, targets = _alive(g)
        avals = tuple((x.shape, x.dtype, getattr(x, "weak_type", False)) for x in leaves)
        members = groups.setdefault((g.spec, out_pos, treedef, avals), {})
        if dev not in members:  # two graphs on one device: the second runs on its own
            members[dev] = (g, leaves, targets)
    ran = 0
    for (spec, out_pos, treedef, _), members in groups.items():
        if len(members) < 2:
            continue
        devices = tuple(members)
        prog = _program(spec, out_pos, treedef, devices)
        mesh = prog.mesh
        sharding = NamedSharding(mesh, PartitionSpec())
        per_input = zip(*(leaves for _, leaves, _ in members.values()))
        # Each device's own buffers, seen by the program as that device's block.
        glob = [
            jax.make_array_from_single_device_arrays(xs[0].shape, sharding, list(xs))
            for xs in per_input
        ]
        outs, grads = prog(jax.tree_util.tree_unflatten(treedef, glob))
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

    # Every block is declared replicated (PartitionSpec()) but holds its own device's
    # values: the body is the per-context program, with no communication between devices.
    fn = jax.shard_map(
        fwd_bwd_contexts,
        mesh=mesh,
        in_specs=PartitionSpec(),
        out_specs=PartitionSpec(),
        check_vma=False,
    )
    return _Replicas(mesh, jax.jit(fn))
