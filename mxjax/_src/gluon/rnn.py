"""``gluon.rnn``: fused RNN/LSTM/GRU layers and RNN/LSTM/GRU cells over ``mxjax.layers``."""

from __future__ import annotations

from typing import Any

from mxjax._src.gluon import _bridge as B
from mxjax._src.gluon.core_block import CoreBlock
from mxjax._src.gluon.rnn_cell import (
    BidirectionalCell,
    DropoutCell,
    HybridSequentialRNNCell,
    unroll_cell,
)
from mxjax._src.layers import rnn as _rnn, rnn_cell as _cell

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNCell"]


def _call_with_states(core, params, state, xs, key, train):
    (out, states), state = core.apply(params, state, xs[0], list(xs[1:]), key=key, train=train)
    return (out, *states), state


def _begin_state(core: Any, batch_size: int, func: Any, **kwargs: Any) -> list:
    nd = B.nd()
    func = nd.zeros if func is None else func
    return [func(shape=info["shape"], **kwargs) for info in core.state_info(batch_size)]


_LEAF_ORDER = ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias", "h2r_weight")


def _order_key(name: str) -> tuple:
    *path, leaf = name.split(".")
    rank = _LEAF_ORDER.index(leaf) if leaf in _LEAF_ORDER else len(_LEAF_ORDER)
    return (tuple(int(p) if p.isdigit() else p for p in path), rank, leaf)


class _Recurrent(CoreBlock):
    _core_call = staticmethod(_call_with_states)
    _n_init_inputs = 1

    def _order(self, names: list) -> list:
        return sorted(names, key=_order_key)

    def state_info(self, batch_size: int = 0) -> list:
        """Shapes and layouts of the begin states."""
        return self._core.state_info(batch_size)

    def begin_state(self, batch_size: int = 0, func: Any = None, **kwargs: Any) -> list:
        """Initial states as NDArrays made by ``func`` (``nd.zeros`` by default).

        Raises:
            RuntimeError: on a cell wrapped by a modifier cell (ask the modifier).
        """
        if getattr(self, "_modified", False):
            raise RuntimeError(
                f"{type(self).__name__}: after applying a modifier cell, call begin_state of "
                "the modifier cell instead of the base cell"
            )
        return _begin_state(self._core, batch_size, func, **kwargs)

    def _in_size(self) -> int:
        return int(self._core.input_size)


class _RNNLayer(_Recurrent):
    _core_cls: Any = None
    _arg_names: tuple = ()

    def __init__(self, *args: Any, prefix=None, params=None, **kwargs: Any):
        kw = dict(zip(self._arg_names, args))
        kw.update(kwargs)
        super().__init__(self._core_cls(**kw), prefix=prefix, params=params)

    def _probe(self, n: int) -> tuple:
        return (2, 2, n)

    def _gluon_name(self, core_name: str) -> str:
        parts = core_name.split(".")  # _unfused.<i>.[<d>_cell.]<leaf>
        if len(parts) == 4:
            return f"{parts[2][0]}{parts[1]}_{parts[3]}"
        return f"l{parts[1]}_{parts[2]}"

    def _unfuse(self) -> HybridSequentialRNNCell:
        """The same network as a stack of cells sharing this layer's parameters (Gluon's ``_unfuse``)."""
        core = self._core
        if getattr(core, "projection_size", None):
            raise NotImplementedError(f"{type(self).__name__}._unfuse does not support projection")
        cell_cls, extra = _UNFUSED[type(self).__name__]
        if type(self).__name__ == "RNN":
            extra = {"activation": core.activation}
        inits = {
            k: getattr(core, k)
            for k in (
                "i2h_weight_initializer",
                "h2h_weight_initializer",
                "i2h_bias_initializer",
                "h2h_bias_initializer",
            )
        }
        stack = HybridSequentialRNNCell(prefix=self.prefix, params=self.params)
        ni, ndir = int(core.input_size), 2 if core.bidirectional else 1
        with stack.name_scope():
            for i in range(core.num_layers):
                kw = {"input_size": ni, **inits, **extra}
                if ndir == 2:
                    stack.add(
                        BidirectionalCell(
                            cell_cls(core.hidden_size, prefix=f"l{i}_", **kw),
                            cell_cls(core.hidden_size, prefix=f"r{i}_", **kw),
                        )
                    )
                else:
                    stack.add(cell_cls(core.hidden_size, prefix=f"l{i}_", **kw))
                if core.dropout > 0 and i != core.num_layers - 1:
                    stack.add(DropoutCell(core.dropout))
                ni = core.hidden_size * ndir
        return stack

    def forward(self, inputs: Any, states: Any = None) -> Any:
        skip = states is None
        if skip:
            batch = inputs.shape[self._core.layout.find("N")]
            states = self.begin_state(batch, ctx=B.context_of(inputs), dtype=inputs.dtype)
        if B.is_ndarray(states):
            states = [states]
        out = super().forward(inputs, *states)
        return out[0] if skip else (out[0], list(out[1:]))


class RNN(_RNNLayer):
    """Gluon ``rnn.RNN(hidden_size, num_layers=1, activation='relu', layout='TNC', ...)``.

    ``layer(x)`` returns the output; ``layer(x, states)`` returns ``(output, states)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> layer = rnn.RNN(4, input_size=3)
        >>> layer.initialize()
        >>> layer(mx.nd.ones((5, 2, 3))).shape
        (5, 2, 4)
    """

    _core_cls = _rnn.RNN
    _arg_names = (
        "hidden_size",
        "num_layers",
        "activation",
        "layout",
        "dropout",
        "bidirectional",
        "i2h_weight_initializer",
        "h2h_weight_initializer",
        "i2h_bias_initializer",
        "h2h_bias_initializer",
        "input_size",
        "dtype",
    )


