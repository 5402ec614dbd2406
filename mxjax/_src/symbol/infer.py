"""Shape and dtype inference over a symbol graph.

Parameter shapes (weights, biases, labels) come from each operator's ``infer``
rule; output shapes from tracing the operator's ``compute`` with
``jax.eval_shape``, so the rules for outputs are the functional core's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jax
import numpy as np

from mxjax._src.symbol.registry import Ctx

__all__ = [
    "infer_shape",
    "infer_shapes",
    "infer_type",
    "unknown_dims_source",
    "var_dtype",
    "var_shape",
]

_EVAL_CTX = Ctx(train=False, key=None)


def var_shape(node) -> tuple | None:
    """A variable's ``__shape__`` attribute (None if absent or with unknown dims)."""
    s = node.attrs.get("__shape__")
    if not s:
        return None
    from mxjax._src.symbol.attrs import p_shape

    shape = p_shape("var", "__shape__", s)
    return None if (not shape and s.strip() != "()") or any(d <= 0 for d in shape) else shape


def var_dtype(node) -> np.dtype | None:
    s = node.attrs.get("__dtype__")
    if s is None:
        return None
    from mxjax._src.symbol.serialize import dtype_from_code

    return dtype_from_code(s)


def _known_from_args(symbol, args: Sequence[Any], kwargs: Mapping[str, Any], what: str) -> dict:
    names = symbol.list_arguments()
    known: dict[str, Any] = {}
    if args:
        if len(args) > len(names):
            raise ValueError(f"{what}: {len(args)} positional values for {len(names)} arguments")
        for n, v in zip(names, args):
            if v is not None:
                known[n] = v
    inputs = set(symbol.list_inputs())
    for k, v in kwargs.items():
        if k not in inputs:
            raise ValueError(
                f"{what}: {k!r} is not an input of the symbol; inputs are {sorted(inputs)}"
            )
        if v is not None:
            known[k] = v
    return known


# MXNet's creation ops take 0 for a dimension to infer (``sym.zeros((0, H))``: the begin
# states of an unrolled RNN cell); the dimension comes from the consumers, as in MXNet.
_SOURCE_OPS = frozenset({"_zeros", "_ones", "_full"})
# Operators whose output has their inputs' shape (besides those with ``_same_shape_infer``).
_SAME_SHAPE = frozenset({"Activation", "Dropout", "BlockGrad", "_copy", "identity"})


def unknown_dims_source(node) -> bool:
    """A creation node whose shape has MXNet's unknown dimension 0 (a begin state)."""
    return node.op is not None and node.op.name in _SOURCE_OPS and 0 in tuple(node.params.shape)


def _unify(a: tuple | None, b: tuple | None) -> tuple | None:
    """Two partial shapes (None for an unknown dim) as one; ``a`` if their ranks differ."""
    if a is None:
        return b
    if b is None or len(a) != len(b):
        return a
    return tuple(x if x is not None else y for x, y in zip(a, b))


def _same_rule(n, ins: list, outs: list) -> tuple[list, list]:
    rank = next((len(x) for x in (*ins, *outs) if x is not None), None)
    s = None
    for x in (*ins, *outs):
        if x is not None and len(x) == rank:
            s = _unify(s, x)
    if n.op.name == "LeakyReLU":  # gamma (prelu) has its own shape
        return [_unify(ins[0], s), *ins[1:]], [_unify(outs[0], s)]
    return [_unify(x, s) if x is None or len(x) == rank else x for x in ins], [_unify(outs[0], s)]


def _fc_rule(n, ins: list, outs: list) -> tuple[list, list]:
    d, o = ins[0], outs[0]
    if n.params.flatten:  # the batch dimension is the first of both
        if d is not None and o is None:
            o = (d[0], n.params.num_hidden)
        if d is not None:
            o = _unify(o, (d[0], n.params.num_hidden))
            d = _unify(d, (o[0],) + (None,) * (len(d) - 1))
    elif d is not None:
        o = _unify(o, (*d[:-1], n.params.num_hidden))
        d = _unify(d, (*o[:-1], d[-1]))
    return [d, *ins[1:]], [o]


def _split_rule(n, ins: list, outs: list) -> tuple[list, list]:
    p, d = n.params, ins[0]
    k = p.num_outputs
    for o in outs:
        if o is None:
            continue
        axis = p.axis % (len(o) + (1 if p.squeeze_axis else 0))
        full = list(o)
        if p.squeeze_axis:
            full.insert(axis, k)
        else:
            full[axis] = None if o[axis] is None else o[axis] * k
        d = _unify(d, tuple(full))
    if d is not None:
        axis = p.axis % len(d)
        part = list(d)
        if p.squeeze_axis:
            del part[axis]
        else:
            part[axis] = None if d[axis] is None else d[axis] // k
        outs = [_unify(o, tuple(part)) for o in outs]
    return [d], outs


