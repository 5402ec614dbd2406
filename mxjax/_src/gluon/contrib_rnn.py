"""``gluon.contrib.rnn``: ``VariationalDropoutCell`` (Gal & Ghahramani, 2016); ``LSTMPCell`` lives
with the other built-in cells in :mod:`mxjax._src.gluon.rnn`."""

from __future__ import annotations

from typing import Any

from mxjax._src.gluon.rnn_cell import BidirectionalCell, ModifierCell
from mxjax._src.gluon.rnn_sequence import (
    Unroll,
    dropout,
    format_sequence,
    get_begin_state,
    mask_sequence_variable_length,
)

__all__ = ["VariationalDropoutCell"]


class VariationalDropoutCell(ModifierCell):
    """Variational dropout: one dropout mask per sequence for inputs, states and outputs.

    Args:
        base_cell: the cell to wrap.
        drop_inputs: dropout rate of the inputs (mask shared over time).
        drop_states: dropout rate of the first state ``h`` (mask shared over time).
        drop_outputs: dropout rate of the outputs (mask shared over time).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> from mxjax.gluon.contrib.rnn import VariationalDropoutCell
        >>> cell = VariationalDropoutCell(rnn.GRUCell(3, input_size=2), drop_inputs=0.5)
        >>> cell.initialize()
        >>> outs, states = cell.unroll(4, mx.nd.ones((1, 4, 2)), merge_outputs=True)
        >>> outs.shape, states[0].shape
        ((1, 4, 3), (1, 3))
    """

    def __init__(
        self,
        base_cell: Any,
        drop_inputs: float = 0.0,
        drop_states: float = 0.0,
        drop_outputs: float = 0.0,
    ):
        if drop_states and isinstance(base_cell, BidirectionalCell):
            raise TypeError(
                "VariationalDropoutCell: BidirectionalCell does not support variational state "
                "dropout; apply VariationalDropoutCell to the cells underneath instead"
            )
        for what, v in (("drop_inputs", drop_inputs), ("drop_states", drop_states)):
            if not 0 <= v < 1:
                raise ValueError(
                    f"VariationalDropoutCell: {what} must be in [0, 1); received {v!r}"
                )
        if not 0 <= drop_outputs < 1:
            raise ValueError(
                f"VariationalDropoutCell: drop_outputs must be in [0, 1); received {drop_outputs!r}"
            )
        super().__init__(base_cell)
        self.drop_inputs = float(drop_inputs)
        self.drop_states = float(drop_states)
        self.drop_outputs = float(drop_outputs)
        self._masks: dict = {}

    def _alias(self) -> str:
        return "vardrop"

    def reset(self) -> None:
        super().reset()
        self._masks = {}

    def _mask(self, F: Any, which: str, rate: float, like: Any) -> Any:
        if which not in self._masks:
            self._masks[which] = dropout(F, F.ones_like(like), rate)
        return self._masks[which]

    def hybrid_forward(self, F: Any, inputs: Any, states: Any) -> tuple:
        states = list(states)
        if self.drop_states:  # only h, always the first state
            states[0] = states[0] * self._mask(F, "states", self.drop_states, states[0])
        if self.drop_inputs:
            inputs = inputs * self._mask(F, "inputs", self.drop_inputs, inputs)
        output, next_states = self.base_cell(inputs, states)
        if self.drop_outputs:
            output = output * self._mask(F, "outputs", self.drop_outputs, output)
        return output, next_states

    def _unroll(self, u: Unroll) -> tuple:
        if self.drop_states:  # state masks need the step-by-step path
            return super()._unroll(u)
        self.reset()
        inputs, axis, F, batch_size = format_sequence(
            u.length, u.inputs, u.layout, True, "VariationalDropoutCell"
        )
        states = get_begin_state(self, F, u.begin_state, inputs, batch_size, u.layout.find("N"))
        if self.drop_inputs:
            inputs = dropout(F, inputs, self.drop_inputs, (axis,))
        outputs, states = self.base_cell.unroll(
            u.length, inputs, states, u.layout, merge_outputs=True, valid_length=u.valid_length
        )
        if self.drop_outputs:
            outputs = dropout(F, outputs, self.drop_outputs, (axis,))
        merge = not isinstance(outputs, list) if u.merge_outputs is None else u.merge_outputs
        outputs = format_sequence(u.length, outputs, u.layout, merge)[0]
        if u.valid_length is not None:
            outputs = mask_sequence_variable_length(
                F, outputs, u.length, u.valid_length, axis, merge
            )
        return outputs, states