class LSTM(_RNNLayer):
    """Gluon ``rnn.LSTM(hidden_size, num_layers=1, layout='TNC', dropout=0, bidirectional=False, ...)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> layer = rnn.LSTM(4, bidirectional=True)
        >>> layer.initialize()
        >>> out, states = layer(mx.nd.ones((5, 2, 3)), layer.begin_state(2))
        >>> out.shape, [s.shape for s in states]
        ((5, 2, 8), [(2, 2, 4), (2, 2, 4)])
    """

    _core_cls = _rnn.LSTM
    _arg_names = (
        "hidden_size",
        "num_layers",
        "layout",
        "dropout",
        "bidirectional",
        "input_size",
        "i2h_weight_initializer",
        "h2h_weight_initializer",
        "i2h_bias_initializer",
        "h2h_bias_initializer",
        "projection_size",
    )


class GRU(_RNNLayer):
    """Gluon ``rnn.GRU(hidden_size, num_layers=1, layout='TNC', dropout=0, bidirectional=False, ...)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> layer = rnn.GRU(4, layout="NTC")
        >>> layer.initialize()
        >>> layer(mx.nd.ones((2, 5, 3))).shape
        (2, 5, 4)
    """

    _core_cls = _rnn.GRU
    _arg_names = (
        "hidden_size",
        "num_layers",
        "layout",
        "dropout",
        "bidirectional",
        "input_size",
        "i2h_weight_initializer",
        "h2h_weight_initializer",
        "i2h_bias_initializer",
        "h2h_bias_initializer",
    )


class _CellBlock(_Recurrent):
    _core_cls: Any = None
    _arg_names: tuple = ()

    def __init__(self, *args: Any, prefix=None, params=None, **kwargs: Any):
        kw = dict(zip(self._arg_names, args))
        kw.update(kwargs)
        super().__init__(self._core_cls(**kw), prefix=prefix, params=params)
        self._modified = False

    def _probe(self, n: int) -> tuple:
        return (2, n)

    def forward(self, inputs: Any, states: Any = None) -> tuple:
        """One step: ``(output, new_states)``."""
        if states is None:
            states = self.begin_state(inputs.shape[0], ctx=B.context_of(inputs), dtype=inputs.dtype)
        if B.is_ndarray(states):
            states = [states]
        out = super().forward(inputs, *states)
        return out[0], list(out[1:])

    def reset(self) -> None:
        """Nothing to reset: a fused cell keeps no Python state between steps."""

    def unroll(
        self,
        length: int,
        inputs: Any,
        begin_state: Any = None,
        layout: str = "NTC",
        merge_outputs: bool | None = None,
        valid_length: Any = None,
    ) -> tuple:
        """Runs the cell for ``length`` steps (Gluon's ``unroll``); returns ``(outputs, states)``.

        ``merge_outputs=None`` returns a list of steps, as MXNet does; True stacks
        them along the layout's time axis. See :meth:`RecurrentCell.unroll`.

        Raises:
            ValueError: for a bad layout or a length that disagrees with ``inputs``.
        """
        return unroll_cell(self, length, inputs, begin_state, layout, merge_outputs, valid_length)


class RNNCell(_CellBlock):
    """Gluon ``rnn.RNNCell(hidden_size, activation='tanh', ..., input_size=0)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> cell = rnn.RNNCell(4)
        >>> cell.initialize()
        >>> out, states = cell(mx.nd.ones((2, 3)), cell.begin_state(2))
        >>> out.shape, len(states)
        ((2, 4), 1)
    """

    _core_cls = _cell.RNNCell
    _arg_names = (
        "hidden_size",
        "activation",
        "i2h_weight_initializer",
        "h2h_weight_initializer",
        "i2h_bias_initializer",
        "h2h_bias_initializer",
        "input_size",
    )


class LSTMCell(_CellBlock):
    """Gluon ``rnn.LSTMCell(hidden_size, ..., input_size=0)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> cell = rnn.LSTMCell(4)
        >>> cell.initialize()
        >>> outputs, states = cell.unroll(3, mx.nd.ones((2, 3, 5)), merge_outputs=True)
        >>> outputs.shape, len(states)
        ((2, 3, 4), 2)
    """

    _core_cls = _cell.LSTMCell
    _arg_names = (
        "hidden_size",
        "i2h_weight_initializer",
        "h2h_weight_initializer",
        "i2h_bias_initializer",
        "h2h_bias_initializer",
        "input_size",
    )


class GRUCell(_CellBlock):
    """Gluon ``rnn.GRUCell(hidden_size, ..., input_size=0)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import rnn
        >>> cell = rnn.GRUCell(4, input_size=3)
        >>> cell.i2h_weight.shape
        (12, 3)
    """

    _core_cls = _cell.GRUCell
    _arg_names = (
        "hidden_size",
        "i2h_weight_initializer",
        "h2h_weight_initializer",
        "i2h_bias_initializer",
        "h2h_bias_initializer",
        "input_size",
    )


_UNFUSED = {"RNN": (RNNCell, {}), "LSTM": (LSTMCell, {}), "GRU": (GRUCell, {})}
