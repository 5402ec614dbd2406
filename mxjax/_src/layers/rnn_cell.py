"""Recurrent cells (one time step) with MXNet Gluon 1.9.1's gates and names.

The step maths here is shared with the fused layers in
:mod:`mxjax._src.layers.rnn`. Gate order in the stacked weights is MXNet's:
LSTM ``i, f, c(g), o``; GRU ``r, z, n`` with
``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from mxjax._src.errors import describe
from mxjax._src.layers.base import Layer, layer
from mxjax._src.ops import activation_fn, expand_to

__all__ = ["GRUCell", "LSTMCell", "LSTMPCell", "RNNCell"]

GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}
NUM_STATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 2, "gru": 1}


def _linear(x: jax.Array, w: jax.Array, b: jax.Array | None) -> jax.Array:
    y = jnp.matmul(x, w.T)
    if b is not None:
        y = y + expand_to(b, y.ndim, -1)
    return y


def step(
    mode: str,
    xw: jax.Array,
    states: list[jax.Array],
    h2h_weight: jax.Array,
    h2h_bias: jax.Array,
    h2r_weight: jax.Array | None = None,
    activation: str | None = None,
    recurrent_activation: str = "sigmoid",
) -> tuple[jax.Array, list[jax.Array]]:
    """One recurrent step given the precomputed input projection ``xw = W_i x + b_i``.

    Returns ``(output, new_states)``.
    """
    h = states[0]
    hw = _linear(h, h2h_weight, h2h_bias)
    if mode in ("rnn_relu", "rnn_tanh"):
        act = activation or ("relu" if mode == "rnn_relu" else "tanh")
        out = activation_fn(act)(xw + hw)
        return out, [out]
    if mode == "lstm":
        act = activation_fn(activation or "tanh")
        ract = activation_fn(recurrent_activation)
        i, f, g, o = jnp.split(xw + hw, 4, axis=-1)
        c = ract(f) * states[1] + ract(i) * act(g)
        out = ract(o) * act(c)
        if h2r_weight is not None:
            out = jnp.matmul(out, h2r_weight.T)
        return out, [out, c]
    # gru
    xr, xz, xn = jnp.split(xw, 3, axis=-1)
    hr, hz, hn = jnp.split(hw, 3, axis=-1)
    r = jax.nn.sigmoid(xr + hr)
    z = jax.nn.sigmoid(xz + hz)
    n = jnp.tanh(xn + r * hn)
    out = (1 - z) * n + z * h
    return out, [out]


def as_state_list(owner: str, states: Any, count: int) -> list[jax.Array]:
    """Normalizes ``states`` (an array or a list/tuple of arrays) to a list of ``count``."""
    if hasattr(states, "shape") and count == 1:
        states = [states]
    if not isinstance(states, (list, tuple)):
        raise TypeError(
            f"{owner}: states must be a list of {count} array(s); received {describe(states)}"
        )
    if len(states) != count:
        raise ValueError(f"{owner}: expected {count} state array(s); received {len(states)}")
    return [jnp.asarray(s) for s in states]


@layer
class _Cell(Layer):
    """Shared implementation of the recurrent cells."""

    hidden_size: int = 0

    _mode = "rnn_tanh"

    def __post_init__(self):
        h = self.hidden_size
        if not isinstance(h, int) or isinstance(h, bool) or h <= 0:
            raise ValueError(f"{self.name}: hidden_size must be a positive int; received {h!r}")
        if not isinstance(self.input_size, int) or self.input_size < 0:
            raise ValueError(
                f"{self.name}: input_size must be a non-negative int; received {self.input_size!r}"
            )
        for act in self._activations():
            activation_fn(act, self.name)

    def _activations(self) -> tuple[Any, ...]:
        return ()

    def _num_states(self) -> int:
        return NUM_STATES[self._mode]

    def state_info(self, batch_size: int = 0) -> list[dict[str, Any]]:
        """Shapes and layouts of the states, as Gluon's ``state_info``."""
        return [{"shape": (batch_size, n), "__layout__": "NC"} for n in self._state_sizes()]

    def _state_sizes(self) -> list[int]:
        return [self.hidden_size] * self._num_states()

    def begin_state(self, batch_size: int, dtype: Any = None) -> list[jax.Array]:
        """Zero begin states: a list of ``(batch_size, hidden_size)`` arrays."""
        dtype = dtype if dtype is not None else self.dtype
        return [jnp.zeros(i["shape"], dtype) for i in self.state_info(batch_size)]

    def init(self, key, x, states=None, initializer=None):
        x = self.check_input(x, ndim=2)
        n_in = int(x.shape[1])
        if self.input_size and self.input_size != n_in:
            raise ValueError(
                f"{self.name}: input_size={self.input_size} but the example input has "
                f"{n_in} features (shape {tuple(x.shape)})"
            )
        return self._make_params(key, tuple(self._param_shapes(n_in).items()), initializer), {}

    def _param_shapes(self, n_in: int) -> dict[str, tuple]:
        g, h = GATES[self._mode], self.hidden_size
        return {
            "i2h_weight": ((g * h, n_in), self.i2h_weight_initializer),
            "h2h_weight": ((g * h, self._state_sizes()[0]), self.h2h_weight_initializer),
            "i2h_bias": ((g * h,), self.i2h_bias_initializer),
            "h2h_bias": ((g * h,), self.h2h_bias_initializer),
        }

    def _make_params(self, key, shapes, initializer):
        keys = jax.random.split(key, len(shapes))
        return {
            name: self.make_param(k, name, shape, spec, initializer)
            for k, (name, (shape, spec)) in zip(keys, shapes)
        }

    def _check_params(self, params, n_in):
        w = params["i2h_weight"]
        if w.shape[1] != n_in:
            raise ValueError(
                f"{self.name}: expected an input with {w.shape[1]} features (i2h_weight shape "
                f"{tuple(w.shape)}); received {n_in}"
            )

    def _check_states(self, states, batch):
        states = as_state_list(self.name, states, self._num_states())
        for i, (s, n) in enumerate(zip(states, self._state_sizes())):
            want = (batch, n)
            if tuple(s.shape) != want:
                raise ValueError(
                    f"{self.name}: invalid recurrent state {i}: expected shape {want}; "
                    f"received {tuple(s.shape)}"
                )
        return states

    def _step(self, params, xw, states):
        return step(
            self._mode,
            xw,
            states,
            params["h2h_weight"],
            params["h2h_bias"],
            h2r_weight=params.get("h2r_weight"),
            activation=getattr(self, "activation", None),
            recurrent_activation=getattr(self, "recurrent_activation", "sigmoid"),
        )

    def apply(self, params, state, x, states=None, key=None, train=False):
        """One time step: returns ``((output, new_states), state)``.

        Inputs: ``x (batch, input_size)``; ``states`` a list of
        ``(batch, hidden_size)`` arrays (zeros when None). Outputs:
        ``output (batch, hidden_size)`` and the list of new states.
        """
        del key, train
        x = self.check_input(x, ndim=2)
        self._check_params(params, int(x.shape[1]))
        if states is None:
            states = self.begin_state(int(x.shape[0]), x.dtype)
        states = self._check_states(states, int(x.shape[0]))
        xw = _linear(x, params["i2h_weight"], params["i2h_bias"])
        out, new = self._step(params, xw, states)
        return (out, new), state

    def unroll(
        self,
        params: dict[str, Any],
        length: int,
        inputs: Any,
        begin_state: Any = None,
        layout: str = "NTC",
        merge_outputs: bool | None = None,
        valid_length: Any = None,
    ) -> tuple[Any, list[jax.Array]]:
        """Runs the cell over ``length`` steps with ``jax.lax.scan`` (Gluon's ``unroll``).

        Args:
            params: the cell's parameters.
            length: number of steps.
            inputs: an array in ``layout`` or a list of ``length`` arrays ``(batch, C)``.
            begin_state: initial states (zeros when None).
            layout: ``'NTC'`` or ``'TNC'``.
            merge_outputs: True returns one array in ``layout``, False a list of
                ``(batch, hidden)`` arrays; None follows the type of ``inputs``.
            valid_length: optional ``(batch,)`` lengths: outputs past them are
                zero and the states are those at each sequence's last valid step.

        Returns:
            ``(outputs, final_states)``.

        Raises:
            ValueError: on a bad layout or a length that disagrees with ``inputs``.
        """
        if layout not in ("NTC", "TNC"):
            raise ValueError(
                f"{self.name}.unroll: layout must be 'NTC' or 'TNC'; received {layout!r}"
            )
        axis = layout.find("T")
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != length:
                raise ValueError(
                    f"{self.name}.unroll: length={length} but {len(inputs)} inputs were given"
                )
            seq = jnp.stack([jnp.asarray(i) for i in inputs], axis=0)
            if merge_outputs is None:
                merge_outputs = False
        else:
            seq = self.check_input(inputs, ndim=3)
            if seq.shape[axis] != length:
                raise ValueError(
                    f"{self.name}.unroll: length={length} but the inputs have "
                    f"{seq.shape[axis]} steps along axis {axis} (layout {layout!r}, shape "
                    f"{tuple(seq.shape)})"
                )
            seq = jnp.swapaxes(seq, 0, 1) if axis == 1 else seq
            if merge_outputs is None:
                merge_outputs = True
        seq = self.check_input(seq, ndim=3)
        self._check_params(params, int(seq.shape[2]))
        batch = int(seq.shape[1])
        states = begin_state if begin_state is not None else self.begin_state(batch, seq.dtype)
        states = self._check_states(states, batch)
        if valid_length is not None:
            valid_length = jnp.asarray(valid_length).reshape(batch, 1)
        outs, final = _unroll_scan(self, params, seq, states, valid_length)
        if merge_outputs:
            outputs = jnp.swapaxes(outs, 0, 1) if axis == 1 else outs
        else:
            outputs = [outs[t] for t in range(length)]
        return outputs, final


