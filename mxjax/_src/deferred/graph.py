"""Deferred graphs: nodes (one recorded call each) and the graph they form."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mxjax._src import autograd as ag
from mxjax._src.deferred._state import PENDING

__all__: list = []


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


def _inexact(dtype) -> bool:
    hit = _INEXACT.get(dtype)
    if hit is None:
        hit = _INEXACT[dtype] = bool(jnp.issubdtype(dtype, jnp.inexact))
    return hit


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
