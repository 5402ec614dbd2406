"""MXNet's ``-symbol.json`` format: writing and reading symbol graphs.

The format is nnvm's graph JSON: ``nodes`` (``op``, ``name``, string
``attrs``, ``inputs`` as ``[node, output, version]``), ``arg_nodes``,
``node_row_ptr``, ``heads`` and ``attrs: {"mxnet_version": ["int", 10901]}``.
Files are written atomically; reading checks the structure and names the
offending node.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

import numpy as np

from mxjax._src.symbol.graph import Node, Symbol
from mxjax._src.symbol.registry import get_op

__all__ = ["dtype_code", "dtype_from_code", "load", "load_json", "save", "tojson"]

MXNET_VERSION = 10901

_CODES = {
    "float32": 0,
    "float64": 1,
    "float16": 2,
    "uint8": 3,
    "int32": 4,
    "int8": 5,
    "int64": 6,
    "bool": 7,
    "bfloat16": 12,
}
_FROM_CODE = {v: k for k, v in _CODES.items()}

# Outputs MXNet's operators have besides the visible ones (node_row_ptr counts them).
_HIDDEN_OUTPUTS = {"BatchNorm": 3, "Dropout": 2, "LayerNorm": 3, "GroupNorm": 3, "LeakyReLU": 1}


def dtype_code(dtype: Any) -> int:
    """MXNet's integer code of a dtype (``float32`` is 0).

    Examples:
        >>> from mxjax._src.symbol.serialize import dtype_code
        >>> dtype_code("float16")
        2
    """
    name = "bfloat16" if str(dtype) == "bfloat16" else np.dtype(dtype).name
    if name not in _CODES:
        raise ValueError(f"dtype {name!r} has no MXNet type code; expected one of {sorted(_CODES)}")
    return _CODES[name]


def dtype_from_code(code: Any) -> Any:
    """The dtype of an MXNet type code (``'0'`` or ``0``)."""
    try:
        name = _FROM_CODE[int(code)]
    except (KeyError, ValueError):
        raise ValueError(f"unknown MXNet dtype code {code!r}") from None
    if name == "bfloat16":
        import jax.numpy as jnp

        return np.dtype(jnp.bfloat16)
    return np.dtype(name)


def _row_count(node: Node) -> int:
    if node.op is None:
        return 1
    hidden = _HIDDEN_OUTPUTS.get(node.op.name)
    if node.op.name == "Pooling" and node.params.pool_type == "max":
        hidden = 2
    return max(node.num_outputs, hidden or 0)


def to_dict(symbol: Symbol) -> dict:
    """The JSON object of a symbol (see :func:`tojson`)."""
    nodes = symbol._nodes()
    index = {id(n): i for i, n in enumerate(nodes)}
    out_nodes = []
    for n in nodes:
        aux = set(n.aux_positions())
        d: dict[str, Any] = {"op": "null" if n.op is None else n.op.name, "name": n.name}
        if n.attrs:
            d["attrs"] = dict(n.attrs)
        d["inputs"] = [[index[id(s)], k, 1 if j in aux else 0] for j, (s, k) in enumerate(n.inputs)]
        out_nodes.append(d)
    row = [0]
    for n in nodes:
        row.append(row[-1] + _row_count(n))
    return {
        "nodes": out_nodes,
        "arg_nodes": [i for i, n in enumerate(nodes) if n.op is None],
        "node_row_ptr": row,
        "heads": [[index[id(n)], k, 0] for n, k in symbol._outputs],
        "attrs": {"mxnet_version": ["int", MXNET_VERSION]},
    }


def tojson(symbol: Symbol) -> str:
    """MXNet's ``-symbol.json`` text of a symbol.

    Examples:
        >>> import json, mxjax as mx
        >>> s = mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2, name="fc")
        >>> [n["op"] for n in json.loads(s.tojson())["nodes"]]
        ['null', 'null', 'null', 'FullyConnected']
    """
    return json.dumps(to_dict(symbol), indent=2)


def save(symbol: Symbol, fname: str) -> None:
    """Writes ``symbol.tojson()`` to ``fname`` (temporary file, then rename)."""
    text = tojson(symbol)
    d = os.path.dirname(os.path.abspath(fname))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=d)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; a model file is shared
        os.replace(tmp, fname)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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
