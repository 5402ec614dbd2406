"""``autograd.get_symbol``: the recorded computation of an array as an ``mx.sym`` graph.

The tape keeps, for each recorded operation, its pure forward function of
JAX arrays and its inputs (earlier operations, or the attached variables).
:func:`get_symbol` turns that history into a :class:`~mxjax.symbol.Symbol`:
one variable per attached array (``var0``, ``var1`` ... in order of first
use, as MXNet names them) and one node per operation (``node_0`` ...).

The nodes compute with the recorded JAX functions, so the symbol can be
inspected (``list_arguments``, ``infer_shape``), bound and evaluated on new
inputs in this process. Constants the operations used are part of the nodes.
The recorded functions have no MXNet operator name: ``tojson``/``save`` write
them as ``_mxjax_recorded`` nodes, which neither MXNet nor ``mx.sym.load``
can run.
"""

from __future__ import annotations

from mxjax._src.autograd import postorder
from mxjax._src.errors import AutogradError
from mxjax._src.nd.ndarray import NDArray
from mxjax._src.symbol.graph import Node, Symbol
from mxjax._src.symbol.registry import OpDef

__all__ = ["get_symbol"]

_OP_NAME = "_mxjax_recorded"


def _parents(node) -> list:
    if node.parents is None:
        raise AutogradError(
            "autograd.get_symbol: the graph was freed by a backward() without retain_graph=True"
        )
    return [p[0] for p in node.parents if p is not None and p[0] is not None]


def _op(fn, consts: dict, n_inputs: int, n_outputs: int, multi: bool) -> OpDef:
    """An operator that calls the recorded ``fn``, with constant arguments filled in."""

    def compute(p, ctx, *vals):
        del p, ctx
        it = iter(vals)
        args = [consts[i] if i in consts else next(it) for i in range(n_inputs + len(consts))]
        out = fn(*args)
        return tuple(out) if multi else out

    names = tuple(f"arg{i}" for i in range(n_inputs))
    return OpDef(_OP_NAME, compute, inputs=names, num_outputs=n_outputs, hint="node")


def get_symbol(x) -> Symbol:
    """The computation recorded for ``x`` as a Symbol (MXNet's ``autograd.get_symbol``).

    Args:
        x: an NDArray computed while recording (or a list of them: a grouped symbol).

    Returns:
        A :class:`~mxjax.symbol.Symbol` whose arguments are the attached
        variables the computation used (``var0``, ``var1`` ...).

    Raises:
        AutogradError: ``x`` was not computed while recording, or its graph
            was freed by ``backward()``.

    Examples:
        >>> from mxjax import autograd, nd
        >>> x = nd.ones((2,)); x.attach_grad()
        >>> with autograd.record():
        ...     y = x * x + 2 * x
        >>> sym = autograd.get_symbol(y)
        >>> sym.list_arguments()
        ['var0']
        >>> sym.eval(var0=nd.array([1.0, 3.0]))[0].asnumpy()
        array([ 3., 15.], dtype=float32)
    """
    heads = list(x) if isinstance(x, (list, tuple)) else [x]
    entries = []
    for h in heads:
        if not isinstance(h, NDArray):
            raise TypeError(f"autograd.get_symbol: expected an NDArray, got {type(h).__name__}")
        if h._entry is None:
            raise AutogradError(
                "autograd.get_symbol: the array was not computed while recording "
                "(use autograd.record() and attach_grad() on its inputs)"
            )
        entries.append(h._entry)
    variables: dict[int, tuple[Node, int]] = {}
    outputs: dict[int, list] = {}
    # first inputs first, so variables are numbered in order of use (x in ``x * x + 2 * z``)
    order = postorder([e[0] for e in reversed(entries)], lambda n: _parents(n)[::-1])
    for k, node in enumerate(order):
        if node.fn is None or node.primals is None or len(node.primals) != len(node.parents):
            raise AutogradError(
                "autograd.get_symbol: a recorded operation keeps no forward function "
                "(recorded with autograd.record_node without fn=)"
            )
        inputs, consts = [], {}
        for i, (p, primal) in enumerate(zip(node.parents, node.primals)):
            if p is None:
                consts[i] = primal
            elif p[0] is None:  # an attached variable
                leaf = p[1]
                if id(leaf) not in variables:
                    variables[id(leaf)] = (Node(None, f"var{len(variables)}", {}), 0)
                inputs.append(variables[id(leaf)])
            else:
                inputs.append(outputs[id(p[0])][p[1]])
        n_out = len(node.avals)
        op = _op(node.fn, consts, len(inputs), n_out, node.multi)
        sym_node = Node(op, f"node_{k}", {}, inputs)
        outputs[id(node)] = [(sym_node, i) for i in range(n_out)]
    return Symbol([outputs[id(e[0])][e[1]] for e in entries])
