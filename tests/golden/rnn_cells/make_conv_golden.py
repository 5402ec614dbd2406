"""Golden values of gluon.contrib.rnn's convolutional cells from real MXNet 1.9.1.

Run with the MXNet venv, from this folder: /work/mxnet-venv/bin/python make_conv_golden.py
Writes conv.npz: for each case, the weights, the input, the unrolled outputs and final
states, the parameter shapes and the names of the graph unrolled over Symbols.
"""

import json

import mxnet as mx
import numpy as np
from mxnet import gluon

rng = np.random.RandomState(1)
out = {}
CASES = {
    "lstm2d": (gluon.contrib.rnn.Conv2DLSTMCell, ((2, 5, 5), 3, (3, 3), (3, 3)), {}),
    "gru1d": (gluon.contrib.rnn.Conv1DGRUCell, ((2, 6), 2, 3, 5), {"i2h_pad": 1}),
    "rnn3d": (
        gluon.contrib.rnn.Conv3DRNNCell,
        ((1, 3, 4, 4), 2, (1, 3, 3), (1, 3, 3)),
        {"i2h_pad": (0, 1, 1), "activation": "relu", "h2h_dilate": (1, 2, 1)},
    ),
}
for tag, (cls, args, kw) in CASES.items():
    cell = cls(*args, prefix="c_", **kw)
    cell.initialize()
    shapes = {}
    for name, p in sorted(cell.collect_params().items()):
        w = rng.uniform(-0.5, 0.5, p.shape).astype("float32")
        p.set_data(mx.nd.array(w))
        out[f"{tag}/w/{name}"] = w
        shapes[name] = list(p.shape)
    x = rng.uniform(-1, 1, (2, 3, *args[0])).astype("float32")  # NTC...
    out[f"{tag}/x"] = x
    o, s = cell.unroll(3, mx.nd.array(x), merge_outputs=True)
    out[f"{tag}/out"] = o.asnumpy()
    for i, st in enumerate(s):
        out[f"{tag}/state{i}"] = st.asnumpy()
    cell.reset()
    steps = [mx.sym.var(f"t{i}") for i in range(2)]
    so, ss = cell.unroll(2, steps)
    g = mx.sym.Group(list(so) + list(ss))
    out[f"{tag}/meta"] = np.array(
        json.dumps(
            {
                "shapes": shapes,
                "outputs": g.list_outputs(),
                "prefix": cls(*args, **kw).prefix,
                "state_info": [list(i["shape"]) for i in cell.state_info(2)],
            }
        )
    )

np.savez_compressed("conv.npz", **out)
print(sorted(k for k in out if "/w/" not in k))
