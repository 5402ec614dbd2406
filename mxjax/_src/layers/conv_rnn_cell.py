"""Convolutional recurrent cells (Shi et al., 2015) with Gluon 1.9.1's ``contrib.rnn`` gates and names.

``i2h`` and ``h2h`` are convolutions instead of matrix products; the gates are
those of :mod:`mxjax._src.layers.rnn_cell` (LSTM ``i, f, c, o``; GRU ``r, z, n``),
split along the channel axis. ``h2h`` keeps the state's spatial size (odd
kernels, padding ``dilate * (kernel - 1) // 2``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import jax
import jax.numpy as jnp

from mxjax._src.layers.base import Layer, layer
from mxjax._src.layers.conv import LAYOUTS, _conv_core, as_tuple
from mxjax._src.layers.rnn_cell import GATES, NUM_STATES, as_state_list
from mxjax._src.ops import activation_fn, expand_to

__all__ = ["ConvGRUCell", "ConvLSTMCell", "ConvRNNCell"]


@layer
class _ConvCell(Layer):
    """Shared implementation of the convolutional cells (``dims`` = 1, 2 or 3)."""

    hidden_channels: int = 0
    input_shape: tuple = ()
    i2h_kernel: Any = 3
    h2h_kernel: Any = 3
    i2h_pad: Any = 0
    i2h_dilate: Any = 1
    h2h_dilate: Any = 1
    i2h_weight_initializer: Any = None
    h2h_weight_initializer: Any = None
    i2h_bias_initializer: Any = "zeros"
    h2h_bias_initializer: Any = "zeros"
    conv_layout: str = "NCHW"
    activation: str = "tanh"
    dtype: str = "float32"

    _mode: ClassVar[str] = "rnn_tanh"

    def __post_init__(self):
        n, dims = self.name, len(self.conv_layout) - 2
        if self.conv_layout not in LAYOUTS.get(dims, ()) or self.conv_layout[1] != "C":
            raise ValueError(
                f"{n}: conv_layout must be 'NCW', 'NCHW' or 'NCDHW' (channels first); "
                f"received {self.conv_layout!r}"
            )
        h = self.hidden_channels
        if not isinstance(h, int) or isinstance(h, bool) or h <= 0:
            raise ValueError(f"{n}: hidden_channels must be a positive int; received {h!r}")
        shape = tuple(self.input_shape) if isinstance(self.input_shape, (tuple, list)) else ()
        if len(shape) != dims + 1 or not all(isinstance(d, int) and d > 0 for d in shape):
            raise ValueError(
                f"{n}: input_shape must be (channels, *spatial) with {dims} spatial sizes for "
                f"conv_layout {self.conv_layout!r}; received {self.input_shape!r}"
            )
        object.__setattr__(self, "input_shape", shape)
        for arg, minimum in (
            ("i2h_kernel", 1),
            ("h2h_kernel", 1),
            ("i2h_pad", 0),
            ("i2h_dilate", 1),
            ("h2h_dilate", 1),
        ):
            object.__setattr__(self, arg, as_tuple(getattr(self, arg), dims, n, arg, minimum))
        if any(k % 2 == 0 for k in self.h2h_kernel):
            raise ValueError(f"{n}: h2h_kernel must be odd; received {self.h2h_kernel}")
        if any(s <= 0 for s in self._state_spatial()):
            raise ValueError(
                f"{n}: i2h_kernel {self.i2h_kernel} (pad {self.i2h_pad}, dilate "
                f"{self.i2h_dilate}) is larger than the input {shape[1:]}"
            )
        activation_fn(self.activation, n)

    def _h2h_pad(self) -> tuple:
        return tuple(d * (k - 1) // 2 for d, k in zip(self.h2h_dilate, self.h2h_kernel))

    def _state_spatial(self) -> tuple:
        return tuple(
            x + 2 * p - d * (k - 1)
            for x, p, d, k in zip(
                self.input_shape[1:], self.i2h_pad, self.i2h_dilate, self.i2h_kernel
            )
        )

    def state_info(self, batch_size: int = 0) -> list[dict[str, Any]]:
        """Shapes and layouts of the states: ``(N, hidden_channels, *spatial)`` each."""
        shape = (batch_size, self.hidden_channels, *self._state_spatial())
        return [{"shape": shape, "__layout__": self.conv_layout}] * NUM_STATES[self._mode]

    def begin_state(self, batch_size: int, dtype: Any = None) -> list[jax.Array]:
        """Zero begin states."""
        dtype = dtype if dtype is not None else self.dtype
        return [jnp.zeros(i["shape"], dtype) for i in self.state_info(batch_size)]

    def init(self, key, x, states=None, initializer=None):
        x = self.check_input(x, ndim=len(self.conv_layout))
        if tuple(x.shape[1:]) != self.input_shape:
            raise ValueError(
                f"{self.name}: expected inputs of shape (N, *{self.input_shape}); received "
                f"{tuple(x.shape)}"
            )
        g, h, c = GATES[self._mode] * self.hidden_channels, self.hidden_channels, x.shape[1]
        shapes = {
            "i2h_weight": ((g, c, *self.i2h_kernel), self.i2h_weight_initializer),
            "h2h_weight": ((g, h, *self.h2h_kernel), self.h2h_weight_initializer),
            "i2h_bias": ((g,), self.i2h_bias_initializer),
            "h2h_bias": ((g,), self.h2h_bias_initializer),
        }
        keys = jax.random.split(key, len(shapes))
        params = {
            name: self.make_param(k, name, shape, spec, initializer)
            for k, (name, (shape, spec)) in zip(keys, shapes.items())
        }
        return params, {}

    def _conv(self, x, w, b, pad, dilate):
        y = _conv_core(x, w, (1,) * (x.ndim - 2), [(p, p) for p in pad], dilate, 1, False)
        return y + expand_to(b, y.ndim, 1)

    def apply(self, params, state, x, states=None, key=None, train=False):
        """One step: ``((output, new_states), state)``.

        Inputs: ``x (N, *input_shape)``; ``states`` a list of
        ``(N, hidden_channels, *spatial)`` arrays (zeros when None).
        """
        del key, train
        x = self.check_input(x, ndim=len(self.conv_layout))
        if states is None:
            states = self.begin_state(int(x.shape[0]), x.dtype)
        states = as_state_list(self.name, states, NUM_STATES[self._mode])
        want = self.state_info(int(x.shape[0]))[0]["shape"]
        for i, s in enumerate(states):
            if tuple(s.shape) != want:
                raise ValueError(
                    f"{self.name}: invalid recurrent state {i}: expected shape {want}; "
                    f"received {tuple(s.shape)}"
                )
        p = params
        i2h = self._conv(x, p["i2h_weight"], p["i2h_bias"], self.i2h_pad, self.i2h_dilate)
        h2h = self._conv(
            states[0], p["h2h_weight"], p["h2h_bias"], self._h2h_pad(), self.h2h_dilate
        )
        return self._gates(i2h, h2h, states), state

    def _gates(self, i2h, h2h, states):
        act = activation_fn(self.activation)
        if self._mode == "rnn_tanh":
            out = act(i2h + h2h)
            return out, [out]
        if self._mode == "lstm":
            i, f, g, o = jnp.split(i2h + h2h, 4, axis=1)
            c = jax.nn.sigmoid(f) * states[1] + jax.nn.sigmoid(i) * act(g)
            out = jax.nn.sigmoid(o) * act(c)
            return out, [out, c]
        xr, xz, xn = jnp.split(i2h, 3, axis=1)
        hr, hz, hn = jnp.split(h2h, 3, axis=1)
        r, z = jax.nn.sigmoid(xr + hr), jax.nn.sigmoid(xz + hz)
        n = act(xn + r * hn)
        out = (1 - z) * n + z * states[0]
        return out, [out]


@layer
class ConvRNNCell(_ConvCell):
    """Convolutional Elman cell: ``h' = act(conv(x, W_i) + conv(h, W_h))``.

    Args:
        hidden_channels: channels of the state.
        input_shape: ``(C, *spatial)`` of one step's input.
        i2h_kernel, h2h_kernel: kernel sizes (``h2h_kernel`` odd).
        i2h_pad, i2h_dilate, h2h_dilate: convolution padding/dilation.
        i2h_weight_initializer, h2h_weight_initializer: weight initializers.
        i2h_bias_initializer, h2h_bias_initializer: bias initializers.
        conv_layout: ``'NCW'``, ``'NCHW'`` or ``'NCDHW'``.
        activation: activation of the state.
        dtype: parameter dtype.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> cell = L.ConvRNNCell(4, (2, 5, 5), 3, 3)
        >>> params, _ = cell.init(jax.random.key(0), jnp.ones((1, 2, 5, 5)))
        >>> (out, [h]), _ = cell.apply(params, {}, jnp.ones((1, 2, 5, 5)))
        >>> out.shape
        (1, 4, 3, 3)
    """

    _mode: ClassVar[str] = "rnn_tanh"


@layer
class ConvLSTMCell(_ConvCell):
    """Convolutional LSTM cell (gates ``i, f, c, o`` along channels); states ``[h, c]``.

    Arguments as :class:`ConvRNNCell`.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> cell = L.ConvLSTMCell(4, (2, 6), 3, 3, i2h_pad=1, conv_layout="NCW")
        >>> params, _ = cell.init(jax.random.key(0), jnp.ones((1, 2, 6)))
        >>> params["i2h_weight"].shape, [i["shape"] for i in cell.state_info(1)]
        ((16, 2, 3), [(1, 4, 6), (1, 4, 6)])
    """

    _mode: ClassVar[str] = "lstm"


@layer
class ConvGRUCell(_ConvCell):
    """Convolutional GRU cell (gates ``r, z, n`` along channels).

    Arguments as :class:`ConvRNNCell`.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> cell = L.ConvGRUCell(2, (1, 4, 4), 3, 3, i2h_pad=1)
        >>> params, _ = cell.init(jax.random.key(0), jnp.ones((3, 1, 4, 4)))
        >>> params["h2h_weight"].shape
        (6, 2, 3, 3)
    """

    _mode: ClassVar[str] = "gru"
