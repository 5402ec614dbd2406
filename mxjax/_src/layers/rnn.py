"""Fused multi-layer recurrent layers: ``RNN``, ``LSTM``, ``GRU`` (Gluon 1.9.1).

The parameter tree uses the names MXNet 1.9.1's ``save_parameters`` writes
for ``gluon.rnn.LSTM`` & co., so ``.params`` files load unchanged:

* unidirectional: ``_unfused.<layer>.i2h_weight`` (Gluon's ``l<layer>_i2h_weight``)
* bidirectional: ``_unfused.<layer>.l_cell.i2h_weight`` and
  ``_unfused.<layer>.r_cell.i2h_weight`` (``l<layer>_...`` / ``r<layer>_...``)

with ``i2h_weight (G*H, input)``, ``h2h_weight (G*H, H)`` (``(G*H, P)`` with a
projection), ``i2h_bias``, ``h2h_bias (G*H,)`` and, for a projected LSTM,
``h2r_weight (P, H)``. Time steps run in one ``jax.lax.scan`` per layer and
direction, after one matmul for the whole input projection.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from mxjax._src.layers.base import Layer, layer
from mxjax._src.layers.rnn_cell import GATES, NUM_STATES, _linear, as_state_list, step
from mxjax._src.ops import sequence_reverse

__all__ = ["GRU", "LSTM", "RNN", "fused_name"]


def fused_name(name: str, bidirectional: bool) -> str:
    """Maps Gluon's attribute name (``l0_i2h_weight``) to its saved, dotted name.

    Examples:
        >>> from mxjax._src.layers.rnn import fused_name
        >>> fused_name("r1_h2h_bias", True)
        '_unfused.1.r_cell.h2h_bias'
        >>> fused_name("l0_i2h_weight", False)
        '_unfused.0.i2h_weight'
    """
    d, rest = name[0], name[1:]
    idx, leaf = rest.split("_", 1)
    if bidirectional:
        return f"_unfused.{idx}.{d}_cell.{leaf}"
    return f"_unfused.{idx}.{leaf}"


@layer
class _RNNLayer(Layer):
    """Shared implementation of the fused recurrent layers."""

    hidden_size: int = 0

    _mode = "lstm"

    # ----------------------------------------------------------------- checks
    def __post_init__(self):
        n = self.name

        def positive(attr, value, allow_zero=False):
            ok = isinstance(value, int) and not isinstance(value, bool)
            ok = ok and (value >= 0 if allow_zero else value > 0)
            if not ok:
                kind = "non-negative" if allow_zero else "positive"
                raise ValueError(f"{n}: {attr} must be a {kind} int; received {value!r}")

        positive("hidden_size", self.hidden_size)
        positive("num_layers", self.num_layers)
        positive("input_size", self.input_size, allow_zero=True)
        if self.layout not in ("TNC", "NTC"):
            raise ValueError(f"{n}: layout must be 'TNC' or 'NTC'; received {self.layout!r}")
        if not isinstance(self.dropout, (int, float)) or not 0 <= self.dropout < 1:
            raise ValueError(f"{n}: dropout must be a float in [0, 1); received {self.dropout!r}")
        if self._proj():
            positive("projection_size", self._proj())

    def _proj(self) -> int | None:
        return getattr(self, "projection_size", None) or None

    @property
    def _dirs(self) -> tuple[str, ...]:
        return ("l", "r") if self.bidirectional else ("l",)

    def _out_size(self) -> int:
        return self._proj() or self.hidden_size

    def state_info(self, batch_size: int = 0) -> list[dict[str, Any]]:
        """Shapes and layouts of the begin states, as Gluon's ``state_info``."""
        n = self.num_layers * len(self._dirs)
        info = [{"shape": (n, batch_size, self._out_size()), "__layout__": "LNC"}]
        if self._mode == "lstm":
            info.append({"shape": (n, batch_size, self.hidden_size), "__layout__": "LNC"})
        return info

    def begin_state(self, batch_size: int, dtype: Any = None) -> list[jax.Array]:
        """Zero begin states: a list of ``(num_layers*dirs, batch_size, H)`` arrays."""
        dtype = dtype if dtype is not None else self.dtype
        return [jnp.zeros(i["shape"], dtype) for i in self.state_info(batch_size)]

    def _check_x(self, x) -> jax.Array:
        return self.check_input(x, ndim=3, what=f"input in layout {self.layout!r}")

    # ------------------------------------------------------------------ params
    def _cell_params(self, params, layer_idx: int, d: str) -> dict[str, Any]:
        node = params["_unfused"][str(layer_idx)]
        return node[f"{d}_cell"] if self.bidirectional else node

    def init(self, key, x, states=None, initializer=None):
        x = self._check_x(x)
        n_in = int(x.shape[-1])
        if self.input_size and self.input_size != n_in:
            raise ValueError(
                f"{self.name}: input_size={self.input_size} but the example input has "
                f"{n_in} features (shape {tuple(x.shape)}, layout {self.layout!r})"
            )
        return self._init_params(key, n_in, initializer), {}

    def _init_params(self, key, n_in, initializer):
        g, h, p = GATES[self._mode], self.hidden_size, self._proj()
        unfused: dict[str, Any] = {}
        for i in range(self.num_layers):
            node: dict[str, Any] = {}
            for d in self._dirs:
                shapes = {
                    "i2h_weight": ((g * h, n_in), self.i2h_weight_initializer),
                    "h2h_weight": ((g * h, p or h), self.h2h_weight_initializer),
                    "i2h_bias": ((g * h,), self.i2h_bias_initializer),
                    "h2h_bias": ((g * h,), self.h2h_bias_initializer),
                }
                if p:
                    shapes["h2r_weight"] = ((p, h), self.h2r_weight_initializer)
                cell = {}
                for name, (shape, spec) in shapes.items():
                    key, sub = jax.random.split(key)
                    cell[name] = self.make_param(sub, name, shape, spec, initializer)
                if self.bidirectional:
                    node[f"{d}_cell"] = cell
                else:
                    node = cell
            unfused[str(i)] = node
            n_in = (p or h) * len(self._dirs)
        return {"_unfused": unfused}

    # ------------------------------------------------------------------- apply
    def _check_states(self, states, batch) -> list[jax.Array]:
        states = as_state_list(self.name, states, NUM_STATES[self._mode])
        for i, (s, info) in enumerate(zip(states, self.state_info(batch))):
            if tuple(s.shape) != info["shape"]:
                raise ValueError(
                    f"{self.name}: invalid recurrent state {i}: expected shape {info['shape']} "
                    f"(num_layers*directions, batch, size); received {tuple(s.shape)}"
                )
        return states

    def _lengths(self, sequence_length, batch):
        if not self.use_sequence_length:
            return None
        if sequence_length is None:
            raise ValueError(
                f"{self.name}: use_sequence_length=True needs sequence_length, an (N,) array "
                "of valid lengths"
            )
        lengths = jnp.asarray(sequence_length)
        if lengths.shape != (batch,):
            raise ValueError(
                f"{self.name}: sequence_length must have shape ({batch},); received "
                f"{tuple(lengths.shape)}"
            )
        return lengths.astype(jnp.int32)

    def _run_layer(self, cps, seq, begin, lengths=None):
        """One layer, all directions in a single scan (directions are vmapped).

        ``cps``: per-direction params stacked on a leading axis; ``begin``: list
        of ``(dirs, N, ·)`` begin states; ``lengths``: optional ``(N,)`` valid
        lengths (outputs past them are zero, states stop at the last valid step,
        the reverse direction starts at each sample's last valid step). Returns
        outputs ``(T, N, dirs*H)`` and the list of final ``(dirs, N, ·)`` states.
        """
        xw = jax.vmap(lambda w, b: _linear(seq, w, b))(cps["i2h_weight"], cps["i2h_bias"])
        if self.bidirectional:  # the reverse direction reads the sequence backwards
            xw = jnp.stack([xw[0], sequence_reverse(xw[1], lengths)])
        recurrent = {k: v for k, v in cps.items() if k not in ("i2h_weight", "i2h_bias")}

        def one(cp, inp, carry):
            return step(
                self._mode, inp, carry, cp["h2h_weight"], cp["h2h_bias"], cp.get("h2r_weight")
            )

        def body(carry, inp):
            t, hs = carry
            out, new = jax.vmap(one)(recurrent, inp, hs)
            if lengths is not None:
                keep = (t < lengths).reshape(1, -1, 1)
                out = jnp.where(keep, out, jnp.zeros_like(out))
                new = [jnp.where(keep, n, o) for n, o in zip(new, hs)]
            return (t + 1, new), out

        t0 = jnp.zeros((), jnp.int32)
        (_, final), outs = jax.lax.scan(body, (t0, begin), jnp.swapaxes(xw, 0, 1))
        if self.bidirectional:  # outs (T, D, N, H)
            outs = jnp.concatenate([outs[:, 0], sequence_reverse(outs[:, 1], lengths)], axis=-1)
        else:
            outs = outs[:, 0]
        return outs, final

    def apply(self, params, state, x, states=None, key=None, train=False, sequence_length=None):
        """Runs the layer over a sequence.

        Inputs: ``x`` of shape ``(T, N, C)`` (``'TNC'``) or ``(N, T, C)``
        (``'NTC'``); ``states`` an optional list of begin states of shape
        ``(num_layers*dirs, N, H)`` (``[h, c]`` for LSTM).

        Returns:
            ``(output, state)`` when ``states`` is None, else
            ``((output, new_states), state)``; ``output`` has the layout of
            ``x`` and ``dirs*H`` (``dirs*projection_size``) features.
        """
        x = self._check_x(x)
        skip_states = states is None
        seq = jnp.swapaxes(x, 0, 1) if self.layout == "NTC" else x
        batch = int(seq.shape[1])
        w0 = self._cell_params(params, 0, "l")["i2h_weight"]
        if int(seq.shape[2]) != w0.shape[1]:
            raise ValueError(
                f"{self.name}: expected an input with {w0.shape[1]} features (l0 i2h_weight "
                f"shape {tuple(w0.shape)}); received {seq.shape[2]} (input shape "
                f"{tuple(x.shape)}, layout {self.layout!r})"
            )
        use_dropout = train and self.dropout > 0 and self.num_layers > 1
        if use_dropout:
            self.require_key(key, train)
        if skip_states:
            states = self.begin_state(batch, x.dtype)
        states = self._check_states(states, batch)
        lengths = self._lengths(sequence_length, batch)
        seq, finals = _fused_forward(
            self, params, seq, states, key if use_dropout else None, lengths
        )
        output = jnp.swapaxes(seq, 0, 1) if self.layout == "NTC" else seq
        if skip_states:
            return output, state
        return (output, finals), state


