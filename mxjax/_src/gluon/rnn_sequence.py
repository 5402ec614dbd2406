"""The sequence plumbing of Gluon's recurrent cells, over NDArrays or Symbols.

One copy of what every cell's ``unroll`` needs (MXNet 1.9.1's
``gluon/rnn/rnn_cell.py`` helpers): formatting a sequence as a list of steps or
one tensor, begin states, masking past ``valid_length``, reversing sequences,
the step loop itself. ``F`` is ``mx.nd`` or ``mx.sym``, chosen by the inputs,
so a cell unrolled over ``mx.sym.Variable`` s builds a graph.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from mxjax._src.dispatch import apply
from mxjax._src.gluon import _bridge as B
from mxjax._src.symbol.export import block_scope, param_var
from mxjax._src.symbol.graph import Symbol

__all__ = [
    "Unroll",
    "Unrollable",
    "block_scope",
    "check_layout",
    "check_not_modified",
    "dropout",
    "format_sequence",
    "get_begin_state",
    "is_symbol",
    "make_states",
    "mask_sequence_variable_length",
    "reverse_sequences",
    "step_symbol",
    "sym",
    "unroll_steps",
]


class Unroll(NamedTuple):
    """The arguments of ``unroll``, as one value passed to ``_unroll``."""

    length: int
    inputs: Any
    begin_state: Any = None
    layout: str = "NTC"
    merge_outputs: bool | None = None
    valid_length: Any = None


def sym():
    """The ``mxjax.symbol`` module (imported on first use)."""
    return importlib.import_module("mxjax.symbol")


def is_symbol(x: Any) -> bool:
    """True for a Symbol or a non-empty list whose first item is one."""
    if isinstance(x, (list, tuple)):
        return bool(x) and isinstance(x[0], Symbol)
    return isinstance(x, Symbol)


def _is_tensor(x: Any) -> bool:
    return not isinstance(x, (list, tuple))


def check_layout(owner: str, layout: str) -> int:
    """The time axis of ``layout`` ('NTC' or 'TNC')."""
    if layout not in ("NTC", "TNC"):
        raise ValueError(f"{owner}.unroll: layout must be 'NTC' or 'TNC'; received {layout!r}")
    return layout.find("T")


def _split(F: Any, x: Any, num: int, axis: int) -> list:
    out = F.split(x, num_outputs=num, axis=axis, squeeze_axis=True)
    return list(out) if isinstance(out, (list, tuple)) or isinstance(out, Symbol) else [out]


def format_sequence(
    length: int | None, inputs: Any, layout: str, merge: bool | None, owner: str = "cell"
) -> tuple:
    """A list of steps (``merge=False``), one tensor (``merge=True``) or as given (None).

    Returns ``(inputs, time_axis, F, batch_size)``; ``batch_size`` is 0 for Symbols.
    """
    axis = check_layout(owner, layout)
    if inputs is None:
        raise ValueError(f"{owner}.unroll: inputs must be given (a tensor or a list of steps)")
    batch_size = 0
    if _is_tensor(inputs):
        if isinstance(inputs, Symbol):
            F = sym()
            if merge is False:
                if len(inputs.list_outputs()) != 1:
                    raise ValueError(
                        f"{owner}.unroll: a grouped symbol cannot be split into steps; pass "
                        "list(inputs) instead"
                    )
                if length is None:
                    raise ValueError(f"{owner}.unroll: a Symbol input needs length")
                inputs = _split(F, inputs, length, axis)
        else:
            F = B.nd()
            batch_size = inputs.shape[layout.find("N")]
            if length is not None and length != inputs.shape[axis]:
                raise ValueError(
                    f"{owner}.unroll: length={length} but the inputs have {inputs.shape[axis]} "
                    f"steps on axis {axis} (layout {layout!r})"
                )
            if merge is False:
                inputs = _split(F, inputs, inputs.shape[axis], axis)
    else:
        inputs = list(inputs)
        if not inputs:
            raise ValueError(f"{owner}.unroll: inputs is an empty list")
        if length is not None and len(inputs) != length:
            raise ValueError(f"{owner}.unroll: length={length} but {len(inputs)} steps given")
        if isinstance(inputs[0], Symbol):
            F = sym()
        else:
            F = B.nd()
            batch_size = inputs[0].shape[0]
        if merge is True:
            inputs = F.stack(*inputs, axis=axis)
    return inputs, axis, F, batch_size


def _symbol_zeros(F: Any, like: Any, batch_axis: int):
    """A ``func`` for ``begin_state`` making zero states whose batch size is ``like``'s."""

    def zeros(shape: tuple = (), **kwargs: Any) -> Any:
        col = F.sum(F.zeros_like(like), axis=batch_axis, exclude=True)  # (N,)
        col = F.reshape(col, shape=(-1,) + (1,) * (len(shape) - 1))
        return F.broadcast_to(col, shape=(0, *shape[1:]), name=kwargs.get("name"))

    return zeros


def get_begin_state(
    cell: Any, F: Any, begin_state: Any, inputs: Any, batch_size: int, batch_axis: int = 0
) -> list:
    """``begin_state`` as a list, or the cell's zero states for ``inputs``."""
    if begin_state is not None:
        if B.is_ndarray(begin_state) or isinstance(begin_state, Symbol):
            return [begin_state]
        return list(begin_state)
    first = inputs if _is_tensor(inputs) else inputs[0]
    if isinstance(first, Symbol):
        axis = batch_axis if _is_tensor(inputs) else 0
        return cell.begin_state(batch_size=0, func=_symbol_zeros(F, first, axis))
    kwargs = {}
    ctx = B.context_of(first)
    if ctx is not None:
        kwargs["ctx"] = ctx
    if hasattr(first, "dtype"):
        kwargs["dtype"] = first.dtype
    return cell.begin_state(batch_size=batch_size, **kwargs)


