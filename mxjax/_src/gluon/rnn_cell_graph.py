"""One step of the built-in cells as an MXNet graph (``F = mx.sym``), with MXNet's node names.

Over NDArrays the cells run the functional core (:mod:`mxjax._src.layers.rnn_cell`);
over Symbols they write the operators MXNet 1.9.1's cells write, named
``<prefix>t<step>_i2h``, ``..._out`` ..., so ``list_outputs()`` and exported
``-symbol.json`` files read as MXNet's.
"""

from __future__ import annotations

from typing import Any

from mxjax._src.layers import conv_rnn_cell as CR, rnn_cell as C

__all__ = ["cell_graph"]

_ACTS = ("tanh", "relu", "sigmoid", "softsign")


def _act(F: Any, x: Any, act: str, name: str) -> Any:
    if act in _ACTS:
        return getattr(F, act)(x, name=name)
    return F.Activation(x, act_type=act, name=name)


def _projections(F: Any, core: Any, t: str, x: Any, h: Any, p: dict) -> tuple:
    """``i2h`` and ``h2h``: FullyConnected for the dense cells, Convolution for the conv cells."""
    n = C.GATES[core._mode] * getattr(core, "hidden_size", 0)
    if not isinstance(core, CR._ConvCell):
        return tuple(
            F.FullyConnected(
                data=v, weight=p[f"{k}_weight"], bias=p[f"{k}_bias"], num_hidden=n, name=t + k
            )
            for k, v in (("i2h", x), ("h2h", h))
        )
    n = C.GATES[core._mode] * core.hidden_channels
    stride = (1,) * len(core.i2h_kernel)
    convs = (
        ("i2h", x, core.i2h_kernel, core.i2h_pad, core.i2h_dilate),
        ("h2h", h, core.h2h_kernel, core._h2h_pad(), core.h2h_dilate),
    )
    return tuple(
        F.Convolution(
            data=v,
            weight=p[f"{k}_weight"],
            bias=p[f"{k}_bias"],
            num_filter=n,
            kernel=kernel,
            stride=stride,
            pad=pad,
            dilate=dilate,
            layout=core.conv_layout,
            name=t + k,
        )
        for k, v, kernel, pad, dilate in convs
    )


def _rnn(F, core, t, x, states, p):
    i2h, h2h = _projections(F, core, t, x, states[0], p)
    out = _act(F, F.elemwise_add(i2h, h2h, name=t + "plus0"), core.activation, t + "out")
    return out, [out]


def _lstm(F, core, t, x, states, p):
    act = getattr(core, "activation", "tanh")
    ract = getattr(core, "recurrent_activation", "sigmoid")
    i2h, h2h = _projections(F, core, t, x, states[0], p)
    gates = F.SliceChannel(
        F.elemwise_add(i2h, h2h, name=t + "plus0"), num_outputs=4, name=t + "slice"
    )
    i, f = _act(F, gates[0], ract, t + "i"), _act(F, gates[1], ract, t + "f")
    g, o = _act(F, gates[2], act, t + "c"), _act(F, gates[3], ract, t + "o")
    c = F.elemwise_add(
        F.elemwise_mul(f, states[1], name=t + "mul0"),
        F.elemwise_mul(i, g, name=t + "mul1"),
        name=t + "state",
    )
    if "h2r_weight" not in p:
        h = F.elemwise_mul(o, _act(F, c, act, t + "activation0"), name=t + "out")
        return h, [h, c]
    hidden = F.elemwise_mul(o, _act(F, c, act, t + "activation0"), name=t + "hidden")
    r = F.FullyConnected(
        data=hidden,
        weight=p["h2r_weight"],
        num_hidden=core.projection_size,
        no_bias=True,
        name=t + "out",
    )
    return r, [r, c]


def _gru(F, core, t, x, states, p):
    h = states[0]
    i2h, h2h = _projections(F, core, t, x, h, p)
    i_r, i_z, i_n = F.SliceChannel(i2h, num_outputs=3, name=t + "i2h_slice")
    h_r, h_z, h_n = F.SliceChannel(h2h, num_outputs=3, name=t + "h2h_slice")
    r = _act(F, F.elemwise_add(i_r, h_r, name=t + "plus0"), "sigmoid", t + "r_act")
    z = _act(F, F.elemwise_add(i_z, h_z, name=t + "plus1"), "sigmoid", t + "z_act")
    n = F.elemwise_add(i_n, F.elemwise_mul(r, h_n, name=t + "mul0"), name=t + "plus2")
    n = _act(F, n, getattr(core, "activation", "tanh"), t + "h_act")
    ones = F.ones_like(z, name=t + "ones_like0")
    out = F.elemwise_add(
        F.elemwise_mul(ones - z, n, name=t + "mul1"),
        F.elemwise_mul(z, h, name=t + "mul20"),
        name=t + "out",
    )
    return out, [out]


_STEPS = {
    C.RNNCell: _rnn,
    C.LSTMCell: _lstm,
    C.LSTMPCell: _lstm,
    C.GRUCell: _gru,
    CR.ConvRNNCell: _rnn,
    CR.ConvLSTMCell: _lstm,
    CR.ConvGRUCell: _gru,
}


def cell_graph(core: Any, step: int, F: Any, inputs: Any, states: Any, **params: Any) -> tuple:
    """``(output, new_states)`` of step ``step`` of the functional cell ``core``, built with ``F``."""
    fn = _STEPS.get(type(core))
    if fn is None:
        raise ValueError(f"{type(core).__name__} has no MXNet graph for one step")
    states = [states] if not isinstance(states, (list, tuple)) else list(states)
    return fn(F, core, f"t{step}_", inputs, states, params)
