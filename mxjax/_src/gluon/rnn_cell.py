"""Gluon's recurrent-cell base classes and containers (``SequentialRNNCell``, ``BidirectionalCell``, ...).

The containers follow MXNet 1.9.1's ``gluon/rnn/rnn_cell.py`` step by step: they call
their child cells, so they work over the fused cells of :mod:`mxjax._src.gluon.rnn`,
over each other and over user cells written as ``hybrid_forward(F, inputs, states)``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from mxjax._src.dispatch import apply as _apply
from mxjax._src.gluon import _bridge as B
from mxjax._src.gluon.block import Block, HybridBlock

__all__ = [
    "BidirectionalCell",
    "DropoutCell",
    "HybridRecurrentCell",
    "HybridSequentialRNNCell",
    "ModifierCell",
    "RecurrentCell",
    "ResidualCell",
    "SequentialRNNCell",
    "ZoneoutCell",
]


# ----------------------------------------------------------------- sequence helpers
def _is_tensor(x: Any) -> bool:
    return not isinstance(x, (list, tuple))


def _check_layout(cls: str, layout: str) -> int:
    if layout not in ("NTC", "TNC"):
        raise ValueError(f"{cls}.unroll: layout must be 'NTC' or 'TNC'; received {layout!r}")
    return layout.find("T")


def _format_sequence(length: Any, inputs: Any, layout: str, merge: Any, cls: str = "cell"):
    """MXNet's ``_format_sequence``: a list of steps (``merge=False``), one tensor
    (``merge=True``) or as given (``merge=None``); returns ``(inputs, axis, batch_size)``."""
    nd = B.nd()
    axis = _check_layout(cls, layout)
    if inputs is None:
        raise ValueError(f"{cls}.unroll: inputs must be given")
    if _is_tensor(inputs):
        batch_size = inputs.shape[layout.find("N")]
        if length is not None and length != inputs.shape[axis]:
            raise ValueError(
                f"{cls}.unroll: length={length} but the inputs have {inputs.shape[axis]} steps "
                f"on axis {axis} (layout {layout!r})"
            )
        if merge is False:
            inputs = _split_steps(inputs, axis)
    else:
        inputs = list(inputs)
        if length is not None and len(inputs) != length:
            raise ValueError(f"{cls}.unroll: length={length} but {len(inputs)} input steps given")
        batch_size = inputs[0].shape[0]
        if merge is True:
            inputs = nd.stack(*inputs, axis=axis)
    return inputs, axis, batch_size


def _split_steps(x: Any, axis: int) -> list:
    nd = B.nd()
    out = nd.split(x, num_outputs=x.shape[axis], axis=axis, squeeze_axis=True)
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _time_mask(valid_length: Any, length: int, dtype: Any) -> Any:
    t = jnp.arange(length).reshape(length, 1)
    return (t < jnp.asarray(valid_length).astype(jnp.int32).reshape(1, -1)).astype(dtype)


def _sequence_mask(data: Any, valid_length: Any, axis: int) -> Any:
    """``SequenceMask``: zeroes the steps at or after ``valid_length`` (recorded)."""

    def fn(d, vl):
        mask = _time_mask(vl, d.shape[axis], d.dtype)  # (T, N)
        if axis == 1:
            mask = mask.T
        return d * mask.reshape(mask.shape + (1,) * (d.ndim - 2))

    return _apply(fn, data, valid_length)


def _mask_variable_length(data: Any, length: int, valid_length: Any, axis: int, merge: bool):
    nd = B.nd()
    if not _is_tensor(data):
        data = nd.stack(*data, axis=axis)
    out = _sequence_mask(data, valid_length, axis)
    return out if merge else _split_steps(out, axis)


def _sequence_last(steps: list, valid_length: Any) -> Any:
    """``SequenceLast`` over a list of per-step arrays: each sample's last valid step."""

    def fn(vl, *xs):
        st = jnp.stack(xs, 0)
        last = jnp.clip(jnp.asarray(vl).astype(jnp.int32) - 1, 0, st.shape[0] - 1)
        return st[last, jnp.arange(st.shape[1])]

    return _apply(fn, valid_length, *steps)


