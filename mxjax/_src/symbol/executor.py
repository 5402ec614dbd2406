"""Running symbol graphs: one ``jax.jit`` program per graph, and MXNet's ``Executor``.

:class:`GraphProgram` turns a symbol into a pure function
``run(args, aux, key, train) -> (outputs, new_aux)`` over dicts of
``jax.Array``; :class:`Executor` is MXNet's stateful handle around it (bound
NDArrays, ``forward``/``backward``, ``grad_req`` write/add/null).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.symbol.program import GraphProgram as _Program

__all__ = ["Executor", "GraphProgram", "bind", "simple_bind"]

_GRAD_REQS = ("write", "add", "null")
_MAX_PROGRAMS = 64
_PROGRAMS: dict[str, GraphProgram] = {}


def clear_cache() -> None:
    """Drops the compiled programs of all symbol graphs."""
    _PROGRAMS.clear()


class GraphProgram(_Program):
    """:class:`~mxjax._src.symbol.program.GraphProgram` with a cache shared by equal graphs.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax._src.symbol.executor import GraphProgram
        >>> s = mx.sym.var("x") * 2
        >>> GraphProgram.for_symbol(s) is GraphProgram.for_symbol(s)
        True
    """

    @staticmethod
    def for_symbol(symbol: Any) -> GraphProgram:
        """The program of ``symbol``, shared by all graphs with the same JSON (bounded cache)."""
        from mxjax._src.symbol.serialize import tojson

        key = tojson(symbol)
        prog = _PROGRAMS.pop(key, None)
        if prog is None:
            prog = GraphProgram(symbol)
        _PROGRAMS[key] = prog  # most recently used last
        while len(_PROGRAMS) > _MAX_PROGRAMS:
            _PROGRAMS.pop(next(iter(_PROGRAMS)))
        return prog


def _nd():
    from mxjax._src.nd import creation

    return creation


def _as_nd(v: Any, ctx: Any, what: str):
    from mxjax._src.nd.ndarray import NDArray

    if isinstance(v, NDArray):
        return v
    if isinstance(v, (np.ndarray, jax.Array, list, tuple, float, int)):
        return _nd().array(
            np.asarray(v),
            ctx=ctx,
            dtype=np.asarray(v).dtype if np.asarray(v).dtype.kind == "f" else "float32",
        )
    raise TypeError(f"{what}: expected an NDArray; received {type(v).__name__}")


def _to_list(values: Any, names: Sequence[str], what: str, ctx: Any, required: bool = True):
    if values is None:
        return [None] * len(names)
    if isinstance(values, Mapping):
        unknown = set(values) - set(names)
        if unknown and what != "args_grad":
            pass
        out = []
        for n in names:
            if n not in values:
                if required:
                    raise ValueError(f"bind: {what} has no array for {n!r}; expected {list(names)}")
                out.append(None)
            else:
                out.append(_as_nd(values[n], ctx, f"{what}[{n!r}]"))
        return out
    values = list(values)
    if len(values) != len(names):
        raise ValueError(
            f"bind: {what} has {len(values)} arrays; expected {len(names)} for {list(names)}"
        )
    return [None if v is None else _as_nd(v, ctx, what) for v in values]


def _grad_reqs(grad_req: Any, names: Sequence[str]) -> dict[str, str]:
    if isinstance(grad_req, str):
        reqs = dict.fromkeys(names, grad_req)
    elif isinstance(grad_req, Mapping):
        reqs = {n: grad_req.get(n, "null") for n in names}
    else:
        grad_req = list(grad_req)
        if len(grad_req) != len(names):
            raise ValueError(
                f"bind: grad_req has {len(grad_req)} entries for {len(names)} arguments"
            )
        reqs = dict(zip(names, grad_req))
    for n, r in reqs.items():
        if r not in _GRAD_REQS:
            raise ValueError(
                f"bind: grad_req for {n!r} must be one of {_GRAD_REQS}; received {r!r}"
            )
    return reqs


class Executor:
    """A symbol bound to arrays (``mx.executor.Executor``); create with ``Symbol.bind``.

    ``forward(is_train)`` runs the graph as one jitted program and updates
    auxiliary states when training; ``backward(out_grads)`` writes gradients
    into :attr:`grad_arrays` per ``grad_req`` (``write``, ``add``, ``null``).
    Loss outputs (``SoftmaxOutput`` ...) need no ``out_grads``; for them a
    training ``forward`` already computes the gradients in the same program.

    Examples:
        >>> import mxjax as mx
        >>> x = mx.sym.var("x")
        >>> y = mx.sym.sum(x * x)
        >>> exe = y.simple_bind(mx.cpu(), x=(3,))
        >>> exe.arg_dict["x"][:] = mx.nd.array([1.0, 2.0, 3.0])
        >>> exe.forward(is_train=True)[0].asnumpy().tolist()
        14.0
        >>> exe.backward(mx.nd.ones(()))
        >>> exe.grad_dict["x"].asnumpy().tolist()
        [2.0, 4.0, 6.0]
    """

    def __init__(
        self,
        symbol: Any,
        ctx: Any,
        args: list,
        grads: list,
        reqs: dict,
        aux: list,
        program: GraphProgram | None = None,
    ):
        self._symbol = symbol
        self._ctx = ctx
        self._program = program or GraphProgram.for_symbol(symbol)
        self.arg_arrays = args
        self.aux_arrays = aux
        names = self._program.arg_names
        self._reqs = {
            n: (r if g is not None else "null")
            for n, r, g in zip(names, [reqs[n] for n in names], grads)
        }
        self.grad_arrays = [g if self._reqs[n] != "null" else None for n, g in zip(names, grads)]
        self.outputs: list = []
        self._last = None  # (key, train) of the last forward
        self._pending = None  # gradients computed by a training forward

    # ------------------------------------------------------------ dicts
    @property
    def arg_dict(self) -> dict:
        return dict(zip(self._program.arg_names, self.arg_arrays))

    @property
    def grad_dict(self) -> dict:
        return {n: g for n, g in zip(self._program.arg_names, self.grad_arrays) if g is not None}

    @property
    def aux_dict(self) -> dict:
        return dict(zip(self._program.aux_names, self.aux_arrays))

    @property
    def output_dict(self) -> dict:
        return dict(zip(self._program.output_names, self.outputs))

    # ------------------------------------------------------------ running
    def _values(self):
        args = {n: a.jax for n, a in zip(self._program.arg_names, self.arg_arrays)}
        aux = {n: a.jax for n, a in zip(self._program.aux_names, self.aux_arrays)}
        return args, aux

    def _diff_names(self) -> list[str]:
        return [n for n in self._program.arg_names if self._reqs[n] != "null"]

    def forward(self, is_train: bool = False, **kwargs: Any) -> list:
        """Runs the graph; ``kwargs`` are copied into the bound arguments first."""
        from mxjax._src.gluon import _bridge as B
        from mxjax._src.nd.random import next_key

        ad = self.arg_dict
        for k, v in kwargs.items():
            if k not in ad:
                raise ValueError(f"forward: {k!r} is not an argument; arguments are {list(ad)}")
            v = v.jax if hasattr(v, "jax") else jnp.asarray(v)
            if tuple(v.shape) != tuple(ad[k].shape):
                raise ValueError(
                    f"forward: {k!r} has shape {tuple(ad[k].shape)}; received {tuple(v.shape)}"
                )
            B.assign(ad[k], v.astype(ad[k].dtype))
        train = bool(is_train)
        key = next_key() if (train and self._program.random) else None
        args, aux = self._values()
        diff = self._diff_names()
        self._pending = None
        if train and diff and all(self._program.loss_heads):
            d = {n: args.pop(n) for n in diff}
            outs, new_aux, grads = self._program.forward_backward(d, args, aux, key, None, True)
            self._pending = grads
        else:
            outs, new_aux = self._program.forward(args, aux, key, train)
        if train:
            for n, a in zip(self._program.aux_names, self.aux_arrays):
                B.assign(a, new_aux[n])
        self._last = (key, train)
        self.outputs = [B.wrap(o) for o in outs]
        return self.outputs

    def backward(self, out_grads: Any = None, is_train: bool = True) -> None:
        """Computes gradients of the outputs and writes them per ``grad_req``."""
        from mxjax._src.gluon import _bridge as B

        if self._last is None:
            raise ValueError("backward: call forward(is_train=True) first")
        diff = self._diff_names()
        if not diff:
            return
        if out_grads is None and self._pending is not None:
            grads = self._pending
        else:
            heads = self._head_grads(out_grads)
            key = self._last[0]
            args, aux = self._values()
            d = {n: args.pop(n) for n in diff}
            _, _, grads = self._program.forward_backward(d, args, aux, key, heads, bool(is_train))
        self._pending = None
        for n, g in zip(self._program.arg_names, self.grad_arrays):
            if g is None or n not in grads:
                continue
            if self._reqs[n] == "add":
                B.assign(g, g.jax + grads[n].astype(g.dtype))
            else:
                B.assign(g, grads[n].astype(g.dtype))

    def _head_grads(self, out_grads: Any):
        n = len(self._program.output_names)
        if out_grads is None:
            missing = [
                o for o, lh in zip(self._program.output_names, self._program.loss_heads) if not lh
            ]
            if missing:
                raise ValueError(
                    f"backward: outputs {missing} are not loss outputs, so out_grads is required "
                    f"(give one array per output, e.g. exe.backward([mx.nd.ones(shape)]))"
                )
            return None
        if not isinstance(out_grads, (list, tuple)):
            out_grads = [out_grads]
        if len(out_grads) != n:
            raise ValueError(f"backward: {len(out_grads)} out_grads for {n} outputs")
        return tuple(
            None if g is None else (g.jax if hasattr(g, "jax") else jnp.asarray(g))
            for g in out_grads
        )

    # ------------------------------------------------------------ parameters
    def copy_params_from(
        self,
        arg_params: Mapping,
        aux_params: Mapping | None = None,
        allow_extra_params: bool = False,
    ) -> None:
        """Copies values into the bound arguments and auxiliary states by name."""
        from mxjax._src.gluon import _bridge as B

        for src, dst, what in (
            (arg_params, self.arg_dict, "arg"),
            (aux_params or {}, self.aux_dict, "aux"),
        ):
            for k, v in src.items():
                if k not in dst:
                    if allow_extra_params:
                        continue
                    raise ValueError(f"copy_params_from: {what} {k!r} is not in the executor")
                v = v.jax if hasattr(v, "jax") else jnp.asarray(v)
                if tuple(v.shape) != tuple(dst[k].shape):
                    raise ValueError(
                        f"copy_params_from: {k!r} has shape {tuple(dst[k].shape)}; received "
                        f"{tuple(v.shape)}"
                    )
                B.assign(dst[k], v.astype(dst[k].dtype))

    def reshape(
        self, partial_shaping: bool = False, allow_up_sizing: bool = False, **kwargs: Any
    ) -> Executor:
        """A new executor for new input shapes, sharing arrays whose shapes are unchanged."""
        del partial_shaping, allow_up_sizing
        new = simple_bind(
            self._symbol,
            self._ctx,
            self._reqs,
            {n: a.dtype for n, a in self.arg_dict.items()},
            kwargs,
            program=self._program,
        )
        for old, new_d in ((self.arg_dict, new.arg_dict), (self.aux_dict, new.aux_dict)):
            for k, a in old.items():
                if tuple(new_d[k].shape) == tuple(a.shape):
                    new_d[k]._data = a.jax
        return new

    def __repr__(self) -> str:
        return f"<Executor {self._symbol!r}>"


def bind(
    symbol: Any,
    ctx: Any,
    args: Any,
    args_grad: Any = None,
    grad_req: Any = "write",
    aux_states: Any = None,
    program: GraphProgram | None = None,
) -> Executor:
    """``Symbol.bind``: arrays for every argument (list or dict), optional gradients."""
    arg_names = symbol.list_arguments()
    aux_names = symbol.list_auxiliary_states()
    arg_arrays = _to_list(args, arg_names, "args", ctx)
    grads = _to_list(args_grad, arg_names, "args_grad", ctx, required=False)
    aux = _to_list(aux_states, aux_names, "aux_states", ctx) if aux_names else []
    if aux_names and aux_states is None:
        raise ValueError(f"bind: the symbol has auxiliary states {aux_names}; give aux_states")
    reqs = _grad_reqs(grad_req, arg_names)
    return Executor(symbol, ctx, arg_arrays, grads, reqs, aux, program)


def simple_bind(
    symbol: Any,
    ctx: Any,
    grad_req: Any,
    type_dict: Any,
    shapes: Mapping,
    program: GraphProgram | None = None,
) -> Executor:
    """``Symbol.simple_bind``: allocates zero arrays from input shapes (and dtypes)."""
    from mxjax._src.symbol.infer import infer_shapes, infer_types

    vshape, _ = infer_shapes(symbol, dict(shapes))
    vtype, _ = infer_types(symbol, dict(type_dict or {}))
    arg_names = symbol.list_arguments()
    aux_names = symbol.list_auxiliary_states()
    missing = [n for n in arg_names + aux_names if n not in vshape]
    if missing:
        raise ValueError(
            f"simple_bind: cannot infer the shapes of {missing} from {dict(shapes)}; give them "
            f"as keyword arguments (e.g. data=(batch, ...))"
        )
    zeros = _nd().zeros
    reqs = _grad_reqs(grad_req, arg_names)

    def alloc(n):
        return zeros(vshape[n], ctx=ctx, dtype=vtype.get(n, np.dtype("float32")))

    args = [alloc(n) for n in arg_names]
    grads = [alloc(n) if reqs[n] != "null" else None for n in arg_names]
    aux = [alloc(n) for n in aux_names]
    return Executor(symbol, ctx, args, grads, reqs, aux, program)
