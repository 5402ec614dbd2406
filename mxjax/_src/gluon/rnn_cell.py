"""Gluon's recurrent-cell base classes and containers (``SequentialRNNCell``, ``BidirectionalCell``, ...).

The containers follow MXNet 1.9.1's ``gluon/rnn/rnn_cell.py`` step by step: they call
their child cells, so they work over the fused cells of :mod:`mxjax._src.gluon.rnn`,
over each other and over user cells written as ``hybrid_forward(F, inputs, states)``.
"""

from __future__ import annotations

from typing import Any

from mxjax._src.gluon import _bridge as B
from mxjax._src.gluon.block import Block, HybridBlock
from mxjax._src.gluon.rnn_sequence import (
    Unroll,
    Unrollable,
    block_scope,
    check_not_modified,
    dropout,
    format_sequence,
    get_begin_state,
    is_symbol,
    make_states,
    mask_sequence_variable_length,
    reverse_sequences,
    step_symbol,
    sym,
)

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


# ------------------------------------------------------------------- base classes
def _cells_state_info(cells: Any, batch_size: int) -> list:
    return sum((c.state_info(batch_size) for c in cells), [])


def _cells_begin_state(cells: Any, **kwargs: Any) -> list:
    return sum((c.begin_state(**kwargs) for c in cells), [])


def _named(F: Any, name: str) -> dict:
    """``name=`` for symbol operators (graph node names), nothing for ``nd``."""
    return {} if F is B.nd() else {"name": name}


class RecurrentCell(Unrollable, Block):
    """Base class of recurrent cells (Gluon's ``rnn.RecurrentCell``).

    Subclasses implement :meth:`state_info` and ``forward(inputs, states)``
    (or ``hybrid_forward(F, inputs, states, **params)``) returning
    ``(output, new_states)``; :meth:`unroll` and :meth:`begin_state` come from
    here. Called on ``mx.sym`` Symbols, a cell builds its graph (``F = mx.sym``).

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

        ``func`` is called as ``func(name=..., shape=..., __layout__=..., **kwargs)``.

        Raises:
            RuntimeError: on a cell wrapped by a modifier cell (ask the modifier).
        """
        check_not_modified(self)
        infos = self.state_info(batch_size)
        names = []
        for _ in infos:
            self._init_counter += 1
            names.append(f"{self.prefix}begin_state_{self._init_counter}")
        return make_states(infos, func, names, **kwargs)

    def forward(self, inputs: Any, states: Any) -> tuple:
        """One step: ``(output, new_states)`` (``hybrid_forward(F, inputs, states)`` if defined)."""
        if not self._has_hybrid_forward():
            raise NotImplementedError(f"{type(self).__name__} must implement forward()")
        ctx = B.context_of(inputs)
        params = {k: p.data(ctx) for k, p in self._reg_params.items()}
        return self.hybrid_forward(B.nd(), inputs, states, **params)

    def _has_hybrid_forward(self) -> bool:
        fn = getattr(type(self), "hybrid_forward", None)
        return fn is not None and fn is not HybridBlock.hybrid_forward

    def __call__(self, inputs: Any, states: Any = None, *args: Any) -> Any:
        self._counter += 1
        if is_symbol(inputs):
            if self._has_hybrid_forward() and type(self).forward in _STEP_FORWARDS:
                return step_symbol(self, self.hybrid_forward, inputs, states, *args)
            with block_scope(self):
                return self.forward(inputs, states, *args)
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