def _reverse_sequences(steps: list, valid_length: Any) -> list:
    """Reverses a list of steps (each sample within its ``valid_length`` when given)."""
    if valid_length is None:
        return list(reversed(steps))
    n = len(steps)

    def fn(vl, *xs):
        st = jnp.stack(xs, 0)  # (T, N, ...)
        vl = jnp.asarray(vl).astype(jnp.int32).reshape(1, -1)
        t = jnp.arange(n).reshape(-1, 1)
        src = jnp.where(t < vl, vl - 1 - t, t)  # (T, N)
        out = jnp.take_along_axis(st, src.reshape(src.shape + (1,) * (st.ndim - 2)), axis=0)
        return tuple(out[i] for i in range(n))

    out = _apply(fn, valid_length, *steps)
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _begin_state_for(cell: Any, begin_state: Any, inputs: Any, batch_size: int) -> list:
    if begin_state is not None:
        return [begin_state] if B.is_ndarray(begin_state) else list(begin_state)
    first = inputs if _is_tensor(inputs) else inputs[0]
    kwargs = {}
    ctx = B.context_of(first)
    if ctx is not None:
        kwargs["ctx"] = ctx
    if hasattr(first, "dtype"):
        kwargs["dtype"] = first.dtype
    return cell.begin_state(batch_size=batch_size, **kwargs)


def unroll_cell(
    cell: Any,
    length: int,
    inputs: Any,
    begin_state: Any = None,
    layout: str = "NTC",
    merge_outputs: bool | None = None,
    valid_length: Any = None,
) -> tuple:
    """MXNet's ``RecurrentCell.unroll``: steps ``cell`` ``length`` times."""
    nd = B.nd()
    name = type(cell).__name__
    if hasattr(cell, "reset"):
        cell.reset()
    steps, axis, batch_size = _format_sequence(length, inputs, layout, False, name)
    states = _begin_state_for(cell, begin_state, steps, batch_size)
    outputs, all_states = [], []
    for x in steps:
        out, states = cell(x, states)
        outputs.append(out)
        if valid_length is not None:
            all_states.append(states)
    if valid_length is not None:
        states = [_sequence_last(list(st), valid_length) for st in zip(*all_states)]
        outputs = _mask_variable_length(outputs, length, valid_length, axis, False)
    if merge_outputs:
        outputs = nd.stack(*outputs, axis=axis)
    return outputs, states


def _cells_state_info(cells: Any, batch_size: int) -> list:
    return sum((c.state_info(batch_size) for c in cells), [])


def _cells_begin_state(cells: Any, **kwargs: Any) -> list:
    return sum((c.begin_state(**kwargs) for c in cells), [])