@functools.partial(jax.jit, static_argnums=0)
def _unroll_scan(cell, params, seq, states, valid_length):
    """The time loop of :meth:`_Cell.unroll`, jitted so eager calls compile once."""
    xw = _linear(seq, params["i2h_weight"], params["i2h_bias"])

    def body(carry, inp):
        t, hs = carry
        out, new = cell._step(params, inp, hs)
        if valid_length is not None:
            mask = t < valid_length
            out = jnp.where(mask, out, jnp.zeros_like(out))
            new = [jnp.where(mask, n, o) for n, o in zip(new, hs)]
        return (t + 1, new), out

    (_, final), outs = jax.lax.scan(body, (jnp.zeros((), jnp.int32), states), xw)
    return outs, final


@layer
class RNNCell(_Cell):
    """Elman RNN cell: ``h' = activation(W_i x + b_i + W_h h + b_h)``.

    Args:
        hidden_size: number of hidden units.
        activation: ``'tanh'`` (default), ``'relu'`` or another MXNet activation.
        i2h_weight_initializer, h2h_weight_initializer: weight initializers
            (None: the global one).
        i2h_bias_initializer, h2h_bias_initializer: bias initializers.
        input_size: expected input size (0 infers it).
        dtype: parameter dtype.

    ``apply(params, state, x, states)`` takes ``x (batch, input)`` and
    ``states = [h (batch, hidden)]`` and returns ``((out, [h']), state)``.
    Parameters: ``i2h_weight (hidden, input)``, ``h2h_weight (hidden, hidden)``,
    ``i2h_bias``, ``h2h_bias (hidden,)``.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> cell = L.RNNCell(5)
        >>> params, _ = cell.init(jax.random.key(0), jnp.ones((2, 3)))
        >>> (out, states), _ = cell.apply(params, {}, jnp.ones((2, 3)))
        >>> out.shape, len(states)
        ((2, 5), 1)
    """

    hidden_size: int = 0
    activation: str = "tanh"
    i2h_weight_initializer: Any = None
    h2h_weight_initializer: Any = None
    i2h_bias_initializer: Any = "zeros"
    h2h_bias_initializer: Any = "zeros"
    input_size: int = 0
    dtype: str = "float32"

    _mode = "rnn_tanh"

    def _activations(self):
        return (self.activation,)


