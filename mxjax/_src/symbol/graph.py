"""The symbolic graph: nodes, the :class:`Symbol` handle, variables and groups.

A :class:`Symbol` is a list of outputs ``(node, index)`` of a DAG whose nodes
are variables (``op is None``) or operators from the table in
:mod:`mxjax._src.symbol.registry`. Attributes are MXNet's strings, so a graph
round-trips through MXNet's ``-symbol.json`` unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mxjax._src.symbol.attrs import Params, to_str
from mxjax._src.symbol.optable import OPS, get_op
from mxjax._src.symbol.registry import OpDef

__all__ = ["Group", "Node", "Symbol", "Variable", "new_name", "topo_order", "var"]


class Node:
    """One graph node: a variable (``op is None``) or an operator application."""

    __slots__ = ("attrs", "inputs", "name", "op", "_p")

    def __init__(self, op: OpDef | None, name: str, attrs: Mapping[str, str], inputs=()):
        self.op = op
        self.name = name
        self.attrs = dict(attrs)
        self.inputs: list[tuple[Node, int]] = list(inputs)
        self._p: Params | None = None

    @property
    def params(self) -> Params:
        if self._p is None:
            self._p = self.op.parse(self.attrs) if self.op is not None else Params({})
        return self._p

    @property
    def num_outputs(self) -> int:
        return 1 if self.op is None else self.op.n_outputs(self.params)

    def output_name(self, i: int) -> str:
        if self.op is None:
            return self.name
        return f"{self.name}_{self.op.out_names(self.params)[i]}"

    def aux_positions(self) -> range:
        if self.op is None or not self.op.aux:
            return range(0)
        n = len(self.inputs)
        return range(n - len(self.op.aux), n)

    def __repr__(self) -> str:
        return f"<Node {self.op.name if self.op else 'null'} {self.name}>"


def new_name(hint: str, name: str | None = None) -> str:
    """MXNet's NameManager: ``name``, or ``hint`` followed by a per-hint counter (``fc0``)."""
    from mxjax._src.symbol.scope import make_name

    return make_name(name, hint)


def topo_order(heads: Iterable[tuple[Node, int]]) -> list[Node]:
    """Nodes in MXNet's order: post-order depth-first search over inputs in order."""
    order: list[Node] = []
    seen: set[int] = set()
    for head, _ in heads:
        if id(head) in seen:
            continue
        stack = [(head, 0)]
        seen.add(id(head))
        while stack:
            node, i = stack[-1]
            if i < len(node.inputs):
                stack[-1] = (node, i + 1)
                child = node.inputs[i][0]
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, 0))
            else:
                stack.pop()
                order.append(node)
    return order


def _aux_ids(nodes: Sequence[Node]) -> set[int]:
    out = set()
    for n in nodes:
        for pos in n.aux_positions():
            out.add(id(n.inputs[pos][0]))
    return out


def _scalar_or_symbol(op_sym: str, op_scalar: str, rop_scalar: str | None = None):
    def method(self, other):
        if isinstance(other, Symbol):
            return _apply(op_sym, [self, other])
        if _is_number(other):
            return _apply(op_scalar, [self], scalar=other)
        return NotImplemented

    def rmethod(self, other):
        if _is_number(other):
            return _apply(rop_scalar or op_scalar, [self], scalar=other)
        return NotImplemented

    return method, rmethod


def _is_number(x: Any) -> bool:
    import numpy as np

    return isinstance(x, (int, float, np.number)) and not isinstance(x, bool)


