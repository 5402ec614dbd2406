"""The operator table of the symbolic API: MXNet operator names to functional-core code.

Each :class:`OpDef` names MXNet's inputs, auxiliary states, parameters (with
their parsers and defaults), outputs, and a ``compute`` function written over
:mod:`mxjax.layers`, :mod:`mxjax.ops` and ``jax.numpy``. The operator
modules (``ops_*``) fill the table; :mod:`mxjax._src.symbol.optable` loads them
all and looks operators up.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from mxjax._src.symbol.attrs import Params, parse_params

__all__ = ["OPS", "Ctx", "OpDef", "register"]


@dataclasses.dataclass(frozen=True)
class Ctx:
    """What an operator's ``compute`` may read besides its inputs."""

    train: bool
    key: Any  # a PRNG key or None


@dataclasses.dataclass(frozen=True)
class OpDef:
    """One MXNet operator.

    Attributes:
        name: MXNet's operator name (as in ``-symbol.json``).
        compute: ``compute(p, ctx, *inputs)`` returning one array or a tuple of
            arrays; with ``aux``, the inputs end with the auxiliary states and
            it returns ``(outputs_tuple, new_aux_tuple)``.
        params: ``{name: (parser, default)}``.
        inputs: argument names, or a function of the parsed params returning them.
        aux: auxiliary-state names (last inputs).
        num_outputs: visible outputs (int or function of params).
        output_names: function of params returning the output suffixes.
        variadic: name of the count attribute for ops taking ``*args`` (Concat).
        infer: ``infer(p, shapes) -> shapes`` fills unknown input shapes (weights,
            labels) from known ones; entries are tuples or None.
        hint: prefix of automatic node names (MXNet's ``NameManager`` hint).
        loss: the op ignores its head gradient (SoftmaxOutput ...).
        random: the op draws random numbers when training.
        input_init: ``__init__`` attributes of variables the op creates for missing
            inputs (PReLU's ``gamma`` starts at 0.25, as MXNet).
        no_grad_inputs: indices of inputs that never get a gradient (labels).
        fluent: also a ``Symbol`` method.
    """

    name: str
    compute: Callable[..., Any]
    params: Mapping[str, tuple] = dataclasses.field(default_factory=dict)
    inputs: Any = ("data",)
    aux: tuple[str, ...] = ()
    num_outputs: Any = 1
    output_names: Any = None
    variadic: str | None = None
    infer: Callable[..., Any] | None = None
    hint: str | None = None
    loss: bool = False
    random: bool = False
    input_init: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def parse(self, attrs: Mapping[str, str]) -> Params:
        return parse_params(self.name, self.params, attrs)

    def input_names(self, p: Params, n_given: int | None = None) -> list[str]:
        if self.variadic is not None:
            n = p[self.variadic] if n_given is None else n_given
            return [f"arg{i}" for i in range(n)]
        names = self.inputs(p) if callable(self.inputs) else self.inputs
        return list(names) + list(self.aux)

    def n_outputs(self, p: Params) -> int:
        return self.num_outputs(p) if callable(self.num_outputs) else self.num_outputs

    def out_names(self, p: Params) -> list[str]:
        if self.output_names is not None:
            return list(self.output_names(p))
        n = self.n_outputs(p)
        return ["output"] if n == 1 else [f"output{i}" for i in range(n)]

    @property
    def name_hint(self) -> str:
        return self.hint if self.hint is not None else self.name.lower()


OPS: dict[str, OpDef] = {}


def register(name: str, compute: Callable[..., Any], *aliases: str, **kwargs: Any) -> OpDef:
    """Adds an operator (and its aliases) to the table."""
    op = OpDef(name, compute, **kwargs)
    OPS[name] = op
    for a in aliases:
        OPS[a] = op
    return op