@functools.partial(jax.jit, static_argnums=0)
def _fused_forward(self, params, seq, states, key, lengths=None):
    """All layers and directions; jitted so eager calls compile once per shape."""
    use_dropout = key is not None
    nd = len(self._dirs)
    finals: list[list[jax.Array]] = [[] for _ in states]
    for i in range(self.num_layers):
        cps = [self._cell_params(params, i, d) for d in self._dirs]
        cps = jax.tree.map(lambda *a: jnp.stack(a), *cps)
        begin = [s[i * nd : (i + 1) * nd] for s in states]
        seq, fin = self._run_layer(cps, seq, begin, lengths)
        for k, f in enumerate(fin):
            finals[k].append(f)
        if use_dropout and i != self.num_layers - 1:
            keep = 1.0 - self.dropout
            mask = jax.random.bernoulli(jax.random.fold_in(key, i), keep, seq.shape)
            seq = jnp.where(mask, seq / jnp.asarray(keep, seq.dtype), jnp.zeros_like(seq))
    return seq, [jnp.concatenate(f, axis=0) for f in finals]


@layer
class RNN(_RNNLayer):
    """Multi-layer Elman RNN: ``h_t = activation(W_i x_t + b_i + W_h h_{t-1} + b_h)``.

    Args:
        hidden_size: number of hidden units ``H``.
        num_layers: number of stacked recurrent layers.
        activation: ``'relu'`` (default) or ``'tanh'``.
        layout: ``'TNC'`` (default) or ``'NTC'``.
        dropout: dropout rate between layers (``train=True`` only; needs ``key``).
        bidirectional: if True, a reverse-direction pass is concatenated.
        i2h_weight_initializer, h2h_weight_initializer: weight initializers
            (None: the global one).
        i2h_bias_initializer, h2h_bias_initializer: bias initializers.
        input_size: expected input size (0 infers it from the example input).
        dtype: parameter dtype.
        use_sequence_length: if True, ``apply`` takes ``sequence_length (N,)``:
            outputs past each length are zero, the final states are those of
            the last valid step and the reverse direction starts there.

    Inputs: ``x (T, N, C)`` or ``(N, T, C)``; optional ``states = [h]`` with
    ``h (num_layers*dirs, N, H)``. Outputs: ``(T, N, dirs*H)`` in the input
    layout, plus ``[h_T]`` when states were given. Parameter names: see
    :mod:`mxjax._src.layers.rnn` (``_unfused.0.i2h_weight`` ...).

    Raises:
        ValueError: for a bad layout, activation, size, input or state shape.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> net = L.RNN(8, num_layers=2, activation="tanh", layout="NTC")
        >>> x = jnp.ones((4, 10, 3))
        >>> params, state = net.init(jax.random.key(0), x)
        >>> y, state = net.apply(params, state, x)
        >>> y.shape
        (4, 10, 8)
    """

    hidden_size: int = 0
    num_layers: int = 1
    activation: str = "relu"
    layout: str = "TNC"
    dropout: float = 0
    bidirectional: bool = False
    i2h_weight_initializer: Any = None
    h2h_weight_initializer: Any = None
    i2h_bias_initializer: Any = "zeros"
    h2h_bias_initializer: Any = "zeros"
    input_size: int = 0
    dtype: str = "float32"
    use_sequence_length: bool = False

    def __post_init__(self):
        if self.activation not in ("relu", "tanh"):
            raise ValueError(
                f"RNN: activation must be 'relu' or 'tanh'; received {self.activation!r}"
            )
        super().__post_init__()

    @property
    def _mode(self):  # type: ignore[override]
        return "rnn_" + self.activation


