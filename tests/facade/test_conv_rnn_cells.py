"""gluon.contrib.rnn's convolutional cells against MXNet 1.9.1 goldens.

Golden file: tests/golden/rnn_cells/conv.npz (make_conv_golden.py next to it).
"""

import json
import os

import numpy as np
import pytest

import mxjax as mx
from mxjax.gluon.contrib import rnn

G = np.load(os.path.join(os.path.dirname(__file__), "..", "golden", "rnn_cells", "conv.npz"))
TOL = {"rtol": 1e-5, "atol": 1e-5}
CASES = {
    "lstm2d": (rnn.Conv2DLSTMCell, ((2, 5, 5), 3, (3, 3), (3, 3)), {}),
    "gru1d": (rnn.Conv1DGRUCell, ((2, 6), 2, 3, 5), {"i2h_pad": 1}),
    "rnn3d": (
        rnn.Conv3DRNNCell,
        ((1, 3, 4, 4), 2, (1, 3, 3), (1, 3, 3)),
        {"i2h_pad": (0, 1, 1), "activation": "relu", "h2h_dilate": (1, 2, 1)},
    ),
}


@pytest.mark.parametrize("tag", sorted(CASES))
def test_conv_cell_matches_mxnet(tag):
    cls, args, kw = CASES[tag]
    meta = json.loads(str(G[f"{tag}/meta"]))
    assert cls(*args, **kw).prefix == meta["prefix"]
    cell = cls(*args, prefix="c_", **kw)
    params = cell.collect_params()
    assert {k: list(p.shape) for k, p in params.items()} == meta["shapes"]
    assert [list(i["shape"]) for i in cell.state_info(2)] == meta["state_info"]
    cell.initialize()
    for key in G.files:
        if key.startswith(f"{tag}/w/"):
            params[key[len(tag) + 3 :]].set_data(mx.nd.array(G[key]))
    out, states = cell.unroll(3, mx.nd.array(G[f"{tag}/x"]), merge_outputs=True)
    np.testing.assert_allclose(out.asnumpy(), G[f"{tag}/out"], **TOL)
    for i, s in enumerate(states):
        np.testing.assert_allclose(s.asnumpy(), G[f"{tag}/state{i}"], **TOL)
    outs, st = cell.unroll(2, [mx.sym.var(f"t{i}") for i in range(2)])
    assert mx.sym.Group(list(outs) + list(st)).list_outputs() == meta["outputs"]


def test_conv_cell_symbol_graph_computes_the_same():
    cls, args, kw = CASES["lstm2d"]
    cell = cls(*args, prefix="c_", **kw)
    cell.initialize()
    feed = {k[len("lstm2d/w/") :]: mx.nd.array(G[k]) for k in G.files if k.startswith("lstm2d/w/")}
    for name, value in feed.items():
        cell.collect_params()[name].set_data(value)
    x = G["lstm2d/x"]
    outs, _ = cell.unroll(3, [mx.sym.var(f"t{i}") for i in range(3)])
    feed.update({f"t{i}": mx.nd.array(x[:, i]) for i in range(3)})
    got = mx.sym.Group(list(outs)).eval(**feed)
    np.testing.assert_allclose(np.stack([g.asnumpy() for g in got], 1), G["lstm2d/out"], **TOL)


def test_conv_cell_bad_arguments():
    with pytest.raises(ValueError, match="h2h_kernel must be odd"):
        rnn.Conv2DRNNCell((2, 5, 5), 3, 3, 2)
    with pytest.raises(ValueError, match="input_shape"):
        rnn.Conv2DGRUCell((2, 5), 3, 3, 3)
    with pytest.raises(ValueError, match="conv_layout"):
        rnn.Conv2DLSTMCell((5, 5, 2), 3, 3, 3, conv_layout="NHWC")
