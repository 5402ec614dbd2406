"""MXNet's ``-symbol.json`` format: writing symbol graphs, and MXNet's dtype codes.

The format is nnvm's graph JSON: ``nodes`` (``op``, ``name``, string
``attrs``, ``inputs`` as ``[node, output, version]``), ``arg_nodes``,
``node_row_ptr``, ``heads`` and ``attrs: {"mxnet_version": ["int", 10901]}``.
Files are written atomically; :mod:`mxjax._src.symbol.loader` reads them.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..io.atomic import atomic_write

__all__ = ["dtype_code", "dtype_from_code", "save", "to_dict", "tojson"]

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


def _row_count(node: Any) -> int:
    if node.op is None:
        return 1
    hidden = _HIDDEN_OUTPUTS.get(node.op.name)
    if node.op.name == "Pooling" and node.params.pool_type == "max":
        hidden = 2
    return max(node.num_outputs, hidden or 0)


def to_dict(symbol: Any) -> dict:
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


def tojson(symbol: Any) -> str:
    """MXNet's ``-symbol.json`` text of a symbol.

    Examples:
        >>> import json, mxjax as mx
        >>> s = mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2, name="fc")
        >>> [n["op"] for n in json.loads(s.tojson())["nodes"]]
        ['null', 'null', 'null', 'FullyConnected']
    """
    return json.dumps(to_dict(symbol), indent=2)


def save(symbol: Any, fname: str) -> None:
    """Writes ``symbol.tojson()`` to ``fname`` atomically (temporary file, then rename)."""
    atomic_write(fname, tojson(symbol))