def _concat_rule(n, ins: list, outs: list) -> tuple[list, list]:
    rank = next((len(x) for x in (*ins, *outs) if x is not None), None)
    if rank is None:
        return ins, outs
    axis = n.params.dim % rank
    other = None
    for x in (*ins, *outs):
        if x is not None and len(x) == rank:
            other = _unify(other, tuple(None if i == axis else v for i, v in enumerate(x)))
    ins = [_unify(x, other) for x in ins]
    if all(x is not None and x[axis] is not None for x in ins):
        cat = sum(x[axis] for x in ins)
        outs = [_unify(outs[0], tuple(cat if i == axis else v for i, v in enumerate(other)))]
    return ins, [_unify(outs[0], other)]


_PARTIAL_RULES = {
    "FullyConnected": _fc_rule,
    "SliceChannel": _split_rule,
    "Concat": _concat_rule,
}


def _partial_rule(n):
    rule = _PARTIAL_RULES.get(n.op.name)
    if rule is None and (
        n.op.name in _SAME_SHAPE
        or getattr(n.op.infer, "__name__", "") == "_same_shape_infer"
        or (n.op.name == "LeakyReLU" and n.params.act_type != "prelu")
    ):
        rule = _same_rule
    return rule


def _resolve_partial(nodes, entry: dict, partial: dict, sources: set) -> bool:
    """One pass of partial-shape propagation; fills ``entry`` for sources it completes."""
    changed = False
    for n in nodes:
        if n.op is None or not n.inputs:
            continue
        keys_in = [(id(src), k) for src, k in n.inputs]
        keys_out = [(id(n), i) for i in range(n.num_outputs)]
        if all(k in entry for k in (*keys_in, *keys_out)):
            continue
        rule = _partial_rule(n)
        if rule is None:
            continue
        ins = [entry.get(k) or partial.get(k) for k in keys_in]
        outs = [entry.get(k) or partial.get(k) for k in keys_out]
        if all(x is None for x in (*ins, *outs)):
            continue
        new_ins, new_outs = rule(n, list(ins), list(outs))
        for key, old, new in zip((*keys_in, *keys_out), (*ins, *outs), (*new_ins, *new_outs)):
            if new is None or new == old or key in entry:
                continue
            partial[key] = new
            changed = True
    for key in sources:  # a source with unknown dims, now complete
        shape = partial.get(key)
        if key not in entry and shape is not None and all(d is not None for d in shape):
            entry[key] = shape
            changed = True
    return changed


def infer_shapes(symbol, known: Mapping[str, tuple], dtypes: Mapping[str, Any] | None = None):
    """Returns ``(var_shapes, entry_shapes)``: name -> shape and (node id, i) -> shape."""
    nodes = symbol._nodes()
    vshape: dict[str, tuple] = {}
    for n in nodes:
        if n.op is None:
            s = known.get(n.name)
            s = tuple(int(d) for d in s) if s is not None else var_shape(n)
            if s is not None:
                vshape[n.name] = s
    entry: dict[tuple[int, int], tuple] = {}
    back: dict[tuple[int, int], tuple] = {}  # output shapes known from consumers
    partial: dict[tuple[int, int], tuple] = {}  # shapes with unknown (None) dims
    sources = set()
    for n in nodes:
        if unknown_dims_source(n):
            sources.add((id(n), 0))
            partial[(id(n), 0)] = tuple(d or None for d in n.params.shape)
    # a few passes: shapes filled backwards feed later nodes; unknown dims of creation
    # nodes need a pass per cell of stacked RNN cells
    for _ in range(4 + 2 * len(sources)):
        changed = False
        for n in nodes:
            if n.op is None:
                if n.name in vshape:
                    entry[(id(n), 0)] = vshape[n.name]
                continue
            if (id(n), 0) in sources:
                continue  # filled by _resolve_partial
            if all((id(n), i) in entry for i in range(n.num_outputs)):
                continue
            ins = [entry.get((id(src), k)) for src, k in n.inputs]
            if n.op.infer is not None:
                same = getattr(n.op.infer, "__name__", "") == "_same_shape_infer"
                hint = back.get((id(n), 0)) if same else None
                filled = n.op.infer(n.params, list(ins) + ([hint] if hint else []))
                for (src, k), old, new in zip(n.inputs, ins, filled):
                    if old is None and new is not None:
                        new = tuple(int(d) for d in new)
                        if src.op is None:
                            vshape[src.name] = new
                            entry[(id(src), k)] = new
                            changed = True
                        elif (id(src), k) not in back:
                            back[(id(src), k)] = new  # used when src is visited next pass
                            changed = True
                ins = [entry.get((id(src), k)) for src, k in n.inputs]
            if any(s is None for s in ins):
                continue
            outs = _eval_outputs(n, ins, [_dtype_of(src, k, dtypes) for src, k in n.inputs])
            for i, o in enumerate(outs):
                entry[(id(n), i)] = tuple(o.shape)
            changed = True
        if sources:
            changed = _resolve_partial(nodes, entry, partial, sources) or changed
        if not changed:
            break
    return vshape, entry