@layer
class LSTMCell(_Cell):
    """LSTM cell with MXNet's gate order ``i, f, c, o``.

    ``c' = s(f) * c + s(i) * act(g)``, ``h' = s(o) * act(c')`` where ``s`` is
    ``recurrent_activation`` (sigmoid) and ``act`` is ``activation`` (tanh).

    Args:
        hidden_size: number of hidden units.
        i2h_weight_initializer, h2h_weight_initializer: weight initializers.
        i2h_bias_initializer, h2h_bias_initializer: bias initializers.
        input_size: expected input size (0 infers it).
        activation: activation of the candidate and the output.
        recurrent_activation: activation of the gates.
        dtype: parameter dtype.

    ``apply(params, state, x, states)`` takes ``x (batch, input)`` and
    ``states = [h, c]`` (each ``(batch, hidden)``) and returns
    ``((out, [h', c']), state)``. Parameters: ``i2h_weight (4*hidden, input)``,
    ``h2h_weight (4*hidden, hidden)``, ``i2h_bias``, ``h2h_bias (4*hidden,)``.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> cell = L.LSTMCell(4)
        >>> params, _ = cell.init(jax.random.key(0), jnp.ones((2, 3)))
        >>> params["i2h_weight"].shape
        (16, 3)
        >>> outs, states = cell.unroll(params, 7, jnp.ones((2, 7, 3)))
        >>> outs.shape, [s.shape for s in states]
        ((2, 7, 4), [(2, 4), (2, 4)])
    """

    hidden_size: int = 0
    i2h_weight_initializer: Any = None
    h2h_weight_initializer: Any = None
    i2h_bias_initializer: Any = "zeros"
    h2h_bias_initializer: Any = "zeros"
    input_size: int = 0
    activation: str = "tanh"
    recurrent_activation: str = "sigmoid"
    dtype: str = "float32"

    _mode = "lstm"

    def _activations(self):
        return (self.activation, self.recurrent_activation)


