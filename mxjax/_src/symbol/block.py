"""``gluon.SymbolBlock``: a symbol graph as a Gluon block (MXNet's model files in Gluon).

The graph becomes a functional layer (:class:`SymbolLayer`, ``init``/``apply``
over the graph's program) wrapped by the generic :class:`CoreBlock`, so a
SymbolBlock runs, hybridizes, records autograd and trains with a ``Trainer``
like every built-in Gluon layer. ``SymbolBlock.imports`` reads MXNet's
``-symbol.json`` + ``.params`` (``arg:``/``aux:`` prefixed names).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.errors import CheckError
from mxjax._src.gluon.core_block import CoreBlock
from mxjax._src.gluon.parameter_dict import ParameterDict
from mxjax._src.layers.base import Layer, flatten_names, layer
from mxjax._src.symbol.graph import Group, Symbol

__all__ = ["SymbolBlock", "SymbolLayer"]

_PROGRAMS: dict = {}


def _program(graph: str):
    from mxjax._src.symbol.executor import GraphProgram
    from mxjax._src.symbol.loader import load_json

    prog = _PROGRAMS.get(graph)
    if prog is None:
        prog = _PROGRAMS[graph] = GraphProgram(load_json(graph))
    return prog


@layer
class SymbolLayer(Layer):
    """A symbol graph as a functional layer: params are its arguments, state its aux states.

    Args:
        graph: the graph's MXNet JSON text.
        input_names: names of the data inputs, in call order.

    Examples:
        >>> import jax, jax.numpy as jnp, mxjax as mx
        >>> from mxjax._src.symbol.block import SymbolLayer
        >>> s = mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2, name="fc")
        >>> lay = SymbolLayer(s.tojson(), ("x",))
        >>> params, state = lay.init(jax.random.key(0), jnp.ones((3, 4)))
        >>> sorted(params), lay.apply(params, state, jnp.ones((3, 4)))[0].shape
        (['fc_bias', 'fc_weight'], (3, 2))
    """

    graph: str
    input_names: tuple

    @property
    def program(self):
        return _program(self.graph)

    def _check(self, xs):
        if len(xs) != len(self.input_names):
            raise ValueError(
                f"SymbolBlock: expected {len(self.input_names)} inputs {list(self.input_names)}; "
                f"received {len(xs)}"
            )

    def param_names(self) -> list[str]:
        return [n for n in self.program.arg_names if n not in self.input_names]

    def init(self, key, *xs, initializer=None):
        from mxjax._src.symbol.infer import infer_shapes, infer_types

        self._check(xs)
        prog = self.program
        known = {n: tuple(x.shape) for n, x in zip(self.input_names, xs)}
        vshape, _ = infer_shapes(prog.symbol, known)
        vtype, _ = infer_types(prog.symbol, {n: x.dtype for n, x in zip(self.input_names, xs)})
        params, state = {}, {}
        for i, n in enumerate(self.param_names() + prog.aux_names):
            if n not in vshape:
                raise ValueError(
                    f"SymbolBlock: cannot infer the shape of {n!r} from input shapes {known}"
                )
            dtype = vtype.get(n, np.dtype("float32"))
            value = self.make_param(
                jax.random.fold_in(key, i), n, vshape[n], None, initializer, dtype=dtype
            )
            (state if n in prog.aux_names else params)[n] = value
        return params, state

    def apply(self, params, state, *xs, key=None, train=False):
        self._check(xs)
        prog = self.program
        args = flatten_names(params)
        args.update(zip(self.input_names, (jnp.asarray(x) for x in xs)))
        aux = flatten_names(state)
        outs, new_aux = prog.run(args, aux, key, train)
        out = outs[0] if len(outs) == 1 else list(outs)
        return out, {n: new_aux[n] for n in aux}


class SymbolBlock(CoreBlock):
    """Constructs a block from a symbol graph (``gluon.SymbolBlock``).

    Parameters are named exactly as the graph's arguments (no prefix); auxiliary
    states (BatchNorm's moving statistics) are Parameters with ``grad_req='null'``.

    Args:
        outputs: a Symbol or a list of Symbols (grouped).
        inputs: the input variable(s), a Symbol or a list of them.
        params: a ParameterDict whose Parameters are reused by name.

    Examples:
        >>> import mxjax as mx
        >>> data = mx.sym.var("data")
        >>> out = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=3, name="fc"),
        ...                         act_type="relu")
        >>> net = mx.gluon.SymbolBlock(out, data)
        >>> net.initialize()
        >>> net(mx.nd.ones((2, 5))).shape
        (2, 3)
        >>> sorted(net.collect_params())
        ['fc_bias', 'fc_weight']
    """

    _is_symbol_block = True

    def __init__(self, outputs: Any, inputs: Any, params: Any = None):
        if isinstance(outputs, (list, tuple)):
            outputs = Group(list(outputs))
        if not isinstance(outputs, Symbol):
            raise TypeError(
                f"SymbolBlock: outputs must be Symbols; received {type(outputs).__name__}"
            )
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        names = []
        for s in inputs:
            if not isinstance(s, Symbol) or len(s) != 1 or s._outputs[0][0].op is not None:
                raise TypeError("SymbolBlock: inputs must be variables (mx.sym.var)")
            names.append(s.name)
        missing = [n for n in names if n not in outputs.list_inputs()]
        if missing:
            raise ValueError(
                f"SymbolBlock: inputs {missing} are not inputs of the graph; its inputs are "
                f"{outputs.list_inputs()}"
            )
        self._symbol = outputs
        self._shared = params
        super().__init__(SymbolLayer(outputs.tojson(), tuple(names)), prefix="", params=None)

    def _alias(self) -> str:
        return "symbolblock"

    def __repr__(self) -> str:
        return f"SymbolBlock(inputs={list(self._core.input_names)}, outputs={self._symbol.list_outputs()})"

    def _declare(self) -> None:
        from mxjax._src.symbol.infer import var_dtype, var_shape

        self._params = ParameterDict("", self._shared)
        core = self._core
        prog = core.program
        variables = {n.name: n for n in prog.symbol._nodes() if n.op is None}
        self._pnames = tuple(core.param_names())
        self._snames = tuple(prog.aux_names)
        for name in (*self._pnames, *self._snames):
            node = variables[name]
            if node.attrs.get("__storage_type__", "0") != "0":
                raise CheckError(
                    f"SymbolBlock: parameter {name!r} has a sparse storage type; SymbolBlock "
                    "supports only dense parameters (as MXNet)"
                )
            is_state = name in self._snames
            shape = var_shape(node)
            param = self.params.get(
                name,
                shape=shape,
                dtype=str(var_dtype(node) or "float32"),
                allow_deferred_init=True,
                grad_req="null" if is_state else "write",
                differentiable=not is_state,
                lr_mult=float(node.attrs.get("__lr_mult__", 1.0)),
                wd_mult=float(node.attrs.get("__wd_mult__", 1.0)),
            )
            self._attrs[name] = name
            self._reg_params[name] = param

    def _needs_key(self) -> bool:
        return self._core.program.random

    def _collect_params_with_prefix(self, prefix: str = "") -> dict:
        # As MXNet 1.9.1: the structural names (save_parameters) drop the names' common prefix,
        # so a SymbolBlock built twice (net0_..., net1_...) saves and loads the same keys.
        import os

        names = list(self._attrs)
        common = os.path.commonprefix(names) if len(names) > 1 else ""
        if prefix:
            prefix += "."
        return {prefix + name[len(common) :]: self._reg_params[name] for name in names}

    @property
    def symbol(self) -> Symbol:
        """The graph."""
        return self._symbol

    @staticmethod
    def imports(
        symbol_file: str,
        input_names: Any,
        param_file: str | None = None,
        ctx: Any = None,
        allow_missing: bool = False,
        ignore_extra: bool = False,
    ):
        """Loads MXNet's ``-symbol.json`` (and ``.params``) as a block (``SymbolBlock.imports``).

        Args:
            symbol_file: path of the ``-symbol.json`` file.
            input_names: the data input name(s), e.g. ``'data'`` or ``['data']``.
            param_file: path of the ``.params`` file (``arg:``/``aux:`` names or plain).
            ctx: context(s) of the parameters.
            allow_missing: leave parameters missing from the file uninitialized.
            ignore_extra: ignore entries of the file that the graph does not use.

        Examples:
            >>> import os, tempfile, mxjax as mx
            >>> d = tempfile.mkdtemp()
            >>> net = mx.gluon.nn.Dense(2, in_units=3, prefix="fc_")
            >>> net.initialize()
            >>> sym_file, params_file = net.export(os.path.join(d, "fc"))
            >>> blk = mx.gluon.SymbolBlock.imports(sym_file, ["data"], params_file)
            >>> blk(mx.nd.ones((1, 3))).shape
            (1, 2)
        """
        from mxjax._src.symbol.graph import var
        from mxjax._src.symbol.loader import load

        sym = load(symbol_file)
        names = [input_names] if isinstance(input_names, str) else list(input_names)
        block = SymbolBlock(sym, [var(n) for n in names])
        if param_file is not None:
            block.collect_params().load(
                param_file,
                ctx=ctx,
                allow_missing=allow_missing,
                ignore_extra=ignore_extra,
                cast_dtype=True,
                dtype_source="saved",
            )
        return block
