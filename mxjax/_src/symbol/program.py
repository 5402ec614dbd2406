"""A symbol graph as one pure, jitted function of its argument and auxiliary values.

:class:`GraphProgram` is what every runner of symbol graphs shares: the
``Executor``, ``Module``, ``SymbolBlock`` and ``nd.CachedOp``. It imports only
the operator table's ``Ctx``, so the ``nd`` namespace can use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.symbol.infer import infer_shapes, unknown_dims_source
from mxjax._src.symbol.registry import Ctx

__all__ = ["GraphProgram"]


class GraphProgram:
    """A symbol compiled to a pure function of its argument and auxiliary values.

    Examples:
        >>> import jax.numpy as jnp, mxjax as mx
        >>> from mxjax._src.symbol.program import GraphProgram
        >>> prog = GraphProgram(mx.sym.var("x") * 2 + 1)
        >>> outs, aux = prog.forward({"x": jnp.ones(2)}, {}, None, False)
        >>> outs[0].tolist()
        [3.0, 3.0]
    """

    def __init__(self, symbol: Any):
        nodes = symbol._nodes()
        index = {id(n): i for i, n in enumerate(nodes)}
        self.symbol = symbol
        self.arg_names = symbol.list_arguments()
        self.aux_names = symbol.list_auxiliary_states()
        self.output_names = symbol.list_outputs()
        self._steps = [(n, [(index[id(s)], k) for s, k in n.inputs]) for n in nodes]
        self._heads = [(index[id(n)], k) for n, k in symbol._outputs]
        self.random = any(n.op is not None and n.op.random for n in nodes)
        self._unknown = [i for i, n in enumerate(nodes) if unknown_dims_source(n)]
        self.loss_heads = [
            n.op is not None and (n.op.loss or n.op.name == "BlockGrad") for n, _ in symbol._outputs
        ]
        self.forward = jax.jit(self.run, static_argnums=(3,))
        self._fwd_bwd = jax.jit(self._forward_backward, static_argnums=(5,))

    def run(self, args: Mapping[str, Any], aux: Mapping[str, Any], key: Any, train: bool):
        """Evaluates the graph; returns ``(outputs_tuple, new_aux_dict)``."""
        env: list[list[Any]] = []
        new_aux = dict(aux)
        fill = self._fill_unknown(args, aux) if self._unknown else {}
        for i, (node, refs) in enumerate(self._steps):
            if i in fill:
                env.append([fill[i]])
                continue
            if node.op is None:
                v = args[node.name] if node.name in args else aux.get(node.name)
                if v is None:
                    raise ValueError(f"executor: no value bound for input {node.name!r}")
                env.append([v])
                continue
            vals = [env[j][k] for j, k in refs]
            sub = jax.random.fold_in(key, i) if (node.op.random and key is not None) else None
            ctx = Ctx(train=train, key=sub)
            try:
                res = node.op.compute(node.params, ctx, *vals)
            except (ValueError, TypeError) as e:
                shapes = [tuple(getattr(v, "shape", ())) for v in vals]
                raise type(e)(
                    f"operator {node.op.name} (node {node.name!r}) with input shapes {shapes}: {e}"
                ) from None
            if node.op.aux:
                res, updated = res
                if train:
                    for pos, val in zip(node.aux_positions(), updated):
                        src = node.inputs[pos][0]
                        if src.op is None:
                            new_aux[src.name] = val
            env.append(list(res) if isinstance(res, (tuple, list)) else [res])
        return tuple(env[j][k] for j, k in self._heads), new_aux

    def _fill_unknown(self, args: Mapping[str, Any], aux: Mapping[str, Any]) -> dict:
        """Creation nodes with unknown dims (0), at the shapes their consumers imply."""
        known = {k: tuple(v.shape) for k, v in (*args.items(), *aux.items()) if v is not None}
        _, entry = infer_shapes(self.symbol, known)
        out = {}
        for i in self._unknown:
            node = self._steps[i][0]
            shape = entry.get((id(node), 0))
            if shape is None:
                raise ValueError(
                    f"operator {node.op.name} (node {node.name!r}): cannot infer the unknown "
                    f"dimensions (0) of shape {tuple(node.params.shape)} from the input shapes "
                    f"{known}"
                )
            p = node.params
            value = p.value if node.op.name == "_full" else (1 if node.op.name == "_ones" else 0)
            out[i] = jnp.full(shape, value, np.dtype(p.dtype))
        return out

    def _forward_backward(self, diff, const, aux, key, head_grads, train=True):
        def f(d):
            return self.run({**const, **d}, aux, key, train)

        outs, vjp, new_aux = jax.vjp(f, diff, has_aux=True)
        cts = []
        for i, o in enumerate(outs):
            if not jnp.issubdtype(o.dtype, jnp.inexact):
                cts.append(np.zeros(o.shape, jax.dtypes.float0))
            elif head_grads is None or head_grads[i] is None:
                cts.append(jnp.ones_like(o))
            else:
                cts.append(head_grads[i].astype(o.dtype))
        (grads,) = vjp(tuple(cts))
        return outs, new_aux, grads

    def forward_backward(self, diff, const, aux, key, head_grads=None, train=True):
        """Outputs, new auxiliary states and gradients for ``diff`` in one program."""
        return self._fwd_bwd(diff, const, aux, key, head_grads, train)
