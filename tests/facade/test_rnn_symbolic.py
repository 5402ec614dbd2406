"""Gluon cells over Symbols, LSTMPCell and valid_length unrolls against MXNet 1.9.1 goldens.

Golden file: tests/golden/rnn_cells/symbolic.npz (make_symbolic_golden.py next to it).
"""

import json
import os

import numpy as np
import pytest

import mxjax as mx
from mxjax import gluon

G = np.load(os.path.join(os.path.dirname(__file__), "..", "golden", "rnn_cells", "symbolic.npz"))
TOL = {"rtol": 1e-5, "atol": 1e-5}


def _stack():
    s = gluon.rnn.SequentialRNNCell(prefix="s_")
    with s.name_scope():
        s.add(gluon.rnn.LSTMCell(4, prefix="a_"))
        s.add(gluon.rnn.ResidualCell(gluon.rnn.GRUCell(4, prefix="b_")))
    return s


CELLS = {
    "rnn": lambda: gluon.rnn.RNNCell(5, activation="relu", prefix="c_"),
    "lstm": lambda: gluon.rnn.LSTMCell(5, prefix="c_"),
    "gru": lambda: gluon.rnn.GRUCell(5, prefix="c_"),
    "lstmp": lambda: gluon.contrib.rnn.LSTMPCell(5, 3, prefix="c_"),
    "bi": lambda: gluon.rnn.BidirectionalCell(
        gluon.rnn.LSTMCell(3, prefix="l_"), gluon.rnn.GRUCell(3, prefix="r_"), output_prefix="b_"
    ),
    "stack": _stack,
}


@pytest.mark.parametrize("kind", sorted(CELLS))
def test_cell_unrolled_over_symbols_matches_mxnet(kind):
    meta = json.loads(str(G[f"{kind}/meta"]))
    cell = CELLS[kind]()
    steps = [mx.sym.Variable(f"t{i}") for i in range(3)]
    vl = mx.sym.Variable("vl") if kind == "bi" else None
    outs, states = cell.unroll(3, steps, valid_length=vl, merge_outputs=False)
    graph = mx.sym.Group(list(outs) + list(states))
    assert sorted(graph.list_arguments()) == sorted(meta["arguments"])
    if kind in ("rnn", "lstm", "gru", "lstmp"):  # MXNet's node names (t<step>_out ...)
        assert graph.list_outputs() == meta["outputs"]
    shapes = {f"t{i}": (2, 4) for i in range(3)}
    feed = {f"t{i}": mx.nd.array(G["x"][i]) for i in range(3)}
    if vl is not None:
        shapes["vl"] = (2,)
        feed["vl"] = mx.nd.array(G["valid_length"])
    _, out_shapes, _ = graph.infer_shape(**shapes)
    assert [list(s) for s in out_shapes] == meta["shapes"]
    prefix = f"{kind}/w/"
    feed.update({k[len(prefix) :]: mx.nd.array(G[k]) for k in G.files if k.startswith(prefix)})
    for i, r in enumerate(graph.eval(**feed)):
        np.testing.assert_allclose(r.asnumpy(), G[f"{kind}/r{i}"], **TOL)


def _load(block, tag):
    params = block.collect_params()
    for key in G.files:
        if key.startswith(f"{tag}/w/"):
            params[key[len(tag) + 3 :]].set_data(mx.nd.array(G[key]))


def test_lstmp_cell_matches_mxnet():
    cell = gluon.contrib.rnn.LSTMPCell(6, 3, input_size=4, prefix="p_")
    assert cell.h2r_weight.shape == (3, 6) and cell.h2h_weight.shape == (24, 3)
    assert [i["shape"] for i in cell.state_info(2)] == [(2, 3), (2, 6)]
    cell.initialize()
    _load(cell, "lstmp_nd")
    out, (r, c) = cell.unroll(3, mx.nd.array(G["x"]), layout="TNC", merge_outputs=True)
    np.testing.assert_allclose(out.asnumpy(), G["lstmp_nd/out"], **TOL)
    np.testing.assert_allclose(r.asnumpy(), G["lstmp_nd/r"], **TOL)
    np.testing.assert_allclose(c.asnumpy(), G["lstmp_nd/c"], **TOL)


def test_valid_length_unroll_returns_one_masked_tensor():
    cell = gluon.rnn.GRUCell(3, input_size=4, prefix="g_")
    cell.initialize()
    _load(cell, "vl")
    out, (h,) = cell.unroll(
        3, mx.nd.array(G["x"]), layout="TNC", valid_length=mx.nd.array(G["valid_length"])
    )
    assert isinstance(out, mx.nd.NDArray)  # merge_outputs=None: MXNet merges after masking
    np.testing.assert_allclose(out.asnumpy(), G["vl/out"], **TOL)
    np.testing.assert_allclose(h.asnumpy(), G["vl/state"], **TOL)


def test_begin_state_names_and_func():
    cell = gluon.rnn.LSTMCell(4, prefix="rnn_")
    seen = []

    def func(name, shape, **kwargs):
        seen.append((name, shape, kwargs.get("__layout__")))
        return mx.nd.zeros(shape)

    states = cell.begin_state(2, func=func)
    assert [s.shape for s in states] == [(2, 4), (2, 4)]
    assert seen == [("rnn_begin_state_0", (2, 4), "NC"), ("rnn_begin_state_1", (2, 4), "NC")]
    modified = gluon.rnn.ResidualCell(cell)
    with pytest.raises(RuntimeError, match="modifier cell"):
        cell.begin_state(2)
    assert len(modified.begin_state(batch_size=2)) == 2