_STEP_FORWARDS = (RecurrentCell.forward, HybridRecurrentCell.forward)


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
        check_not_modified(self)
        return _cells_begin_state(self._children.values(), **kwargs)

    def forward(self, inputs: Any, states: Any = None) -> tuple:
        F = sym() if is_symbol(inputs) else B.nd()
        batch_size = 0 if is_symbol(inputs) else inputs.shape[0]
        states = get_begin_state(self, F, states, inputs, batch_size)
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

    def _unroll(self, u: Unroll) -> tuple:
        self.reset()
        inputs, _, F, batch_size = format_sequence(
            u.length, u.inputs, u.layout, None, type(self).__name__
        )
        begin_state = get_begin_state(
            self, F, u.begin_state, inputs, batch_size, u.layout.find("N")
        )
        cells = list(self._children.values())
        p, next_states = 0, []
        for i, cell in enumerate(cells):
            n = len(cell.state_info())
            inputs, states = cell.unroll(
                u.length,
                inputs=inputs,
                begin_state=begin_state[p : p + n],
                layout=u.layout,
                merge_outputs=None if i < len(cells) - 1 else u.merge_outputs,
                valid_length=u.valid_length,
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

    def _alias(self) -> str:
        return "dropout"

    def _keeps_step_state(self) -> bool:
        return False

    def state_info(self, batch_size: int = 0) -> list:
        return []

    def hybrid_forward(self, F: Any, inputs: Any, states: Any) -> tuple:
        return dropout(F, inputs, self._rate, self._axes), states

    def _unroll(self, u: Unroll) -> tuple:
        self.reset()
        inputs, _, F, _ = format_sequence(
            u.length, u.inputs, u.layout, u.merge_outputs, "DropoutCell"
        )
        if not isinstance(inputs, list):
            return self.hybrid_forward(F, inputs, list(u.begin_state or []))
        return super()._unroll(u._replace(inputs=inputs, valid_length=None))


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
        return type(self).__name__.lower()

    def state_info(self, batch_size: int = 0) -> list:
        return self.base_cell.state_info(batch_size)

    def begin_state(self, func: Any = None, **kwargs: Any) -> list:
        check_not_modified(self)
        self.base_cell._modified = False
        try:
            return self.base_cell.begin_state(func=func, **kwargs)
        finally:
            self.base_cell._modified = True

    def _unroll_base(self, u: Unroll) -> tuple:
        """``base_cell.unroll`` (it may ask itself for begin states)."""
        self.base_cell._modified = False
        try:
            return self.base_cell.unroll(*u)
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
            return dropout(F, F.ones_like(like), p)

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
        return F.elemwise_add(output, inputs, **_named(F, f"t{self._counter}_fwd")), states

    def _unroll(self, u: Unroll) -> tuple:
        self.reset()
        outputs, states = self._unroll_base(u)
        merge = not isinstance(outputs, list) if u.merge_outputs is None else u.merge_outputs
        inputs, axis, F, _ = format_sequence(u.length, u.inputs, u.layout, merge, "ResidualCell")
        if u.valid_length is not None:
            inputs = mask_sequence_variable_length(F, inputs, u.length, u.valid_length, axis, merge)
        if merge:
            return F.elemwise_add(outputs, inputs), states
        return [F.elemwise_add(o, i) for o, i in zip(outputs, inputs)], states


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
        check_not_modified(self)
        return _cells_begin_state(self._children.values(), **kwargs)

    def _unroll(self, u: Unroll) -> tuple:
        self.reset()
        length, layout, valid_length = u.length, u.layout, u.valid_length
        steps, axis, F, batch_size = format_sequence(
            length, u.inputs, layout, False, "BidirectionalCell"
        )
        reversed_steps = reverse_sequences(steps, length, valid_length)
        states = get_begin_state(self, F, u.begin_state, steps, batch_size)
        l_cell, r_cell = self._children.values()
        n_l = len(l_cell.state_info(batch_size))
        l_outputs, l_states = l_cell.unroll(
            length, steps, states[:n_l], layout, u.merge_outputs, valid_length
        )
        r_outputs, r_states = r_cell.unroll(
            length, reversed_steps, states[n_l:], layout, False, valid_length
        )
        reversed_r = reverse_sequences(r_outputs, length, valid_length)
        merge = u.merge_outputs
        if merge is None:
            merge = not isinstance(l_outputs, list)
            l_outputs = format_sequence(None, l_outputs, layout, merge)[0]
            reversed_r = format_sequence(None, reversed_r, layout, merge)[0]
        prefix = self._output_prefix
        if merge:
            if isinstance(reversed_r, list):
                reversed_r = F.stack(*reversed_r, axis=axis)
            outputs = F.concat(l_outputs, reversed_r, dim=2, **_named(F, f"{prefix}out"))
        else:
            outputs = [
                F.concat(lo, ro, dim=1, **_named(F, f"{prefix}t{i}"))
                for i, (lo, ro) in enumerate(zip(l_outputs, reversed_r))
            ]
        if valid_length is not None:
            outputs = mask_sequence_variable_length(F, outputs, length, valid_length, axis, merge)
        return outputs, list(l_states) + list(r_states)