def _dtype_of(src, k, dtypes):
    if dtypes is not None:
        d = dtypes.get((id(src), k))
        if d is not None:
            return d
    return np.dtype("float32")


def _eval_outputs(node, shapes, dtypes):
    structs = [jax.ShapeDtypeStruct(tuple(s), d) for s, d in zip(shapes, dtypes)]
    op, p = node.op, node.params

    def run(*xs):
        res = op.compute(p, _EVAL_CTX, *xs)
        if op.aux:
            res = res[0]
        return tuple(res) if isinstance(res, (tuple, list)) else (res,)

    try:
        return jax.eval_shape(run, *structs)
    except (ValueError, TypeError) as e:
        raise ValueError(
            f"infer_shape: operator {op.name} (node {node.name!r}) fails on input shapes "
            f"{[tuple(s) for s in shapes]}: {e}"
        ) from None


def infer_shape(symbol, args, kwargs, partial: bool):
    """``Symbol.infer_shape``: ``(arg_shapes, out_shapes, aux_shapes)``."""
    known = _known_from_args(symbol, args, kwargs, "infer_shape")
    for k, v in known.items():
        if not isinstance(v, (tuple, list)):
            raise TypeError(f"infer_shape: the shape of {k!r} must be a tuple; received {v!r}")
    vshape, entry = infer_shapes(symbol, known)
    arg = [vshape.get(n) for n in symbol.list_arguments()]
    aux = [vshape.get(n) for n in symbol.list_auxiliary_states()]
    out = [entry.get((id(n), i)) for n, i in symbol._outputs]
    if partial:
        return ([s or () for s in arg], [s or () for s in out], [s or () for s in aux])
    if any(s is None for s in arg + aux + out):
        return None, None, None
    return arg, out, aux


_DTYPE_OPS = {"Cast", "_zeros", "_ones", "_full", "_arange", "one_hot", "argsort"}


def infer_types(symbol, known: Mapping[str, Any]):
    """Returns ``(var_dtypes, entry_dtypes)``."""
    nodes = symbol._nodes()
    vtype: dict[str, np.dtype] = {}
    for n in nodes:
        if n.op is None:
            t = known.get(n.name)
            t = np.dtype(t) if t is not None else var_dtype(n)
            if t is not None:
                vtype[n.name] = t
    entry: dict[tuple[int, int], np.dtype] = {}
    back: dict[tuple[int, int], np.dtype] = {}
    for _ in range(4):
        for n in nodes:
            if n.op is None:
                if n.name in vtype:
                    entry[(id(n), 0)] = vtype[n.name]
                continue
            ins = [entry.get((id(src), k)) for src, k in n.inputs]
            first = next((t for t in ins if t is not None), None)
            if first is None and n.op.name not in _DTYPE_OPS:
                first = back.get((id(n), 0))
            if first is not None:
                fill = first if first.kind == "f" else np.dtype("float32")
                for src, k in n.inputs:
                    if entry.get((id(src), k)) is None:
                        if src.op is None:
                            vtype[src.name] = fill
                            entry[(id(src), k)] = fill
                        else:
                            back.setdefault((id(src), k), fill)
            if n.op.name in _DTYPE_OPS:
                out = np.dtype(n.params.get("dtype", "float32"))
            elif n.op.name == "Embedding":
                out = np.dtype(n.params.dtype)
            else:
                out = first
            if out is None and not n.inputs:
                out = np.dtype("float32")
            if out is not None:
                for i in range(n.num_outputs):
                    entry[(id(n), i)] = out
    return vtype, entry


def infer_type(symbol, args, kwargs):
    """``Symbol.infer_type``: ``(arg_types, out_types, aux_types)``."""
    known = _known_from_args(symbol, args, kwargs, "infer_type")
    vtype, entry = infer_types(symbol, known)
    arg = [vtype.get(n) for n in symbol.list_arguments()]
    aux = [vtype.get(n) for n in symbol.list_auxiliary_states()]
    out = [entry.get((id(n), i)) for n, i in symbol._outputs]
    if any(t is None for t in arg + aux + out):
        return None, None, None
    return arg, out, aux