@layer
class GRUCell(_Cell):
    """GRU cell with MXNet's gate order ``r, z, n``.

    ``r = s(W_ir x + b_ir + W_hr h + b_hr)``, ``z`` likewise,
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``.

    Args:
        hidden_size: number of hidden units.
        i2h_weight_initializer, h2h_weight_initializer: weight initializers.
        i2h_bias_initializer, h2h_bias_initializer: bias initializers.
        input_size: expected input size (0 infers it).
        dtype: parameter dtype.

    ``apply(params, state, x, states)`` takes ``x (batch, input)`` and
    ``states = [h (batch, hidden)]`` and returns ``((out, [h']), state)``.
    Parameters: ``i2h_weight (3*hidden, input)``, ``h2h_weight (3*hidden, hidden)``,
    ``i2h_bias``, ``h2h_bias (3*hidden,)``.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> cell = L.GRUCell(4)
        >>> params, _ = cell.init(jax.random.key(0), jnp.ones((2, 3)))
        >>> (out, [h]), _ = cell.apply(params, {}, jnp.ones((2, 3)), [jnp.zeros((2, 4))])
        >>> out.shape
        (2, 4)
    """

    hidden_size: int = 0
    i2h_weight_initializer: Any = None
    h2h_weight_initializer: Any = None
    i2h_bias_initializer: Any = "zeros"
    h2h_bias_initializer: Any = "zeros"
    input_size: int = 0
    dtype: str = "float32"

    _mode = "gru"


@layer
class LSTMPCell(_Cell):
    """LSTM cell with a projected recurrent state (Gluon's ``contrib.rnn.LSTMPCell``).

    As :class:`LSTMCell`, then ``r' = W_r h'``: the output and the first state are
    the projection ``r' (batch, projection_size)``; the second state is
    ``c' (batch, hidden_size)``. Parameters: ``i2h_weight (4*hidden, input)``,
    ``h2h_weight (4*hidden, projection)``, ``h2r_weight (projection, hidden)``,
    ``i2h_bias``, ``h2h_bias (4*hidden,)``.

    Args:
        hidden_size: number of hidden units.
        projection_size: size of the projected state.
        i2h_weight_initializer, h2h_weight_initializer, h2r_weight_initializer:
            weight initializers.
        i2h_bias_initializer, h2h_bias_initializer: bias initializers.
        input_size: expected input size (0 infers it).
        dtype: parameter dtype.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> cell = L.LSTMPCell(4, projection_size=2)
        >>> params, _ = cell.init(jax.random.key(0), jnp.ones((3, 5)))
        >>> (out, [r, c]), _ = cell.apply(params, {}, jnp.ones((3, 5)))
        >>> out.shape, r.shape, c.shape
        ((3, 2), (3, 2), (3, 4))
    """

    hidden_size: int = 0
    projection_size: int = 0
    i2h_weight_initializer: Any = None
    h2h_weight_initializer: Any = None
    h2r_weight_initializer: Any = None
    i2h_bias_initializer: Any = "zeros"
    h2h_bias_initializer: Any = "zeros"
    input_size: int = 0
    dtype: str = "float32"

    _mode = "lstm"

    def __post_init__(self):
        super().__post_init__()
        p = self.projection_size
        if not isinstance(p, int) or isinstance(p, bool) or p <= 0:
            raise ValueError(f"{self.name}: projection_size must be a positive int; received {p!r}")

    def _state_sizes(self) -> list[int]:
        return [self.projection_size, self.hidden_size]

    def _param_shapes(self, n_in: int) -> dict[str, tuple]:
        shapes = super()._param_shapes(n_in)
        shapes["h2r_weight"] = (
            (self.projection_size, self.hidden_size),
            self.h2r_weight_initializer,
        )
        return shapes