class Symbol:
    """A symbolic expression: one or more outputs of an operator graph (``mx.sym.Symbol``).

    Build symbols with :func:`var` and the operator functions of ``mx.sym``;
    run them with :meth:`bind`/:meth:`simple_bind` or :meth:`eval`.

    Examples:
        >>> import mxjax as mx
        >>> x = mx.sym.var("x")
        >>> y = mx.sym.FullyConnected(x, num_hidden=4, name="fc")
        >>> y.list_arguments()
        ['x', 'fc_weight', 'fc_bias']
        >>> y.infer_shape(x=(2, 3))[1]
        [(2, 4)]
    """

    __slots__ = ("_outputs",)

    def __init__(self, outputs: Sequence[tuple[Node, int]]):
        self._outputs = list(outputs)

    # ------------------------------------------------------------ structure
    @property
    def name(self) -> str | None:
        """The node name of a single-output symbol (None for a group)."""
        if len(self._outputs) != 1:
            return None
        return self._outputs[0][0].name

    def _nodes(self) -> list[Node]:
        return topo_order(self._outputs)

    def list_outputs(self) -> list[str]:
        """Output names (``fc_output``; a variable's output is its name)."""
        return [n.output_name(i) for n, i in self._outputs]

    def list_arguments(self) -> list[str]:
        """Names of the inputs that are not auxiliary states, in MXNet's order."""
        nodes = self._nodes()
        aux = _aux_ids(nodes)
        return [n.name for n in nodes if n.op is None and id(n) not in aux]

    def list_auxiliary_states(self) -> list[str]:
        """Names of auxiliary states (BatchNorm's ``moving_mean``/``moving_var``)."""
        nodes = self._nodes()
        aux = _aux_ids(nodes)
        return [n.name for n in nodes if n.op is None and id(n) in aux]

    def list_inputs(self) -> list[str]:
        """All variable names (arguments and auxiliary states), in graph order."""
        return [n.name for n in self._nodes() if n.op is None]

    def get_internals(self) -> Symbol:
        """A group of every output of every node (variables included)."""
        outs = []
        for n in self._nodes():
            outs.extend((n, i) for i in range(n.num_outputs))
        return Symbol(outs)

    def get_children(self) -> Symbol | None:
        """The inputs of this symbol's operator as a group (None for a variable)."""
        node = self._outputs[0][0]
        if not node.inputs:
            return None
        return Symbol(node.inputs)

    def __len__(self) -> int:
        return len(self._outputs)

    def __iter__(self):
        return (Symbol([o]) for o in self._outputs)

    def __getitem__(self, index: int | str) -> Symbol:
        if isinstance(index, str):
            names = self.list_outputs()
            matches = [i for i, n in enumerate(names) if n == index]
            if not matches:
                raise ValueError(f"Symbol: no output named {index!r}; outputs are {names}")
            if len(matches) > 1:
                raise ValueError(f"Symbol: more than one output is named {index!r}")
            index = matches[0]
        if isinstance(index, slice):
            return Symbol(self._outputs[index])
        if not isinstance(index, int) or not -len(self) <= index < len(self):
            raise IndexError(f"Symbol: output index {index!r} out of range for {len(self)} outputs")
        return Symbol([self._outputs[index]])

    def __copy__(self) -> Symbol:
        return self.__deepcopy__({})

    def __deepcopy__(self, memo: dict) -> Symbol:
        new: dict[int, Node] = {}
        for n in self._nodes():
            c = Node(n.op, n.name, n.attrs, [(new[id(i)], k) for i, k in n.inputs])
            new[id(n)] = c
        return Symbol([(new[id(n)], i) for n, i in self._outputs])

    def __repr__(self) -> str:
        if len(self) == 1:
            return f"<Symbol {self.name}>"
        return f"<Symbol group [{', '.join(self.list_outputs())}]>"

    def __bool__(self) -> bool:
        return True

    def __hash__(self) -> int:
        return id(self)

    # ------------------------------------------------------------ attributes
    def attr(self, key: str) -> str | None:
        """The string attribute ``key`` of this symbol's node (user attributes are ``__k__``)."""
        if len(self) != 1:
            return None
        attrs = self._outputs[0][0].attrs
        if key in attrs:
            return attrs[key]
        return attrs.get(f"__{key}__")

    def list_attr(self, recursive: bool = False) -> dict[str, str]:
        """The attributes of this node (``recursive``: of all nodes, ``name$key``)."""
        if recursive:
            return {f"{n.name}${k}": v for n in self._nodes() for k, v in n.attrs.items()}
        return dict(self._outputs[0][0].attrs) if len(self) == 1 else {}

    def attr_dict(self) -> dict[str, dict[str, str]]:
        """``{node_name: attrs}`` for every node that has attributes."""
        return {n.name: dict(n.attrs) for n in self._nodes() if n.attrs}

    def _set_attr(self, **kwargs: Any) -> None:
        for node, _ in self._outputs:
            for k, v in kwargs.items():
                node.attrs[k] = to_str(v)
            node._p = None

    # ------------------------------------------------------------ composition
    def __call__(self, *args: Symbol, **kwargs: Symbol) -> Symbol:
        """Returns a copy with variables replaced (``net(data=other)``)."""
        name = kwargs.pop("name", None)
        s = copy.deepcopy(self)
        s._compose(*args, name=name, **kwargs)
        return s

    def _compose(self, *args: Symbol, name: str | None = None, **kwargs: Symbol) -> None:
        variables = [n for n in self._nodes() if n.op is None]
        repl: dict[int, tuple[Node, int]] = {}
        if args:
            if kwargs:
                raise TypeError("Symbol(): give inputs by position or by name, not both")
            args_names = self.list_arguments()
            for a, nm in zip(args, args_names):
                node = next(v for v in variables if v.name == nm)
                repl[id(node)] = _single(a, "Symbol()")
        for k, v in kwargs.items():
            match = [n for n in variables if n.name == k]
            if not match:
                raise ValueError(
                    f"Symbol(): no variable named {k!r}; inputs are {self.list_inputs()}"
                )
            repl[id(match[0])] = _single(v, "Symbol()")
        for n in self._nodes():
            n.inputs = [repl.get(id(i), (i, k)) for i, k in n.inputs]
        self._outputs = [repl.get(id(n), (n, i)) for n, i in self._outputs]
        if name is not None and len(self) == 1:
            self._outputs[0][0].name = name

    # ------------------------------------------------------------ operators
    __add__, __radd__ = _scalar_or_symbol("elemwise_add", "_plus_scalar")
    __sub__, __rsub__ = _scalar_or_symbol("elemwise_sub", "_minus_scalar", "_rminus_scalar")
    __mul__, __rmul__ = _scalar_or_symbol("elemwise_mul", "_mul_scalar")
    __truediv__, __rtruediv__ = _scalar_or_symbol("elemwise_div", "_div_scalar", "_rdiv_scalar")
    __div__, __rdiv__ = __truediv__, __rtruediv__
    __mod__, __rmod__ = _scalar_or_symbol("_mod", "_mod_scalar", "_rmod_scalar")
    __pow__, __rpow__ = _scalar_or_symbol("_power", "_power_scalar", "_rpower_scalar")
    __eq__ = _scalar_or_symbol("_equal", "_equal_scalar")[0]  # type: ignore[assignment]
    __ne__ = _scalar_or_symbol("_not_equal", "_not_equal_scalar")[0]  # type: ignore[assignment]
    __gt__ = _scalar_or_symbol("_greater", "_greater_scalar")[0]
    __ge__ = _scalar_or_symbol("_greater_equal", "_greater_equal_scalar")[0]
    __lt__ = _scalar_or_symbol("_lesser", "_lesser_scalar")[0]
    __le__ = _scalar_or_symbol("_lesser_equal", "_lesser_equal_scalar")[0]

    def __neg__(self) -> Symbol:
        return _apply("_mul_scalar", [self], scalar=-1.0)

    def __abs__(self) -> Symbol:
        return _apply("abs", [self])

    def __getattr__(self, name: str) -> Any:
        # fluent methods: x.reshape(...), x.sum(axis=1), x.relu() ...
        if name.startswith("_"):
            raise AttributeError(name)
        if name in _FLUENT and name in OPS:
            op = OPS[name]

            def method(*args: Any, **kwargs: Any) -> Symbol:
                return make_op_function(op, name)(self, *args, **kwargs)

            return method
        raise AttributeError(f"'Symbol' object has no attribute {name!r}")

    # ------------------------------------------------------------ analysis & running
    def infer_shape(self, *args: Any, **kwargs: Any):
        """Infers ``(arg_shapes, out_shapes, aux_shapes)`` from some input shapes.

        Returns ``(None, None, None)`` when the given shapes do not determine all.
        """
        from mxjax._src.symbol.infer import infer_shape

        return infer_shape(self, args, kwargs, partial=False)

    def infer_shape_partial(self, *args: Any, **kwargs: Any):
        """Like :meth:`infer_shape`, with ``()`` for shapes that stay unknown."""
        from mxjax._src.symbol.infer import infer_shape

        return infer_shape(self, args, kwargs, partial=True)

    def infer_type(self, *args: Any, **kwargs: Any):
        """Infers ``(arg_types, out_types, aux_types)`` (NumPy dtypes) from some input types."""
        from mxjax._src.symbol.infer import infer_type

        return infer_type(self, args, kwargs)

    def tojson(self, remove_amp_cast: bool = True) -> str:
        """The graph in MXNet's ``-symbol.json`` format."""
        from mxjax._src.symbol.serialize import tojson

        del remove_amp_cast
        return tojson(self)

    def save(self, fname: str, remove_amp_cast: bool = True) -> None:
        """Writes :meth:`tojson` to ``fname`` atomically."""
        from mxjax._src.symbol.serialize import save

        del remove_amp_cast
        save(self, fname)

    def bind(
        self,
        ctx: Any,
        args: Any,
        args_grad: Any = None,
        grad_req: Any = "write",
        aux_states: Any = None,
        group2ctx: Any = None,
        shared_exec: Any = None,
    ):
        """Binds arrays to the arguments; returns an :class:`~mxjax.symbol.Executor`."""
        from mxjax._src.symbol.executor import bind

        del group2ctx, shared_exec
        return bind(self, ctx, args, args_grad, grad_req, aux_states)

    def simple_bind(
        self,
        ctx: Any,
        grad_req: Any = "write",
        type_dict: Any = None,
        stype_dict: Any = None,
        group2ctx: Any = None,
        shared_arg_names: Any = None,
        shared_exec: Any = None,
        shared_buffer: Any = None,
        **kwargs: Any,
    ):
        """Allocates arrays from input shapes and binds them (see :meth:`bind`)."""
        from mxjax._src.symbol.executor import simple_bind

        del stype_dict, group2ctx, shared_arg_names, shared_exec, shared_buffer
        return simple_bind(self, ctx, grad_req, type_dict, kwargs)

    def eval(self, ctx: Any = None, **kwargs: Any) -> list:
        """Binds ``kwargs`` and runs one inference forward pass; returns the outputs."""
        from mxjax._src.symbol.executor import bind

        return bind(self, ctx, kwargs, None, "null", None).forward()


