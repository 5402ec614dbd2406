from mxjax import layers as L
from tests.layers.registry import Descriptor


def _names(num_layers, bidirectional, proj=False):
    leaves = ["i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias"] + (["h2r_weight"] if proj else [])
    out = set()
    for i in range(num_layers):
        for d in ("l_cell.", "r_cell.") if bidirectional else ("",):
            out |= {f"_unfused.{i}.{d}{leaf}" for leaf in leaves}
    return out


_CELL_NAMES = {"i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias"}

DESCRIPTORS = [
    Descriptor(
        "lstm-bi-tnc",
        lambda: L.LSTM(4, bidirectional=True),
        [(5, 3, 2)],
        _names(1, True),
        (5, 3, 8),
        batch_axis=1,
        make_dtype=lambda dt: L.LSTM(4, bidirectional=True, dtype=dt),
    ),
    Descriptor(
        "lstm-proj-ntc",
        lambda: L.LSTM(4, layout="NTC", projection_size=3),
        [(3, 5, 2)],
        _names(1, False, proj=True),
        (3, 5, 3),
        make_dtype=lambda dt: L.LSTM(4, layout="NTC", projection_size=3, dtype=dt),
    ),
    Descriptor(
        "gru-ntc",
        lambda: L.GRU(4, layout="NTC"),
        [(3, 5, 2)],
        _names(1, False),
        (3, 5, 4),
        make_dtype=lambda dt: L.GRU(4, layout="NTC", dtype=dt),
    ),
    Descriptor(
        "rnn-tanh-bi-tnc",
        lambda: L.RNN(4, activation="tanh", bidirectional=True),
        [(5, 3, 2)],
        _names(1, True),
        (5, 3, 8),
        batch_axis=1,
        make_dtype=lambda dt: L.RNN(4, activation="tanh", bidirectional=True, dtype=dt),
    ),
    Descriptor(
        "rnn-relu-2-ntc",
        lambda: L.RNN(4, num_layers=2, layout="NTC"),
        [(3, 5, 2)],
        _names(2, False),
        (3, 5, 4),
        grads=False,  # relu kinks break finite differences; MXNet golden grads cover it
        make_dtype=lambda dt: L.RNN(4, num_layers=2, layout="NTC", dtype=dt),
    ),
    Descriptor(
        "lstmcell",
        lambda: L.LSTMCell(4),
        [(3, 2)],
        _CELL_NAMES,
        (3, 4),
        make_dtype=lambda dt: L.LSTMCell(4, dtype=dt),
    ),
    Descriptor(
        "lstmpcell",
        lambda: L.LSTMPCell(4, projection_size=3),
        [(3, 2)],
        _CELL_NAMES | {"h2r_weight"},
        (3, 3),
        make_dtype=lambda dt: L.LSTMPCell(4, projection_size=3, dtype=dt),
    ),
    Descriptor(
        "convlstmcell",
        lambda: L.ConvLSTMCell(3, (2, 5, 5), 3, 3, i2h_pad=1),
        [(2, 2, 5, 5)],
        _CELL_NAMES,
        (2, 3, 5, 5),
        make_dtype=lambda dt: L.ConvLSTMCell(3, (2, 5, 5), 3, 3, i2h_pad=1, dtype=dt),
    ),
    Descriptor(
        "convgrucell",
        lambda: L.ConvGRUCell(2, (2, 6), 3, 3, conv_layout="NCW"),
        [(2, 2, 6)],
        _CELL_NAMES,
        (2, 2, 4),
        grads=False,  # the convolution path of convlstmcell, whose gradients are checked
        make_dtype=lambda dt: L.ConvGRUCell(2, (2, 6), 3, 3, conv_layout="NCW", dtype=dt),
    ),
    Descriptor(
        "convrnncell",
        lambda: L.ConvRNNCell(2, (1, 3, 4, 4), 1, 3, conv_layout="NCDHW"),
        [(2, 1, 3, 4, 4)],
        _CELL_NAMES,
        (2, 2, 3, 4, 4),
        grads=False,  # the convolution path of convlstmcell, whose gradients are checked
        make_dtype=lambda dt: L.ConvRNNCell(2, (1, 3, 4, 4), 1, 3, conv_layout="NCDHW", dtype=dt),
    ),
    Descriptor(
        "grucell",
        lambda: L.GRUCell(4),
        [(3, 2)],
        _CELL_NAMES,
        (3, 4),
        make_dtype=lambda dt: L.GRUCell(4, dtype=dt),
    ),
    Descriptor(
        "rnncell",
        lambda: L.RNNCell(4, activation="relu"),
        [(3, 2)],
        _CELL_NAMES,
        (3, 4),
        make_dtype=lambda dt: L.RNNCell(4, activation="relu", dtype=dt),
    ),
]