# ------------------------------------------------------------------- base classes
class RecurrentCell(Block):
    """Base class of recurrent cells (Gluon's ``rnn.RecurrentCell``).

    Subclasses implement :meth:`state_info` and ``forward(inputs, states)``
    returning ``(output, new_states)``; :meth:`unroll` and :meth:`begin_state`
    come from here.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> class Sum(rnn.RecurrentCell):
        ...     def state_info(self, batch_size=0):
        ...         return [{"shape": (batch_size, 2), "__layout__": "NC"}]
        ...     def forward(self, x, states):
        ...         h = states[0] + x
        ...         return h, [h]
        >>> outs, states = Sum().unroll(3, mx.nd.ones((1, 3, 2)), merge_outputs=True)
        >>> outs[0, :, 0].asnumpy().tolist(), states[0].asnumpy().tolist()
        ([1.0, 2.0, 3.0], [[3.0, 3.0]])
    """

    def __init__(self, prefix: str | None = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)
        self._modified = False
        self.reset()

    def reset(self) -> None:
        """Resets the step counters (and those of the children) before a new sequence."""
        self._init_counter = -1
        self._counter = -1
        for cell in self._children.values():
            if hasattr(cell, "reset"):
                cell.reset()

    def state_info(self, batch_size: int = 0) -> list:
        """Shape and layout of each state: ``[{'shape': (N, H), '__layout__': 'NC'}, ...]``."""
        raise NotImplementedError(f"{type(self).__name__} must implement state_info()")

    def begin_state(self, batch_size: int = 0, func: Any = None, **kwargs: Any) -> list:
        """Initial states made by ``func`` (``nd.zeros`` by default), one per :meth:`state_info` entry.

        Raises:
            RuntimeError: on a cell wrapped by a modifier cell (ask the modifier).
        """
        if self._modified:
            raise RuntimeError(
                f"{type(self).__name__}: after applying a modifier cell, call begin_state of "
                "the modifier cell instead of the base cell"
            )
        nd = B.nd()
        func = nd.zeros if func is None else func
        states = []
        for info in self.state_info(batch_size):
            self._init_counter += 1
            kw = dict(kwargs)
            kw.update({k: v for k, v in (info or {}).items() if k != "__layout__"})
            states.append(func(**kw))
        return states

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

        Args:
            length: the number of steps.
            inputs: one ``layout`` tensor, or a list of ``length`` ``(N, C)`` arrays.
            begin_state: the initial states (``begin_state()`` zeros if None).
            layout: ``'NTC'`` or ``'TNC'``.
            merge_outputs: stack the outputs into one tensor (True), return a list
                of steps (False or None, as MXNet).
            valid_length: ``(N,)`` lengths; outputs past them are zero and the
                returned states are those of each sample's last valid step.

        Raises:
            ValueError: for a bad layout or a length that disagrees with ``inputs``.
        """
        return unroll_cell(self, length, inputs, begin_state, layout, merge_outputs, valid_length)

    def forward(self, inputs: Any, states: Any) -> tuple:
        """One step: ``(output, new_states)`` (``hybrid_forward(F, inputs, states)`` if defined)."""
        if type(self).hybrid_forward is HybridBlock.hybrid_forward or not hasattr(
            self, "hybrid_forward"
        ):
            raise NotImplementedError(f"{type(self).__name__} must implement forward()")
        ctx = B.context_of(inputs)
        params = {k: p.data(ctx) for k, p in self._reg_params.items()}
        return self.hybrid_forward(B.nd(), inputs, states, **params)

    def __call__(self, inputs: Any, states: Any = None, *args: Any) -> Any:
        self._counter += 1
        return super().__call__(inputs, states, *args)

    def _get_activation(self, F: Any, inputs: Any, activation: Any, **kwargs: Any) -> Any:
        if isinstance(activation, str):
            return F.Activation(inputs, act_type=activation, **kwargs)
        return activation(inputs, **kwargs)


class HybridRecurrentCell(RecurrentCell, HybridBlock):
    """A recurrent cell whose step is ``hybrid_forward(F, inputs, states, **params)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> class Scale(rnn.HybridRecurrentCell):
        ...     def state_info(self, batch_size=0):
        ...         return []
        ...     def hybrid_forward(self, F, x, states):
        ...         return 2 * x, states
        >>> outs, _ = Scale().unroll(2, [mx.nd.ones((1, 1))] * 2)
        >>> [o.asnumpy().tolist() for o in outs]
        [[[2.0]], [[2.0]]]
    """

    def __init__(self, prefix: str | None = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)

    def hybridize(self, active: bool = True, **kwargs: Any) -> None:
        """Hybridizes the children; a cell that keeps Python state across steps stays imperative."""
        if self._keeps_step_state():
            Block.hybridize(self, active, **kwargs)
        else:
            HybridBlock.hybridize(self, active, **kwargs)

    def _keeps_step_state(self) -> bool:
        return bool(self._children)

    def forward(self, inputs: Any, states: Any = None) -> tuple:
        return RecurrentCell.forward(self, inputs, states)


# --------------------------------------------------------------------- containers
class SequentialRNNCell(RecurrentCell):
    """Stacks cells: each step runs through them in order (Gluon's ``rnn.SequentialRNNCell``).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> stack = rnn.SequentialRNNCell()
        >>> stack.add(rnn.LSTMCell(4, input_size=3))
        >>> stack.add(rnn.GRUCell(5, input_size=4))
        >>> stack.initialize()
        >>> outs, states = stack.unroll(2, mx.nd.ones((1, 2, 3)), merge_outputs=True)
        >>> outs.shape, [s.shape for s in states]
        ((1, 2, 5), [(1, 4), (1, 4), (1, 5)])
    """

    def __init__(self, prefix: str | None = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)

    def __repr__(self) -> str:
        body = "\n".join(f"({k}): {v!r}" for k, v in self._children.items())
        return f"{type(self).__name__}(\n{body}\n)"

    def add(self, cell: Any) -> None:
        """Appends a cell."""
        self.register_child(cell)

    def __getitem__(self, i: int) -> Any:
        return list(self._children.values())[i]

    def __len__(self) -> int:
        return len(self._children)

    def state_info(self, batch_size: int = 0) -> list:
        return _cells_state_info(self._children.values(), batch_size)

    def begin_state(self, **kwargs: Any) -> list:
        if self._modified:
            raise RuntimeError(
                f"{type(self).__name__}: after applying a modifier cell, call begin_state of "
                "the modifier cell instead of the base cell"
            )
        return _cells_begin_state(self._children.values(), **kwargs)

    def forward(self, inputs: Any, states: Any = None) -> tuple:
        if states is None:
            states = _begin_state_for(self, None, inputs, inputs.shape[0])
        states = [states] if B.is_ndarray(states) else list(states)
        next_states, p = [], 0
        for cell in self._children.values():
            if isinstance(cell, BidirectionalCell):
                raise TypeError(
                    f"{type(self).__name__}: a BidirectionalCell cannot be stepped; use unroll()"
                )
            n = len(cell.state_info())
            inputs, st = cell(inputs, states[p : p + n])
            p += n
            next_states.extend(st)
        return inputs, next_states

    def unroll(
        self,
        length: int,
        inputs: Any,
        begin_state: Any = None,
        layout: str = "NTC",
        merge_outputs: bool | None = None,
        valid_length: Any = None,
    ) -> tuple:
        self.reset()
        inputs, _, batch_size = _format_sequence(length, inputs, layout, None, type(self).__name__)
        begin_state = _begin_state_for(self, begin_state, inputs, batch_size)
        cells = list(self._children.values())
        p, next_states = 0, []
        for i, cell in enumerate(cells):
            n = len(cell.state_info())
            inputs, states = cell.unroll(
                length,
                inputs=inputs,
                begin_state=begin_state[p : p + n],
                layout=layout,
                merge_outputs=None if i < len(cells) - 1 else merge_outputs,
                valid_length=valid_length,
            )
            p += n
            next_states.extend(states)
        return inputs, next_states


class HybridSequentialRNNCell(SequentialRNNCell, HybridRecurrentCell):
    """:class:`SequentialRNNCell` usable inside a ``HybridBlock`` (Gluon's ``rnn.HybridSequentialRNNCell``).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> stack = rnn.HybridSequentialRNNCell()
        >>> stack.add(rnn.RNNCell(3, input_size=2))
        >>> stack.initialize()
        >>> out, states = stack(mx.nd.ones((4, 2)), stack.begin_state(batch_size=4))
        >>> out.shape, len(states)
        ((4, 3), 1)
    """

    def forward(self, inputs: Any, states: Any = None) -> tuple:
        return SequentialRNNCell.forward(self, inputs, states)


class DropoutCell(HybridRecurrentCell):
    """Applies dropout to the inputs; no state (Gluon's ``rnn.DropoutCell``).

    Args:
        rate: the fraction dropped, in ``[0, 1)``.
        axes: axes along which the mask is shared.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> outs, _ = rnn.DropoutCell(0.5).unroll(2, mx.nd.ones((1, 2, 3)), merge_outputs=True)
        >>> outs.asnumpy().tolist()  # not training: identity
        [[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]
    """

    def __init__(self, rate: float, axes: Any = (), prefix: str | None = None, params: Any = None):
        if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"DropoutCell: rate must be a number in [0, 1); received {rate!r}")
        super().__init__(prefix, params)
        self._rate = float(rate)
        self._axes = tuple(axes)

    def __repr__(self) -> str:
        return f"DropoutCell(rate={self._rate}, axes={self._axes})"

    def _keeps_step_state(self) -> bool:
        return False

    def state_info(self, batch_size: int = 0) -> list:
        return []

    def hybrid_forward(self, F: Any, inputs: Any, states: Any) -> tuple:
        return _dropout(inputs, self._rate, self._axes), states

    def unroll(
        self,
        length: int,
        inputs: Any,
        begin_state: Any = None,
        layout: str = "NTC",
        merge_outputs: bool | None = None,
        valid_length: Any = None,
    ) -> tuple:
        self.reset()
        inputs, _, _ = _format_sequence(length, inputs, layout, merge_outputs, "DropoutCell")
        if _is_tensor(inputs):
            return _dropout(inputs, self._rate, self._axes), list(begin_state or [])
        return super().unroll(length, inputs, begin_state, layout, merge_outputs, None)


def _dropout(x: Any, rate: float, axes: tuple = ()) -> Any:
    """Inverted dropout in training mode; the mask is shared along ``axes``.

    Keys come from the hybridized trace when there is one (``B.new_key``).
    """
    if rate == 0 or not B.is_training():
        return x
    key = B.new_key()

    def fn(a, k):
        shape = tuple(1 if i in axes else n for i, n in enumerate(a.shape))
        keep = jax.random.bernoulli(k, 1.0 - rate, shape)
        return jnp.where(keep, a / (1.0 - rate), jnp.zeros((), a.dtype))

    return _apply(fn, x, key)


class ModifierCell(HybridRecurrentCell):
    """Base class of cells that wrap one ``base_cell`` and modify it (Gluon's ``rnn.ModifierCell``).

    The modifier shares the base cell's parameters; ask it (not the base cell) for
    ``begin_state``.

    Examples:
        >>> from mxjax.gluon import rnn
        >>> cell = rnn.ResidualCell(rnn.GRUCell(3, input_size=3))
        >>> isinstance(cell, rnn.ModifierCell), cell.base_cell.params is cell.params
        (True, True)
    """

    def __init__(self, base_cell: Any):
        if getattr(base_cell, "_modified", False):
            raise ValueError(
                f"Cell {base_cell.name} is already modified. One cell cannot be modified twice"
            )
        base_cell._modified = True
        super().__init__(prefix=base_cell.prefix + self._alias(), params=None)
        self.base_cell = base_cell

    @property
    def params(self) -> Any:
        return self.base_cell.params

    def _alias(self) -> str:
        return type(self).__name__.lower().replace("cell", "")

    def state_info(self, batch_size: int = 0) -> list:
        return self.base_cell.state_info(batch_size)

    def begin_state(self, func: Any = None, **kwargs: Any) -> list:
        if self._modified:
            raise RuntimeError(
                f"{type(self).__name__}: after applying a modifier cell, call begin_state of "
                "the modifier cell instead of the base cell"
            )
        self.base_cell._modified = False
        try:
            return self.base_cell.begin_state(func=func, **kwargs)
        finally:
            self.base_cell._modified = True

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_cell!r})"


class ZoneoutCell(ModifierCell):
    """Zoneout (Krueger et al., 2016): randomly keeps the previous output/state (Gluon's ``rnn.ZoneoutCell``).

    Args:
        base_cell: the cell to wrap.
        zoneout_outputs: probability of keeping the previous output.
        zoneout_states: probability of keeping each previous state.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> cell = rnn.ZoneoutCell(rnn.RNNCell(3, input_size=2), 0.5, 0.5)
        >>> cell.initialize()
        >>> outs, states = cell.unroll(2, mx.nd.ones((1, 2, 2)), merge_outputs=True)
        >>> outs.shape, states[0].shape
        ((1, 2, 3), (1, 3))
    """

    def __init__(self, base_cell: Any, zoneout_outputs: float = 0.0, zoneout_states: float = 0.0):
        if isinstance(base_cell, BidirectionalCell):
            raise TypeError(
                "ZoneoutCell: BidirectionalCell does not support zoneout since it does not "
                "support step; apply ZoneoutCell to the cells underneath instead"
            )
        if isinstance(base_cell, SequentialRNNCell) and getattr(base_cell, "_bidirectional", False):
            raise TypeError(
                "ZoneoutCell: a bidirectional SequentialRNNCell does not support zoneout"
            )
        for what, v in (("zoneout_outputs", zoneout_outputs), ("zoneout_states", zoneout_states)):
            if not 0 <= v < 1:
                raise ValueError(f"ZoneoutCell: {what} must be in [0, 1); received {v!r}")
        super().__init__(base_cell)
        self.zoneout_outputs = float(zoneout_outputs)
        self.zoneout_states = float(zoneout_states)
        self._prev_output = None

    def _alias(self) -> str:
        return "zoneout"

    def reset(self) -> None:
        super().reset()
        self._prev_output = None

    def hybrid_forward(self, F: Any, inputs: Any, states: Any) -> tuple:
        next_output, next_states = self.base_cell(inputs, states)

        def mask(p: float, like: Any) -> Any:
            return _dropout(F.ones_like(like), p)

        prev_output = self._prev_output
        if prev_output is None:
            prev_output = F.zeros_like(next_output)
        p_out, p_st = self.zoneout_outputs, self.zoneout_states
        output = (
            F.where(mask(p_out, next_output), next_output, prev_output) if p_out else next_output
        )
        if p_st:
            next_states = [
                F.where(mask(p_st, new), new, old) for new, old in zip(next_states, states)
            ]
        self._prev_output = output
        return output, next_states


class ResidualCell(ModifierCell):
    """Adds the input to the output of ``base_cell`` (Gluon's ``rnn.ResidualCell``).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> cell = rnn.ResidualCell(rnn.GRUCell(2, input_size=2))
        >>> cell.initialize(mx.init.Zero())
        >>> outs, _ = cell.unroll(2, mx.nd.ones((1, 2, 2)), merge_outputs=True)
        >>> outs.asnumpy().tolist()  # zero weights: GRU output 0, plus the input
        [[[1.0, 1.0], [1.0, 1.0]]]
    """

    def hybrid_forward(self, F: Any, inputs: Any, states: Any) -> tuple:
        output, states = self.base_cell(inputs, states)
        return F.elemwise_add(output, inputs), states

    def unroll(
        self,
        length: int,
        inputs: Any,
        begin_state: Any = None,
        layout: str = "NTC",
        merge_outputs: bool | None = None,
        valid_length: Any = None,
    ) -> tuple:
        nd = B.nd()
        self.reset()
        self.base_cell._modified = False
        try:
            outputs, states = self.base_cell.unroll(
                length,
                inputs=inputs,
                begin_state=begin_state,
                layout=layout,
                merge_outputs=merge_outputs,
                valid_length=valid_length,
            )
        finally:
            self.base_cell._modified = True
        merge = _is_tensor(outputs) if merge_outputs is None else merge_outputs
        inputs, axis, _ = _format_sequence(length, inputs, layout, merge, "ResidualCell")
        if valid_length is not None:
            inputs = _mask_variable_length(inputs, length, valid_length, axis, merge)
        if merge:
            return nd.elemwise_add(outputs, inputs), states
        return [nd.elemwise_add(o, i) for o, i in zip(outputs, inputs)], states


class BidirectionalCell(HybridRecurrentCell):
    """Runs ``l_cell`` forward and ``r_cell`` backward in time and concatenates (Gluon's ``rnn.BidirectionalCell``).

    A bidirectional cell cannot be stepped: use :meth:`unroll`.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> bi = rnn.BidirectionalCell(rnn.LSTMCell(3, input_size=2), rnn.LSTMCell(3, input_size=2))
        >>> bi.initialize()
        >>> outs, states = bi.unroll(4, mx.nd.ones((5, 4, 2)), merge_outputs=True)
        >>> outs.shape, len(states)
        ((5, 4, 6), 4)
    """

    def __init__(self, l_cell: Any, r_cell: Any, output_prefix: str = "bi_"):
        super().__init__(prefix="", params=None)
        self.register_child(l_cell, "l_cell")
        self.register_child(r_cell, "r_cell")
        self._output_prefix = output_prefix

    def __call__(self, inputs: Any, states: Any = None, *args: Any) -> Any:
        raise NotImplementedError("Bidirectional cannot be stepped. Please use unroll")

    def __repr__(self) -> str:
        l_cell, r_cell = self._children.values()
        return f"BidirectionalCell(forward={l_cell!r}, backward={r_cell!r})"

    def state_info(self, batch_size: int = 0) -> list:
        return _cells_state_info(self._children.values(), batch_size)

    def begin_state(self, **kwargs: Any) -> list:
        if self._modified:
            raise RuntimeError(
                "BidirectionalCell: after applying a modifier cell, call begin_state of the "
                "modifier cell instead of the base cell"
            )
        return _cells_begin_state(self._children.values(), **kwargs)

    def unroll(
        self,
        length: int,
        inputs: Any,
        begin_state: Any = None,
        layout: str = "NTC",
        merge_outputs: bool | None = None,
        valid_length: Any = None,
    ) -> tuple:
        nd = B.nd()
        self.reset()
        steps, axis, batch_size = _format_sequence(
            length, inputs, layout, False, "BidirectionalCell"
        )
        reversed_steps = _reverse_sequences(steps, valid_length)
        states = _begin_state_for(self, begin_state, steps, batch_size)
        l_cell, r_cell = self._children.values()
        n_l = len(l_cell.state_info(batch_size))
        l_outputs, l_states = l_cell.unroll(
            length, steps, states[:n_l], layout, merge_outputs, valid_length
        )
        r_outputs, r_states = r_cell.unroll(
            length, reversed_steps, states[n_l:], layout, False, valid_length
        )
        reversed_r = _reverse_sequences(r_outputs, valid_length)
        if merge_outputs is None:
            merge_outputs = _is_tensor(l_outputs)
        if merge_outputs:
            if not _is_tensor(l_outputs):
                l_outputs = nd.stack(*l_outputs, axis=axis)
            outputs = nd.concat(l_outputs, nd.stack(*reversed_r, axis=axis), dim=2)
        else:
            if _is_tensor(l_outputs):
                l_outputs = _split_steps(l_outputs, axis)
            outputs = [nd.concat(lo, ro, dim=1) for lo, ro in zip(l_outputs, reversed_r)]
        if valid_length is not None:
            outputs = _mask_variable_length(outputs, length, valid_length, axis, merge_outputs)
        return outputs, list(l_states) + list(r_states)
