"""``HybridBlock.register_op_hook``: a monitor callback on each operator of a hybridized block.

A hybridized block runs as one compiled XLA program, which has no per-operator
callbacks. When a hook is registered, each call of the block also evaluates
the block's MXNet operator graph (``block(mx.sym.var('data'))``) on the same
inputs and parameters, node by node, and calls
``callback(name, op_name, array)`` for every operator output (and, with
``monitor_all=True``, first for every operator input) in MXNet's order and
with MXNet's names (``dense0_fwd_output``, ``dense0_fwd_weight``). As in
MXNet, ``name`` and ``op_name`` are ``bytes`` (MXNet passes C strings);
``array`` is an NDArray (MXNet passes a raw handle). Only the outermost
hybridized call reports (its children run inside its program). This costs
an extra, uncompiled forward pass per call: a debugging tool, as in MXNet.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from mxjax._src.gluon import _bridge as B

__all__ = ["outer_call", "run_op_hook"]

_STATE = threading.local()


@contextlib.contextmanager
def outer_call():
    """Marks a hybridized call in progress: calls of children inside it do not report."""
    depth = getattr(_STATE, "depth", 0)
    _STATE.depth = depth + 1
    try:
        yield depth == 0
    finally:
        _STATE.depth = depth


# Operators registered in MXNet 1.9.1 without input names (FListInputNames): the
# monitor names their inputs input0, input1 ...
_UNNAMED_INPUTS = frozenset({"Activation"})


def _graph(block: Any, n_inputs: int):
    from mxjax._src.symbol.export import trace_block

    plans = block._plans
    key = ("op_hook", n_inputs)
    if key not in plans:
        sym = trace_block(block, n_inputs)
        plans[key] = (sym, sym.get_internals())
    return plans[key]


def run_op_hook(block: Any, args: tuple, callback: Any, monitor_all: bool) -> None:
    """Evaluates ``block``'s operator graph on ``args`` and reports every operator to ``callback``."""
    if not args or not all(B.is_ndarray(a) for a in args):
        return  # the graph has one variable per NDArray input (data, data0 ...)
    sym, internals = _graph(block, len(args))
    names = ["data"] if len(args) == 1 else [f"data{i}" for i in range(len(args))]
    params = {p.name: p for p in block.collect_params().values()}
    ctx = B.context_of(args[0])
    values = dict(zip(names, args))
    arg_arrays = {
        n: values[n] if n in values else params[n].data(ctx) for n in internals.list_arguments()
    }
    aux = {n: params[n].data(ctx) for n in internals.list_auxiliary_states()}
    with B.pause(False):
        outs = internals.bind(ctx, arg_arrays, aux_states=aux).forward(is_train=False)
    by_name = dict(zip(internals.list_outputs(), outs))
    for node in sym._nodes():
        if node.op is None:
            continue
        op_name = node.op.name
        if monitor_all:
            if op_name in _UNNAMED_INPUTS:
                in_names = [f"input{i}" for i in range(len(node.inputs))]
            else:
                in_names = node.op.input_names(node.params, len(node.inputs))
            for in_name, (src, i) in zip(in_names, node.inputs):
                name = f"{node.name}_{in_name}"
                callback(name.encode(), op_name.encode(), by_name[src.output_name(i)])
        for i in range(node.num_outputs):
            out = node.output_name(i)
            callback(out.encode(), op_name.encode(), by_name[out])
