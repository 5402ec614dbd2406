"""Golden values of Gluon cells unrolled over Symbols, LSTMPCell and valid_length unrolls
from real MXNet 1.9.1.

Run with the MXNet venv, from this folder: /work/mxnet-venv/bin/python make_symbolic_golden.py
Writes symbolic.npz: for each cell kind, the unrolled graph's output and argument names,
inferred output shapes, and its outputs and final states for random weights and inputs;
LSTMPCell outputs over NDArrays; a valid_length unroll with merge_outputs=None.
"""

import json

import mxnet as mx
import numpy as np
from mxnet import gluon

rng = np.random.RandomState(0)
out = {}
x = rng.uniform(-1, 1, (3, 2, 4)).astype("float32")  # TNC
out["x"] = x
out["valid_length"] = np.array([2, 3], dtype="float32")

CELLS = {
    "rnn": lambda: gluon.rnn.RNNCell(5, activation="relu", prefix="c_"),
    "lstm": lambda: gluon.rnn.LSTMCell(5, prefix="c_"),
    "gru": lambda: gluon.rnn.GRUCell(5, prefix="c_"),
    "lstmp": lambda: gluon.contrib.rnn.LSTMPCell(5, 3, prefix="c_"),
    "bi": lambda: gluon.rnn.BidirectionalCell(
        gluon.rnn.LSTMCell(3, prefix="l_"), gluon.rnn.GRUCell(3, prefix="r_"), output_prefix="b_"
    ),
    "stack": lambda: _stack(),
}


def _stack():
    s = gluon.rnn.SequentialRNNCell(prefix="s_")
    with s.name_scope():
        s.add(gluon.rnn.LSTMCell(4, prefix="a_"))
        s.add(gluon.rnn.ResidualCell(gluon.rnn.GRUCell(4, prefix="b_")))
    return s


for kind, make in CELLS.items():
    cell = make()
    steps = [mx.sym.Variable(f"t{i}") for i in range(3)]
    valid = kind == "bi"
    vl = mx.sym.Variable("vl") if valid else None
    outs, states = cell.unroll(3, steps, valid_length=vl, merge_outputs=False)
    graph = mx.sym.Group(list(outs) + list(states))
    shapes = {f"t{i}": (2, 4) for i in range(3)}
    if valid:
        shapes["vl"] = (2,)
    args, oshapes, _ = graph.infer_shape(**shapes)
    feed = {f"t{i}": mx.nd.array(x[i]) for i in range(3)}
    if valid:
        feed["vl"] = mx.nd.array(out["valid_length"])
    for name, shape in zip(graph.list_arguments(), args):
        if name not in feed:
            w = rng.uniform(-0.5, 0.5, shape).astype("float32")
            feed[name] = mx.nd.array(w)
            out[f"{kind}/w/{name}"] = w
    res = graph.eval(**feed)
    out[f"{kind}/meta"] = np.array(
        json.dumps(
            {
                "outputs": graph.list_outputs(),
                "arguments": graph.list_arguments(),
                "shapes": [list(s) for s in oshapes],
                "num_outputs": len(outs),
            }
        )
    )
    for i, r in enumerate(res):
        out[f"{kind}/r{i}"] = r.asnumpy()

# LSTMPCell over NDArrays: stacked cells against the fused projected LSTM
cell = gluon.contrib.rnn.LSTMPCell(6, 3, input_size=4, prefix="p_")
cell.initialize()
for name, p in sorted(cell.collect_params().items()):
    w = rng.uniform(-0.5, 0.5, p.shape).astype("float32")
    p.set_data(mx.nd.array(w))
    out[f"lstmp_nd/w/{name}"] = w
o, s = cell.unroll(3, mx.nd.array(x), layout="TNC", merge_outputs=True)
out["lstmp_nd/out"] = o.asnumpy()
out["lstmp_nd/r"] = s[0].asnumpy()
out["lstmp_nd/c"] = s[1].asnumpy()

# valid_length with merge_outputs=None: one tensor, zero past each length
cell = gluon.rnn.GRUCell(3, input_size=4, prefix="g_")
cell.initialize()
for name, p in sorted(cell.collect_params().items()):
    w = rng.uniform(-0.5, 0.5, p.shape).astype("float32")
    p.set_data(mx.nd.array(w))
    out[f"vl/w/{name}"] = w
o, s = cell.unroll(3, mx.nd.array(x), layout="TNC", valid_length=mx.nd.array(out["valid_length"]))
assert isinstance(o, mx.nd.NDArray)
out["vl/out"] = o.asnumpy()
out["vl/state"] = s[0].asnumpy()

# use_sequence_length of the fused layers: MXNet 1.9.1 honours it with cuDNN only (its CPU
# kernel ignores it), so the reference is the same network unfused into cells and unrolled
# with valid_length, which is what cuDNN computes.
for tag, make in (
    ("seqlen_lstm", lambda: gluon.rnn.LSTM(3, num_layers=2, bidirectional=True, input_size=4)),
    ("seqlen_gru", lambda: gluon.rnn.GRU(3, input_size=4)),
):
    layer = make()
    layer.initialize()
    for name, p in sorted(layer.collect_params().items()):
        w = rng.uniform(-0.5, 0.5, p.shape).astype("float32")
        p.set_data(mx.nd.array(w))
        out[f"{tag}/w/{name[len(layer.prefix) :]}"] = w
    o, s = layer._unfuse().unroll(
        3,
        mx.nd.array(x),
        layout="TNC",
        merge_outputs=True,
        valid_length=mx.nd.array(out["valid_length"]),
    )
    out[f"{tag}/out"] = o.asnumpy()
    for i, st in enumerate(s):
        out[f"{tag}/cell_state{i}"] = st.asnumpy()

np.savez_compressed("symbolic.npz", **out)
print(sorted(k for k in out if "/w/" not in k))