def _single(s: Any, who: str) -> tuple[Node, int]:
    if not isinstance(s, Symbol):
        raise TypeError(f"{who}: expected a Symbol; received {type(s).__name__}")
    if len(s) != 1:
        raise ValueError(f"{who}: expected a single-output Symbol; received a group of {len(s)}")
    return s._outputs[0]


_STYPE_IDS = {"default": 0, "row_sparse": 1, "csr": 2}  # MXNet's storage type ids


def var(
    name: str,
    attr: Mapping[str, str] | None = None,
    shape: Any = None,
    lr_mult: float | None = None,
    wd_mult: float | None = None,
    dtype: Any = None,
    init: Any = None,
    stype: str | None = None,
    **kwargs: Any,
) -> Symbol:
    """Creates a variable (an input or a parameter of a graph); ``mx.sym.var``.

    Args:
        name: the variable name.
        attr: extra string attributes.
        shape: the shape, used by shape inference (``__shape__``).
        lr_mult, wd_mult: learning-rate and weight-decay multipliers.
        dtype: the dtype (``__dtype__``).
        init: an initializer for this variable (``__init__``).
        stype: storage type (``'default'``, ``'row_sparse'``, ``'csr'``), recorded as
            ``__storage_type__``; executors compute with dense values.

    Examples:
        >>> import mxjax as mx
        >>> w = mx.sym.var("w", shape=(2, 3), lr_mult=2.0)
        >>> w.attr("__shape__"), w.attr("lr_mult")
        ('(2, 3)', '2.0')
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"var: name must be a non-empty string; received {name!r}")
    from mxjax._src.symbol.scope import current_attrs

    attrs = current_attrs()
    attrs.update({k: to_str(v) for k, v in (attr or {}).items()})
    if shape is not None:
        attrs["__shape__"] = to_str(tuple(shape))
    if lr_mult is not None:
        attrs["__lr_mult__"] = to_str(float(lr_mult))
    if wd_mult is not None:
        attrs["__wd_mult__"] = to_str(float(wd_mult))
    if dtype is not None:
        from mxjax._src.symbol.serialize import dtype_code

        attrs["__dtype__"] = str(dtype_code(dtype))
    if init is not None:
        attrs["__init__"] = init if isinstance(init, str) else _init_dumps(init)
    if stype not in (None, "default"):
        if stype not in _STYPE_IDS:
            raise ValueError(f"var: stype must be one of {sorted(_STYPE_IDS)}; received {stype!r}")
        attrs["__storage_type__"] = str(_STYPE_IDS[stype])
    for k, v in kwargs.items():
        if k.startswith("__") and k.endswith("__"):
            attrs[k] = to_str(v)
        else:
            raise TypeError(f"var: unexpected keyword argument {k!r} (attributes are __{k}__)")
    return Symbol([(Node(None, name, attrs), 0)])


Variable = var


def _init_dumps(init: Any) -> str:
    import json

    dumps = getattr(init, "dumps", None)
    if callable(dumps):
        return dumps()
    return json.dumps([type(init).__name__.lower(), {}])


def Group(symbols: Sequence[Symbol]) -> Symbol:  # noqa: N802 - MXNet's name
    """One symbol whose outputs are the outputs of ``symbols`` (``mx.sym.Group``).

    Examples:
        >>> import mxjax as mx
        >>> a, b = mx.sym.var("a"), mx.sym.var("b")
        >>> mx.sym.Group([mx.sym.elemwise_add(a, b, name="s"), a]).list_outputs()
        ['s_output', 'a']
    """
    if not symbols or not all(isinstance(s, Symbol) for s in symbols):
        raise TypeError("Group: expected a non-empty list of Symbols")
    outs: list[tuple[Node, int]] = []
    for s in symbols:
        outs.extend(s._outputs)
    return Symbol(outs)


# Ops that are also Symbol methods (MXNet's fluent interface).
_FLUENT = set(
    """reshape reshape_like flatten transpose expand_dims squeeze swapaxes slice slice_axis
    slice_like split tile repeat pad broadcast_to broadcast_like astype zeros_like ones_like
    sum mean max min prod nansum norm argmax argmin topk sort argsort abs sign round floor ceil
    trunc fix exp expm1 log log10 log2 log1p sqrt rsqrt cbrt square reciprocal relu sigmoid
    softmax log_softmax sin cos tan arcsin arccos arctan sinh cosh tanh clip take one_hot
    pick dot batch_dot where diag flip sum_axis""".split()
)


_OVERLOAD_HINTS = {
    "elemwise_add": "_plus",
    "elemwise_sub": "_minus",
    "elemwise_mul": "_mul",
    "elemwise_div": "_div",
}


def _apply(op_name: str, inputs: list[Symbol], name: str | None = None, **params: Any) -> Symbol:
    op = get_op(op_name)
    hint = _OVERLOAD_HINTS.get(op_name, op.name_hint)
    return make_op_function(op, op_name)(*inputs, name=name, _hint=hint, **params)


def make_op_function(op: OpDef, public_name: str):
    """The ``mx.sym.<Op>`` function of an operator."""
    spec_names = list(op.params)

    def fn(
        *args: Any,
        name: str | None = None,
        attr: Mapping[str, Any] | None = None,
        out: Any = None,
        **kwargs: Any,
    ) -> Symbol:
        if out is not None:
            raise TypeError(f"{public_name}: out= is not supported by symbols")
        kwargs_hint = kwargs.pop("_hint", None)
        # MXNet turns these keyword arguments into node attributes (copied to the variables
        # it creates), e.g. FullyConnected(..., lr_mult=0) freezes the layer's weights
        special = {
            f"__{k}__": to_str(kwargs.pop(k))
            for k in ("lr_mult", "wd_mult", "ctx_group", "force_mirroring")
            if k in kwargs and k not in op.params
        }
        syms: list[Symbol] = []
        rest: list[Any] = []
        for a in args:
            if isinstance(a, Symbol) and not rest:
                syms.append(a)
            elif (
                isinstance(a, (list, tuple))
                and a
                and all(isinstance(s, Symbol) for s in a)
                and op.variadic
                and not rest
            ):
                syms.extend(a)
            else:
                rest.append(a)
        named_syms = {k: v for k, v in kwargs.items() if isinstance(v, Symbol)}
        for k in named_syms:
            kwargs.pop(k)
        if op.variadic is not None:
            if named_syms:
                syms.extend(named_syms.values())
                named_syms = {}
            kwargs.setdefault(op.variadic, len(syms))
        # positional non-symbol arguments fill parameters in declared order
        free = [k for k in spec_names if k not in kwargs]
        if len(rest) > len(free):
            raise TypeError(f"{public_name}: too many positional arguments")
        kwargs.update(zip(free, rest))
        attrs: dict[str, str] = {}
        for k, v in kwargs.items():
            if v is None and k in op.params and op.params[k][1] is None:
                continue
            attrs[k] = to_str(v)
        p = op.parse(attrs)  # validates parameters
        attrs.update(special)
        hint = (
            kwargs_hint
            if kwargs_hint is not None
            else (op.name_hint if public_name == op.name else public_name.lower())
        )
        node_name = new_name(hint, name)
        if op.variadic is not None:
            if len(syms) != p[op.variadic]:
                raise ValueError(
                    f"{public_name}: {op.variadic}={p[op.variadic]} but {len(syms)} inputs given"
                )
            inputs = [_single(s, public_name) for s in syms]
        else:
            names = op.input_names(p)
            if len(syms) > len(names):
                raise TypeError(
                    f"{public_name}: takes {len(names)} inputs {names}; received {len(syms)}"
                )
            given: dict[str, Symbol] = dict(zip(names, syms))
            for k, v in named_syms.items():
                if k not in names:
                    raise TypeError(f"{public_name}: unknown input {k!r}; inputs are {names}")
                if k in given:
                    raise TypeError(f"{public_name}: input {k!r} given twice")
                given[k] = v
            inputs = []
            plain = {k: v for k, v in attrs.items()}
            for k in names:
                if k in given:
                    inputs.append(_single(given[k], public_name))
                else:
                    vattrs = dict(plain)
                    if k in op.input_init:
                        vattrs["__init__"] = op.input_init[k]
                    if k in op.aux:
                        vattrs["__init__"] = '["zero", {}]' if "mean" in k else '["one", {}]'
                        vattrs = {"__init__": vattrs["__init__"]} if not plain else vattrs
                    inputs.append((Node(None, f"{node_name}_{k}", vattrs), 0))
        from mxjax._src.symbol.scope import current_attrs

        for k, v in {**current_attrs(), **(attr or {})}.items():
            attrs[k] = to_str(v)
        node = Node(op, node_name, attrs, inputs)
        node._p = p
        return Symbol([(node, i) for i in range(node.num_outputs)])

    fn.__name__ = public_name
    fn.__qualname__ = public_name
    fn.__doc__ = (
        f"MXNet's ``{op.name}`` operator as a symbol.\n\n"
        f"    Inputs: {', '.join(op.input_names(_defaults(op))) if not op.variadic else '``*args``'}."
        f"\n    Parameters: {', '.join(op.params) or 'none'}.\n"
    )
    return fn


def _defaults(op: OpDef) -> Params:
    from mxjax._src.symbol.attrs import REQUIRED

    d = {}
    for k, (parser, default) in op.params.items():
        if default is REQUIRED:
            d[k] = 1 if parser.__name__ in ("p_int",) else default
        else:
            d[k] = default
    try:
        op.input_names(Params(d))
    except Exception:
        return Params({k: (v if v is not REQUIRED else None) for k, v in d.items()})
    return Params(d)