@layer
class LSTM(_RNNLayer):
    """Multi-layer LSTM with MXNet's gate order ``i, f, c, o`` and optional projection.

    Args:
        hidden_size: number of hidden units ``H``.
        num_layers: number of stacked recurrent layers.
        layout: ``'TNC'`` (default) or ``'NTC'``.
        dropout: dropout rate between layers (``train=True`` only; needs ``key``).
        bidirectional: if True, a reverse-direction pass is concatenated.
        input_size: expected input size (0 infers it from the example input).
        i2h_weight_initializer, h2h_weight_initializer: weight initializers
            (None: the global one).
        i2h_bias_initializer, h2h_bias_initializer: bias initializers
            (``'zeros'``, as Gluon).
        projection_size: if set, ``h`` is projected to this size by
            ``h2r_weight (P, H)`` (LSTMP).
        h2r_weight_initializer: initializer of ``h2r_weight``.
        dtype: parameter dtype.
        use_sequence_length: if True, ``apply`` takes ``sequence_length (N,)``:
            outputs past each length are zero, the final states are those of
            the last valid step and the reverse direction starts there.

    Inputs: ``x (T, N, C)`` or ``(N, T, C)``; optional ``states = [h, c]``
    with ``h (num_layers*dirs, N, P or H)`` and ``c (num_layers*dirs, N, H)``.
    Outputs: ``dirs*H`` (``dirs*P``) features in the input layout, plus
    ``[h_T, c_T]`` when states were given.

    Raises:
        ValueError: for a bad layout, size, input or state shape.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> net = L.LSTM(5, num_layers=2, bidirectional=True)
        >>> x = jnp.ones((7, 2, 3))
        >>> params, state = net.init(jax.random.key(0), x)
        >>> sorted(L.flatten_names(params))[:2]
        ['_unfused.0.l_cell.h2h_bias', '_unfused.0.l_cell.h2h_weight']
        >>> (y, (h, c)), state = net.apply(params, state, x, net.begin_state(2))
        >>> y.shape, h.shape, c.shape
        ((7, 2, 10), (4, 2, 5), (4, 2, 5))
    """

    hidden_size: int = 0
    num_layers: int = 1
    layout: str = "TNC"
    dropout: float = 0
    bidirectional: bool = False
    input_size: int = 0
    i2h_weight_initializer: Any = None
    h2h_weight_initializer: Any = None
    i2h_bias_initializer: Any = "zeros"
    h2h_bias_initializer: Any = "zeros"
    projection_size: int | None = None
    h2r_weight_initializer: Any = None
    dtype: str = "float32"
    use_sequence_length: bool = False

    _mode = "lstm"


