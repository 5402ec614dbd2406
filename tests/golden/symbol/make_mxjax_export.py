"""Step 1 of the export round-trip golden: mxjax exports a network (run with mxjax's venv).

    PYTHONPATH=. /work/venv/bin/python tests/golden/symbol/make_mxjax_export.py
    /work/mxnet-venv/bin/python tests/golden/symbol/make_golden.py roundtrip

Writes ``mxjax_net-symbol.json``, ``mxjax_net-0000.params`` and ``mxjax_net_io.npz``
(input ``x`` and mxjax's output ``y``); step 2 (``make_golden.py roundtrip``) loads
them with real MXNet 1.9.1's ``SymbolBlock.imports`` and records MXNet's output
in ``mxjax_net_mxnet.npz``.
"""

import os

import numpy as np

import mxjax as mx
from mxjax.gluon import nn

HERE = os.path.dirname(os.path.abspath(__file__))


class Residual(mx.gluon.HybridBlock):
    """conv-bn-relu with a residual add and a concat."""

    def __init__(self, channels, **kw):
        super().__init__(**kw)
        with self.name_scope():
            self.conv1 = nn.Conv2D(channels, 3, padding=1, use_bias=False)
            self.bn1 = nn.BatchNorm()

    def hybrid_forward(self, F, x):
        y = F.Activation(self.bn1(self.conv1(x)), act_type="relu")
        return F.concat(x + y, y, dim=1)


def build():
    net = nn.HybridSequential(prefix="net_")
    with net.name_scope():
        net.add(
            nn.Conv2D(4, 3, padding=1),
            Residual(4),
            nn.MaxPool2D(2),
            nn.Dropout(0.3),
            nn.Flatten(),
            nn.Dense(5, activation="relu"),
            nn.LeakyReLU(0.1),
            nn.Dense(3),
        )
    return net


if __name__ == "__main__":
    mx.random.seed(0)
    net = build()
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(np.random.RandomState(0).rand(2, 3, 8, 8).astype(np.float32))
    net(x)
    for p in net.collect_params().values():  # non-trivial running statistics
        if p.grad_req == "null":
            p.set_data(p.data() + 0.25)
    y = net(x).asnumpy()
    net.export(os.path.join(HERE, "mxjax_net"))
    np.savez_compressed(os.path.join(HERE, "mxjax_net_io.npz"), x=x.asnumpy(), y=y)