def test_cell_prefixes_are_mxnets():
    assert gluon.rnn.LSTMCell(2).prefix.startswith("lstm")
    assert gluon.rnn.GRUCell(2).prefix.startswith("gru")
    assert gluon.rnn.RNNCell(2).prefix.startswith("rnn")
    assert gluon.contrib.rnn.LSTMPCell(2, 1).prefix.startswith("lstmp")
    assert gluon.rnn.DropoutCell(0.1).prefix.startswith("dropout")
    assert gluon.rnn.ResidualCell(gluon.rnn.GRUCell(2, prefix="g_")).prefix == "g_residualcell"


def test_sequence_ops_match_mxnet_semantics():
    x = mx.nd.array(np.arange(24).reshape(4, 3, 2))
    n = mx.nd.array([2, 4, 1])
    rev = mx.nd.SequenceReverse(x, n, use_sequence_length=True)[:, :, 0].asnumpy()
    np.testing.assert_array_equal(rev, [[6, 20, 4], [0, 14, 10], [12, 8, 16], [18, 2, 22]])
    last = mx.nd.SequenceLast(x.swapaxes(0, 1), n, use_sequence_length=True, axis=1)
    np.testing.assert_array_equal(last.asnumpy(), [[6, 7], [20, 21], [4, 5]])
    mask = mx.nd.SequenceMask(x, n, use_sequence_length=True, value=-1)[:, :, 0].asnumpy()
    np.testing.assert_array_equal(mask, [[0, 2, 4], [6, 8, -1], [-1, 14, -1], [-1, 20, -1]])
    s = mx.sym.SequenceMask(mx.sym.var("d"), mx.sym.var("n"), use_sequence_length=True, value=-1)
    assert s.list_arguments() == ["d", "n"]
    assert mx.sym.SequenceMask(mx.sym.var("d")).list_arguments() == ["d"]
    np.testing.assert_array_equal(s.eval(d=x, n=n)[0][:, :, 0].asnumpy(), mask)
    with pytest.raises(ValueError, match="axis"):
        mx.nd.SequenceReverse(x, axis=1)


def test_context_default_ctx_is_deprecated_current_context():
    with pytest.warns(DeprecationWarning, match="default_ctx"):
        assert mx.Context.default_ctx == mx.current_context()


@pytest.mark.parametrize("tag", ["seqlen_lstm", "seqlen_gru"])
def test_fused_layer_use_sequence_length_matches_mxnet_cells(tag):
    if tag == "seqlen_lstm":
        layer = gluon.rnn.LSTM(3, num_layers=2, bidirectional=True, input_size=4)
    else:
        layer = gluon.rnn.GRU(3, input_size=4)
    layer = type(layer)(
        3,
        num_layers=layer._core.num_layers,
        bidirectional=layer._core.bidirectional,
        input_size=4,
        use_sequence_length=True,
        prefix="f_",
    )
    layer.initialize()
    params = layer.collect_params()
    for key in G.files:
        if key.startswith(f"{tag}/w/"):
            params["f_" + key[len(tag) + 3 :]].set_data(mx.nd.array(G[key]))
    x, vl = mx.nd.array(G["x"]), mx.nd.array(G["valid_length"])
    out, states = layer(x, layer.begin_state(2), vl)
    np.testing.assert_allclose(out.asnumpy(), G[f"{tag}/out"], **TOL)
    cells = [
        G[f"{tag}/cell_state{i}"] for i in range(sum(k.startswith(f"{tag}/cell") for k in G.files))
    ]
    per = len(states)  # LSTM: h and c interleaved per layer and direction in the cell stack
    for j, s in enumerate(states):
        np.testing.assert_allclose(s.asnumpy(), np.stack(cells[j::per]), **TOL)
    with pytest.raises(ValueError, match="sequence_length"):
        layer(x, layer.begin_state(2))


def test_symbolic_rnn_operator_use_sequence_length():
    w = {k.split("/")[-1]: G[k] for k in G.files if k.startswith("seqlen_gru/w/")}
    order = ("l0_i2h_weight", "l0_h2h_weight", "l0_i2h_bias", "l0_h2h_bias")  # MXNet's flat layout
    flat = np.concatenate([w[n].ravel() for n in order])
    s = mx.sym.RNN(
        mx.sym.var("data"),
        mx.sym.var("params"),
        mx.sym.var("state"),
        mx.sym.var("lengths"),
        state_size=3,
        num_layers=1,
        mode="gru",
        use_sequence_length=True,
        state_outputs=True,
    )
    assert s.list_arguments() == ["data", "params", "state", "lengths"]
    _, out_shapes, _ = s.infer_shape(data=(3, 2, 4))
    assert out_shapes == [(3, 2, 3), (1, 2, 3)]
    out, h = s.eval(
        data=mx.nd.array(G["x"]),
        params=mx.nd.array(flat),
        state=mx.nd.zeros((1, 2, 3)),
        lengths=mx.nd.array(G["valid_length"]),
    )
    np.testing.assert_allclose(out.asnumpy(), G["seqlen_gru/out"], **TOL)
    np.testing.assert_allclose(h.asnumpy()[0], G["seqlen_gru/cell_state0"], **TOL)