@layer
class GRU(_RNNLayer):
    """Multi-layer GRU with MXNet's gate order ``r, z, n``.

    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``.

    Args:
        hidden_size: number of hidden units ``H``.
        num_layers: number of stacked recurrent layers.
        layout: ``'TNC'`` (default) or ``'NTC'``.
        dropout: dropout rate between layers (``train=True`` only; needs ``key``).
        bidirectional: if True, a reverse-direction pass is concatenated.
        input_size: expected input size (0 infers it from the example input).
        i2h_weight_initializer, h2h_weight_initializer: weight initializers
            (None: the global one).
        i2h_bias_initializer, h2h_bias_initializer: bias initializers.
        dtype: parameter dtype.
        use_sequence_length: if True, ``apply`` takes ``sequence_length (N,)``:
            outputs past each length are zero, the final states are those of
            the last valid step and the reverse direction starts there.

    Inputs: ``x (T, N, C)`` or ``(N, T, C)``; optional ``states = [h]`` with
    ``h (num_layers*dirs, N, H)``. Outputs: ``dirs*H`` features in the input
    layout, plus ``[h_T]`` when states were given.

    Raises:
        ValueError: for a bad layout, size, input or state shape.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> net = L.GRU(4, layout="NTC")
        >>> x = jnp.ones((2, 6, 3))
        >>> params, state = net.init(jax.random.key(0), x)
        >>> params["_unfused"]["0"]["i2h_weight"].shape
        (12, 3)
        >>> net.apply(params, state, x)[0].shape
        (2, 6, 4)
    """

    hidden_size: int = 0
    num_layers: int = 1
    layout: str = "TNC"
    dropout: float = 0
    bidirectional: bool = False
    input_size: int = 0
    i2h_weight_initializer: Any = None
    h2h_weight_initializer: Any = None
    i2h_bias_initializer: Any = "zeros"
    h2h_bias_initializer: Any = "zeros"
    dtype: str = "float32"
    use_sequence_length: bool = False

    _mode = "gru"
