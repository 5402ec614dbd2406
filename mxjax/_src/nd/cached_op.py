"""``nd.CachedOp``: a symbol called like an operator on NDArrays (MXNet's cached graph).

The symbol becomes one compiled program (the symbolic API's ``GraphProgram``,
kept by the op); calling the op runs it through the facade's dispatcher, so it
is recorded by ``autograd`` like any ``nd`` operator.
"""

from __future__ import annotations

from mxjax._src.dispatch import apply as _apply
from mxjax._src.nd._mode import is_training
from mxjax._src.nd.creation import res_into
from mxjax._src.nd.random import next_key
from mxjax._src.symbol.program import GraphProgram

__all__ = ["CachedOp"]


class CachedOp:
    """Calls a Symbol on NDArrays: ``CachedOp(sym)(*inputs)`` (MXNet's ``nd.CachedOp``).

    The inputs are given positionally in the order of ``sym.list_inputs()``
    (arguments and auxiliary states). Returns one NDArray, or a list for a
    multi-output symbol; ``out=`` writes the result into given arrays.

    Args:
        sym: the :class:`~mxjax.symbol.Symbol`.
        flags: MXNet's cached-op flags (``static_alloc`` ...), accepted and unused:
            the graph is always one compiled XLA program.

    Examples:
        >>> import mxjax as mx
        >>> op = mx.nd.CachedOp(mx.sym.var("x") * 2 + mx.sym.var("y"))
        >>> op(mx.nd.ones((2,)), mx.nd.array([1.0, 2.0])).asnumpy()
        array([3., 4.], dtype=float32)
    """

    def __init__(self, sym, flags=()):
        self._prog = GraphProgram(sym)
        self._inputs = list(sym.list_inputs())
        self._aux = set(self._prog.aux_names)
        self._multi = len(self._prog.output_names) > 1
        self._fns = {True: self._make(True), False: self._make(False)}

    def _make(self, train: bool):
        prog, names, aux_names, multi = self._prog, self._inputs, self._aux, self._multi

        def fn(key, *vals):
            args = {n: v for n, v in zip(names, vals) if n not in aux_names}
            aux = {n: v for n, v in zip(names, vals) if n in aux_names}
            outs, _ = prog.forward(args, aux, key, train)
            return tuple(outs) if multi else outs[0]

        return fn

    def __call__(self, *args, out=None, **kwargs):
        if kwargs:
            raise TypeError(
                f"CachedOp.__call__ got unexpected keyword argument(s): {', '.join(kwargs)}"
            )
        if len(args) != len(self._inputs):
            raise ValueError(
                f"CachedOp: expected {len(self._inputs)} inputs {self._inputs}, got {len(args)}"
            )
        train = is_training()
        key = next_key() if self._prog.random else None
        res = _apply(self._fns[train], key, *args)
        if out is None:
            return list(res) if self._multi else res
        outs = out if isinstance(out, (list, tuple)) else [out]
        results = list(res) if self._multi else [res]
        if len(outs) != len(results):
            raise ValueError(f"CachedOp: out has {len(outs)} arrays, the op {len(results)} outputs")
        for o, r in zip(outs, results):
            res_into(o, r)
        return out
