"""MXNet 1.9.1 export of a network that unrolls RNN cells (begin states are ``_zeros``
nodes of shape ``(0, H)``: the batch dimension is inferred from their consumers).

Run with the MXNet venv (not collected by pytest)::

    /work/mxnet-venv/bin/python tests/golden/symbol/make_rnn_export.py

Writes ``rnncells-symbol.json``, ``rnncells-0000.params`` and ``rnncells_io.npz`` (an
input and MXNet's inference output) next to this file.
"""

import os

import mxnet as mx
import numpy as np
from mxnet import gluon

HERE = os.path.dirname(os.path.abspath(__file__))


class Net(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.lstm = gluon.rnn.LSTMCell(8, input_size=4)
            self.gru = gluon.rnn.GRUCell(6, input_size=8)
            self.out = gluon.nn.Dense(3, flatten=False)

    def hybrid_forward(self, F, x):
        h, _ = self.lstm.unroll(3, x, layout="NTC", merge_outputs=True)
        h, _ = self.gru.unroll(3, h, layout="NTC", merge_outputs=True)
        return self.out(h)


def main():
    mx.random.seed(0)
    net = Net(prefix="rnncells_")
    net.initialize(mx.init.Xavier())
    net.hybridize()
    x = mx.nd.array(np.random.RandomState(0).randn(2, 3, 4))
    y = net(x)
    net.export(os.path.join(HERE, "rnncells"))
    np.savez(os.path.join(HERE, "rnncells_io.npz"), x=x.asnumpy(), y=y.asnumpy())


if __name__ == "__main__":
    main()
