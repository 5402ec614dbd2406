"""Reading MXNet's ``-symbol.json`` files into symbols (``mx.sym.load``/``load_json``).

Reading checks the structure and names the offending node; files of MXNet
before 0.9 (``param``/``attr`` keys, missing auxiliary inputs) are upgraded as
MXNet does.
"""

from __future__ import annotations

import json
from typing import Any

from mxjax._src.symbol.graph import Node, Symbol
from mxjax._src.symbol.optable import get_op

__all__ = ["from_dict", "load", "load_json"]


def _bad(where: str, why: str) -> ValueError:
    return ValueError(f"symbol JSON {where}: {why}")


def from_dict(graph: Any, where: str = "<string>") -> Symbol:
    """Builds a :class:`Symbol` from a parsed ``-symbol.json`` object."""
    if not isinstance(graph, dict) or "nodes" not in graph or "heads" not in graph:
        raise _bad(where, "expected an object with 'nodes' and 'heads' (an MXNet -symbol.json)")
    raw = graph["nodes"]
    if not isinstance(raw, list):
        raise _bad(where, "'nodes' must be a list")
    nodes: list[Node] = []
    for i, d in enumerate(raw):
        if not isinstance(d, dict) or "op" not in d or "name" not in d:
            raise _bad(where, f"node {i} must be an object with 'op' and 'name'")
        attrs: dict[str, str] = {}
        for key in ("param", "attr", "attrs"):  # MXNet < 0.9 used 'param' and 'attr'
            v = d.get(key) or {}
            if not isinstance(v, dict):
                raise _bad(where, f"node {i} ({d['name']!r}): {key!r} must be an object")
            attrs.update({str(k): str(val) for k, val in v.items()})
        inputs = []
        for e in d.get("inputs", []):
            if not isinstance(e, list) or len(e) < 2 or not 0 <= int(e[0]) < i:
                raise _bad(where, f"node {i} ({d['name']!r}) has a bad input entry {e!r}")
            inputs.append((nodes[int(e[0])], int(e[1])))
        if d["op"] == "null":
            node = Node(None, d["name"], attrs)
        else:
            try:
                op = get_op(d["op"])
            except ValueError as err:
                raise _bad(where, f"node {i} ({d['name']!r}): {err}") from None
            node = Node(op, d["name"], attrs, inputs)
            try:
                p = node.params
            except ValueError as err:
                raise _bad(where, f"node {i} ({d['name']!r}): {err}") from None
            if op.variadic is None:
                names = op.input_names(p)
                # old files may lack trailing inputs (aux states): add variables as MXNet does
                for k in names[len(inputs) :]:
                    node.inputs.append((Node(None, f"{d['name']}_{k}", {}), 0))
                if len(node.inputs) != len(names):
                    raise _bad(
                        where,
                        f"node {i} ({d['name']!r}): operator {op.name} takes {len(names)} "
                        f"inputs {names}; the file gives {len(inputs)}",
                    )
        nodes.append(node)
    heads = graph["heads"]
    try:
        outs = [(nodes[int(h[0])], int(h[1])) for h in heads]
    except (TypeError, IndexError, ValueError):
        raise _bad(where, f"bad 'heads' {heads!r}") from None
    return Symbol(outs)


def load_json(json_str: str) -> Symbol:
    """Reads a symbol from MXNet's JSON text (``mx.sym.load_json``).

    Raises:
        ValueError: malformed JSON or an operator mxjax does not implement.

    Examples:
        >>> import mxjax as mx
        >>> s = mx.sym.Activation(mx.sym.var("x"), act_type="relu", name="act")
        >>> mx.sym.load_json(s.tojson()).list_outputs()
        ['act_output']
    """
    if not isinstance(json_str, str):
        raise TypeError(f"load_json: expected a str; received {type(json_str).__name__}")
    try:
        graph = json.loads(json_str)
    except json.JSONDecodeError as e:
        raise _bad("<string>", f"not valid JSON ({e})") from None
    return from_dict(graph)


def load(fname: str) -> Symbol:
    """Reads a symbol from an MXNet ``-symbol.json`` file (``mx.sym.load``)."""
    with open(fname) as f:
        text = f.read()
    try:
        graph = json.loads(text)
    except json.JSONDecodeError as e:
        raise _bad(repr(fname), f"not valid JSON ({e})") from None
    return from_dict(graph, repr(fname))
