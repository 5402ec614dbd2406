"""``gluon.contrib.rnn``'s convolutional cells: ``Conv{1,2,3}D{RNN,LSTM,GRU}Cell``.

Thin Gluon cells over :mod:`mxjax._src.layers.conv_rnn_cell`; they unroll, nest in
the cell containers and hybridize like the other built-in cells.
"""

from __future__ import annotations

from typing import Any

from mxjax._src.gluon.rnn import _CellBlock
from mxjax._src.layers import conv_rnn_cell as _conv

__all__ = [
    "Conv1DGRUCell",
    "Conv1DLSTMCell",
    "Conv1DRNNCell",
    "Conv2DGRUCell",
    "Conv2DLSTMCell",
    "Conv2DRNNCell",
    "Conv3DGRUCell",
    "Conv3DLSTMCell",
    "Conv3DRNNCell",
]

_ARGS = (
    "input_shape",
    "hidden_channels",
    "i2h_kernel",
    "h2h_kernel",
    "i2h_pad",
    "i2h_dilate",
    "h2h_dilate",
    "i2h_weight_initializer",
    "h2h_weight_initializer",
    "i2h_bias_initializer",
    "h2h_bias_initializer",
    "conv_layout",
    "activation",
)


class _ConvCellBlock(_CellBlock):
    _arg_names = _ARGS
    _layout = "NCHW"

    def __init__(self, *args: Any, prefix=None, params=None, **kwargs: Any):
        kwargs.setdefault("conv_layout", self._layout)
        super().__init__(*args, prefix=prefix, params=params, **kwargs)

    def _probe(self, n: int) -> tuple:
        return (2, *self._core.input_shape)

    def _in_size(self) -> int:
        return int(self._core.input_shape[0])


def _doc(kind: str, dims: int) -> str:
    layout = {1: "NCW", 2: "NCHW", 3: "NCDHW"}[dims]
    spatial = {1: "(4, 8)", 2: "(4, 8, 8)", 3: "(4, 6, 6, 6)"}[dims]
    out = {1: "(2, 3, 8)", 2: "(2, 3, 8, 8)", 3: "(2, 3, 6, 6, 6)"}[dims]
    pad = {1: "1", 2: "(1, 1)", 3: "(1, 1, 1)"}[dims]
    return f"""Gluon's ``contrib.rnn.Conv{dims}D{kind}Cell(input_shape, hidden_channels, i2h_kernel,
    h2h_kernel, i2h_pad=0, i2h_dilate=1, h2h_dilate=1, ..., conv_layout='{layout}',
    activation='tanh')``: a {kind} cell whose ``i2h``/``h2h`` are {dims}-D convolutions.

    ``input_shape`` is one step's ``(C, *spatial)``; the states are
    ``(N, hidden_channels, *spatial_out)``; ``h2h_kernel`` must be odd.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.contrib import rnn
        >>> cell = rnn.Conv{dims}D{kind}Cell({spatial}, 3, 3, 3, i2h_pad={pad})
        >>> cell.initialize()
        >>> outs, states = cell.unroll(2, mx.nd.ones((2, 2, *{spatial})), merge_outputs=False)
        >>> outs[0].shape
        {out}
    """


def _make(kind: str, dims: int, core: Any, alias: str) -> type:
    layout = {1: "NCW", 2: "NCHW", 3: "NCDHW"}[dims]
    cls = type(
        f"Conv{dims}D{kind}Cell",
        (_ConvCellBlock,),
        {
            "_core_cls": core,
            "_gluon_alias": alias,
            "_layout": layout,
            "__doc__": _doc(kind, dims),
            "__module__": __name__,
        },
    )
    return cls


Conv1DRNNCell = _make("RNN", 1, _conv.ConvRNNCell, "conv_rnn")
Conv2DRNNCell = _make("RNN", 2, _conv.ConvRNNCell, "conv_rnn")
Conv3DRNNCell = _make("RNN", 3, _conv.ConvRNNCell, "conv_rnn")
Conv1DLSTMCell = _make("LSTM", 1, _conv.ConvLSTMCell, "conv_lstm")
Conv2DLSTMCell = _make("LSTM", 2, _conv.ConvLSTMCell, "conv_lstm")
Conv3DLSTMCell = _make("LSTM", 3, _conv.ConvLSTMCell, "conv_lstm")
Conv1DGRUCell = _make("GRU", 1, _conv.ConvGRUCell, "conv_gru")
Conv2DGRUCell = _make("GRU", 2, _conv.ConvGRUCell, "conv_gru")
Conv3DGRUCell = _make("GRU", 3, _conv.ConvGRUCell, "conv_gru")