def mask_sequence_variable_length(
    F: Any, data: Any, length: int, valid_length: Any, time_axis: int, merge: bool
) -> Any:
    """Zeroes the steps past ``valid_length``; one tensor (``merge``) or a list of steps."""
    if not _is_tensor(data):
        data = F.stack(*data, axis=time_axis)
    out = F.SequenceMask(
        data, sequence_length=valid_length, use_sequence_length=True, axis=time_axis
    )
    return out if merge else _split(F, out, length, time_axis)


def reverse_sequences(steps: list, length: int, valid_length: Any = None) -> list:
    """The list of steps reversed in time, each sample within its ``valid_length``."""
    if valid_length is None:
        return list(reversed(steps))
    F = sym() if is_symbol(steps) else B.nd()
    out = F.SequenceReverse(
        F.stack(*steps, axis=0), sequence_length=valid_length, use_sequence_length=True
    )
    return _split(F, out, length, 0)


def unroll_steps(cell: Any, u: Unroll) -> tuple:
    """MXNet's ``RecurrentCell.unroll``: calls ``cell(step, states)`` ``u.length`` times."""
    length, layout, valid_length = u.length, u.layout, u.valid_length
    begin_state, merge_outputs = u.begin_state, u.merge_outputs
    name = type(cell).__name__
    cell.reset()
    steps, axis, F, batch_size = format_sequence(length, u.inputs, layout, False, name)
    states = get_begin_state(cell, F, begin_state, steps, batch_size)
    outputs, all_states = [], []
    for x in steps:
        out, states = cell(x, states)
        outputs.append(out)
        if valid_length is not None:
            all_states.append(states)
    if valid_length is not None:
        states = [
            F.SequenceLast(
                F.stack(*st, axis=0),
                sequence_length=valid_length,
                use_sequence_length=True,
                axis=0,
            )
            for st in zip(*all_states)
        ]
        outputs = mask_sequence_variable_length(F, outputs, length, valid_length, axis, True)
    outputs, _, _, _ = format_sequence(length, outputs, layout, merge_outputs, name)
    return outputs, states


def dropout(F: Any, x: Any, rate: float, axes: tuple = ()) -> Any:
    """Inverted dropout while training (``F.Dropout``; the mask is shared along ``axes``)."""
    if rate == 0:
        return x
    if F is not B.nd():
        return F.Dropout(x, p=rate, axes=tuple(axes))
    if not B.is_training():
        return x
    return _nd_dropout(x, rate, tuple(axes))


def _nd_dropout(x: Any, rate: float, axes: tuple) -> Any:
    key = B.new_key()  # from the hybridized trace when there is one

    def fn(a, k):
        shape = tuple(1 if i in axes else n for i, n in enumerate(a.shape))
        keep = jax.random.bernoulli(k, 1.0 - rate, shape)
        return jnp.where(keep, a / (1.0 - rate), jnp.zeros((), a.dtype))

    return apply(fn, x, key)


def step_symbol(cell: Any, fn: Any, *args: Any) -> Any:
    """Runs ``fn(F=mx.sym, *args, **parameter_variables)`` under the cell's name scope."""
    params = {k: param_var(p) for k, p in cell._reg_params.items()}
    with block_scope(cell):
        return fn(sym(), *args, **params)


def check_not_modified(cell: Any) -> None:
    """Raises for ``begin_state`` asked of a cell wrapped by a modifier cell."""
    if getattr(cell, "_modified", False):
        raise RuntimeError(
            f"{type(cell).__name__}: after applying a modifier cell, call begin_state of the "
            "modifier cell instead of the base cell"
        )


def make_states(infos: list, func: Any, names: list, **kwargs: Any) -> list:
    """``func(name=..., **info, **kwargs)`` for each state (``nd.zeros`` when ``func`` is None)."""
    func = B.nd().zeros if func is None else func
    states = []
    for info, name in zip(infos, names):
        kw = dict(info or {})
        kw.update(kwargs)
        states.append(func(name=name, **kw))
    return states


class Unrollable:
    """Gluon's ``unroll`` signature, written once; cells implement ``_unroll(u: Unroll)``."""

    def unroll(
        self,
        length: int,
        inputs: Any,
        begin_state: Any = None,
        layout: str = "NTC",
        merge_outputs: bool | None = None,
        valid_length: Any = None,
    ) -> tuple:
        """Runs the cell over ``length`` steps; returns ``(outputs, states)``.

        Over NDArrays it computes; over Symbols (``mx.sym.Variable`` steps or one
        sequence symbol) it builds the unrolled graph, as MXNet's cells do.

        Args:
            length: the number of steps.
            inputs: one ``layout`` tensor, or a list of ``length`` ``(N, C)`` steps.
            begin_state: the initial states (the cell's zero states if None).
            layout: ``'NTC'`` or ``'TNC'``.
            merge_outputs: stack the outputs into one tensor (True), a list of
                steps (False), or whichever the cell produces (None).
            valid_length: ``(N,)`` lengths; outputs past them are zero and the
                returned states are those of each sample's last valid step.

        Raises:
            ValueError: for a bad layout or a length that disagrees with ``inputs``.
        """
        u = Unroll(length, inputs, begin_state, layout, merge_outputs, valid_length)
        return self._unroll(u)

    def _unroll(self, u: Unroll) -> tuple:
        return unroll_steps(self, u)
