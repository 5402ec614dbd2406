"""``gluon.rnn``: fused RNN/LSTM/GRU layers and RNN/LSTM/GRU cells over ``mxjax.layers``."""

from __future__ import annotations

from typing import Any

from mxjax._src.gluon import _bridge as B
from mxjax._src.gluon.core_block import CoreBlock
from mxjax._src.gluon.rnn_cell import (
    BidirectionalCell,
    DropoutCell,
    HybridSequentialRNNCell,
)
from mxjax._src.gluon.rnn_cell_graph import cell_graph
from mxjax._src.gluon.rnn_sequence import (
    Unrollable,
    check_not_modified,
    is_symbol,
    make_states,
    step_symbol,
)
from mxjax._src.layers import rnn as _rnn, rnn_cell as _cell

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "LSTMPCell", "RNNCell"]


def _call_with_states(core, params, state, xs, key, train):
    xs, kw = list(xs), {}
    if getattr(core, "use_sequence_length", False):  # the last input: valid lengths
        kw["sequence_length"] = xs.pop()
    (out, states), state = core.apply(params, state, xs[0], xs[1:], key=key, train=train, **kw)
    return (out, *states), state


_LEAF_ORDER = ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias", "h2r_weight")


def _order_key(name: str) -> tuple:
    *path, leaf = name.split(".")
    rank = _LEAF_ORDER.index(leaf) if leaf in _LEAF_ORDER else len(_LEAF_ORDER)
    return (tuple(int(p) if p.isdigit() else p for p in path), rank, leaf)


class _Recurrent(CoreBlock):
    """A recurrent layer or cell: ``_core_cls(**kwargs)`` with Gluon's positional ``_arg_names``."""

    _core_cls: Any = None
    _arg_names: tuple = ()
    _core_call = staticmethod(_call_with_states)
    _n_init_inputs = 1

    def __init__(self, *args: Any, prefix=None, params=None, **kwargs: Any):
        kw = dict(zip(self._arg_names, args))
        kw.update(kwargs)
        super().__init__(self._core_cls(**kw), prefix=prefix, params=params)

    def _order(self, names: list) -> list:
        return sorted(names, key=_order_key)

    def state_info(self, batch_size: int = 0) -> list:
        """Shapes and layouts of the begin states."""
        return self._core.state_info(batch_size)

    def begin_state(self, batch_size: int = 0, func: Any = None, **kwargs: Any) -> list:
        """Initial states made by ``func`` (``nd.zeros`` by default).

        ``func`` is called as ``func(name=..., shape=..., __layout__=..., **kwargs)``.

        Raises:
            RuntimeError: on a cell wrapped by a modifier cell (ask the modifier).
        """
        check_not_modified(self)
        infos = self._core.state_info(batch_size)
        return make_states(infos, func, self._state_names(len(infos)), **kwargs)

    def _state_names(self, n: int) -> list:
        return [f"{self.prefix}h0_{i}" for i in range(n)]

    def _in_size(self) -> int:
        return int(self._core.input_size)


class _RNNLayer(_Recurrent):
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

    def forward(self, inputs: Any, states: Any = None, sequence_length: Any = None) -> Any:
        """``(output)`` or ``(output, states)`` when ``states`` are given.

        With ``use_sequence_length=True``, ``sequence_length (N,)`` gives each
        sample's valid length (outputs past it are zero; states stop there).
        """
        skip = states is None
        if skip:
            batch = inputs.shape[self._core.layout.find("N")]
            states = self.begin_state(batch, ctx=B.context_of(inputs), dtype=inputs.dtype)
        if B.is_ndarray(states):
            states = [states]
        extra = []
        if self._core.use_sequence_length:
            if sequence_length is None:
                raise ValueError(
                    f"{type(self).__name__}: use_sequence_length=True needs sequence_length"
                )
            extra.append(sequence_length)
        out = super().forward(inputs, *states, *extra)
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


_GATED_ARGS = (  # Gluon's positional arguments of LSTM and GRU
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
    _arg_names = (*_GATED_ARGS, "projection_size")


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
    _arg_names = _GATED_ARGS


_CELL_ARGS = (
    "hidden_size",
    "i2h_weight_initializer",
    "h2h_weight_initializer",
    "i2h_bias_initializer",
    "h2h_bias_initializer",
    "input_size",
)


class _CellBlock(Unrollable, _Recurrent):
    def __init__(self, *args: Any, prefix=None, params=None, **kwargs: Any):
        super().__init__(*args, prefix=prefix, params=params, **kwargs)
        self._modified = False
        self.reset()

    _gluon_alias = ""

    def _probe(self, n: int) -> tuple:
        return (2, n)

    def _alias(self) -> str:
        return self._gluon_alias  # MXNet's: rnn, lstm, gru, lstmp

    def _state_names(self, n: int) -> list:
        names = []
        for _ in range(n):
            self._init_counter += 1
            names.append(f"{self.prefix}begin_state_{self._init_counter}")
        return names

    def __call__(self, inputs: Any, states: Any = None, *args: Any) -> Any:
        self._counter += 1
        if is_symbol(inputs):  # the step as an MXNet graph
            return step_symbol(self, self._step_graph, inputs, states, *args)
        return super().__call__(inputs, states, *args)

    def _step_graph(self, F: Any, inputs: Any, states: Any, **params: Any) -> tuple:
        if states is None:
            raise ValueError(f"{type(self).__name__}: a step over Symbols needs states")
        return cell_graph(self._core, self._counter, F, inputs, states, **params)

    def forward(self, inputs: Any, states: Any = None) -> tuple:
        """One step: ``(output, new_states)``."""
        if states is None:
            states = self.begin_state(inputs.shape[0], ctx=B.context_of(inputs), dtype=inputs.dtype)
        if B.is_ndarray(states):
            states = [states]
        out = super().forward(inputs, *states)
        return out[0], list(out[1:])

    def reset(self) -> None:
        """Resets the step counters (they name the nodes of graphs built over Symbols)."""
        self._init_counter = -1
        self._counter = -1


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
    _gluon_alias = "rnn"
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
    _gluon_alias = "lstm"
    _arg_names = _CELL_ARGS


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
    _gluon_alias = "gru"
    _arg_names = _CELL_ARGS


class LSTMPCell(_CellBlock):
    """Gluon ``contrib.rnn.LSTMPCell(hidden_size, projection_size, ..., input_size=0)``: an LSTM
    cell whose output and first state are projected to ``projection_size``.

    States: ``[r (N, projection_size), c (N, hidden_size)]``. Parameters:
    ``i2h_weight (4*hidden, input)``, ``h2h_weight (4*hidden, projection)``,
    ``h2r_weight (projection, hidden)``, ``i2h_bias``, ``h2h_bias``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.contrib import rnn
        >>> cell = rnn.LSTMPCell(6, 3, input_size=4)
        >>> cell.initialize()
        >>> out, (r, c) = cell(mx.nd.ones((2, 4)), cell.begin_state(2))
        >>> out.shape, r.shape, c.shape
        ((2, 3), (2, 3), (2, 6))
    """

    _core_cls = _cell.LSTMPCell
    _arg_names = (
        "hidden_size",
        "projection_size",
        "i2h_weight_initializer",
        "h2h_weight_initializer",
        "h2r_weight_initializer",
        "i2h_bias_initializer",
        "h2h_bias_initializer",
        "input_size",
    )

    _gluon_alias = "lstmp"


_UNFUSED = {"RNN": (RNNCell, {}), "LSTM": (LSTMCell, {}), "GRU": (GRUCell, {})}
