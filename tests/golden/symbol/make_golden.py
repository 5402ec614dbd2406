"""Generates MXNet 1.9.1 goldens for the symbolic API, Module and model files.

Run with the MXNet venv (not collected by pytest)::

    /work/mxnet-venv/bin/python tests/golden/symbol/make_golden.py

Writes next to this file:

* ``module_mnist.json``: accuracy of the issue-13 Module script (FullyConnected +
  SoftmaxOutput, SGD lr 0.01, batch 32, 2 epochs) on mxjax's embedded MNIST subset
  (exported to ``/tmp/mnist_sub.npz`` by ``tests/symbol/test_module.py``'s helper).
* ``ops.npz`` + ``ops-symbol.json``: a graph with Convolution, BatchNorm, Pooling,
  LeakyReLU, Concat, Reshape, FullyConnected, SoftmaxOutput ...; its inputs, outputs,
  updated auxiliary states and gradients (forward is_train=True, backward).
* ``lenet-symbol.json``/``lenet-0000.params`` + ``lenet_io.npz`` and the same for
  ``resnet``: Gluon networks exported by MXNet (``HybridBlock.export``), with an input
  and MXNet's inference output.
"""

import json
import os
import sys

import mxnet as mx
import numpy as np
from mxnet.gluon import nn

HERE = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.RandomState(0)


def module_mnist():
    d = np.load("/tmp/mnist_sub.npz")
    X_train = d["x"].reshape(len(d["x"]), -1).astype(np.float32) / 255.0
    y_train = d["y"].astype(np.float32)
    accs = []
    for seed in range(3):
        np.random.seed(seed)
        mx.random.seed(seed)
        data = mx.sym.var("data")
        fc = mx.sym.FullyConnected(data, num_hidden=10)
        loss = mx.sym.SoftmaxOutput(data=fc, name="softmax")
        optimizer = mx.optimizer.SGD(learning_rate=0.01)
        train_iter = mx.io.NDArrayIter(X_train, y_train, batch_size=32)
        model = mx.mod.Module(symbol=loss, context=mx.cpu())
        model.fit(train_iter, train_iter, optimizer=optimizer, num_epoch=2)
        pred = model.predict(train_iter)
        accs.append(float((pred.asnumpy().argmax(1) == y_train).mean()))
    with open(os.path.join(HERE, "module_mnist.json"), "w") as f:
        json.dump(
            {"mxnet": mx.__version__, "accuracy_per_seed": accs, "accuracy": float(np.mean(accs))},
            f,
            indent=1,
        )


def ops_graph():
    data = mx.sym.var("data")
    c1 = mx.sym.Convolution(data, num_filter=4, kernel=(3, 3), pad=(1, 1), name="c1")
    b1 = mx.sym.BatchNorm(c1, fix_gamma=False, name="b1")
    a1 = mx.sym.LeakyReLU(b1, act_type="leaky", slope=0.1, name="a1")
    p1 = mx.sym.Pooling(a1, kernel=(2, 2), stride=(2, 2), pool_type="max", name="p1")
    c2 = mx.sym.Convolution(p1, num_filter=4, kernel=(3, 3), pad=(1, 1), num_group=2, name="c2")
    r = mx.sym.Activation(c2, act_type="relu") + p1
    cat = mx.sym.Concat(r, p1, dim=1, name="cat")
    p2 = mx.sym.Pooling(
        cat, kernel=(3, 3), stride=(2, 2), pool_type="avg", pooling_convention="full", name="p2"
    )
    fl = mx.sym.Reshape(p2, shape=(0, -1), name="rs")
    fc = mx.sym.FullyConnected(fl, num_hidden=5, name="fc")
    fc = mx.sym.clip(fc * 0.5, -3, 3)
    out = mx.sym.SoftmaxOutput(fc, name="softmax", normalization="batch")
    shapes = {"data": (3, 2, 8, 8)}
    exe = out.simple_bind(mx.cpu(), **shapes)
    vals = {}
    for k, a in exe.arg_dict.items():
        if k == "softmax_label":
            v = RNG.randint(0, 5, a.shape).astype(np.float32)
        else:
            v = RNG.randn(*a.shape).astype(np.float32) * 0.5
        a[:] = v
        vals["arg:" + k] = v
    for k, a in exe.aux_dict.items():
        v = (
            (RNG.rand(*a.shape).astype(np.float32) + 0.5)
            if "var" in k
            else RNG.randn(*a.shape).astype(np.float32)
        )
        a[:] = v
        vals["aux:" + k] = v
    y = exe.forward(is_train=True)[0].asnumpy()
    exe.backward()
    vals["out"] = y
    for k, g in exe.grad_dict.items():
        vals["grad:" + k] = g.asnumpy()
    for k, a in exe.aux_dict.items():
        vals["newaux:" + k] = a.asnumpy()
    exe2 = out.bind(
        mx.cpu(),
        {k[4:]: mx.nd.array(v) for k, v in vals.items() if k.startswith("arg:")},
        aux_states={k[4:]: mx.nd.array(v) for k, v in vals.items() if k.startswith("aux:")},
        grad_req="null",
    )
    vals["out_infer"] = exe2.forward(is_train=False)[0].asnumpy()
    out.save(os.path.join(HERE, "ops-symbol.json"))
    np.savez_compressed(os.path.join(HERE, "ops.npz"), **vals)


class Residual(nn.HybridBlock):
    def __init__(self, channels, **kw):
        super().__init__(**kw)
        self.conv1 = nn.Conv2D(channels, 3, padding=1, use_bias=False)
        self.bn1 = nn.BatchNorm()
        self.conv2 = nn.Conv2D(channels, 3, padding=1, use_bias=False)
        self.bn2 = nn.BatchNorm()

    def hybrid_forward(self, F, x):
        y = F.Activation(self.bn1(self.conv1(x)), act_type="relu")
        y = self.bn2(self.conv2(y))
        return F.Activation(x + y, act_type="relu")


class SmallResNet(nn.HybridBlock):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.stem = nn.Conv2D(4, 3, padding=1)
        self.block = Residual(4)
        self.branch = nn.Conv2D(2, 1)
        self.pool = nn.GlobalAvgPool2D()
        self.out = nn.Dense(3)

    def hybrid_forward(self, F, x):
        x = self.stem(x)
        x = self.block(x)
        x = F.concat(x, self.branch(x), dim=1)
        return self.out(F.flatten(self.pool(x)))


def lenet():
    net = nn.HybridSequential()
    net.add(
        nn.Conv2D(4, 5),
        nn.BatchNorm(),
        nn.Activation("relu"),
        nn.MaxPool2D(2, 2),
        nn.Conv2D(6, 3),
        nn.BatchNorm(),
        nn.Activation("tanh"),
        nn.AvgPool2D(2, 2),
        nn.Flatten(),
        nn.Dense(16, activation="relu"),
        nn.Dropout(0.5),
        nn.Dense(10),
    )
    return net


def exported(name, net, shape):
    net.initialize(mx.init.Xavier(magnitude=2.0))
    x = mx.nd.array(RNG.rand(*shape).astype(np.float32))
    # a few training steps so BatchNorm's running statistics are not trivial
    with mx.autograd.record():
        net(x).sum().backward()
    for p in net.collect_params().values():
        if p.grad_req == "null":
            p.set_data(p.data() + mx.nd.array(RNG.rand(*p.shape).astype(np.float32) * 0.3))
    net.hybridize()
    y = net(x).asnumpy()
    net.export(os.path.join(HERE, name))
    # check that MXNet itself reloads it
    blk = mx.gluon.SymbolBlock.imports(
        os.path.join(HERE, name + "-symbol.json"),
        ["data"],
        os.path.join(HERE, name + "-0000.params"),
    )
    np.testing.assert_allclose(blk(x).asnumpy(), y, rtol=1e-5, atol=1e-6)
    np.savez_compressed(os.path.join(HERE, name + "_io.npz"), x=x.asnumpy(), y=y)


def roundtrip():
    """Step 2 of the export golden (see make_mxjax_export.py): MXNet loads mxjax's files."""
    io = np.load(os.path.join(HERE, "mxjax_net_io.npz"))
    blk = mx.gluon.SymbolBlock.imports(
        os.path.join(HERE, "mxjax_net-symbol.json"),
        ["data"],
        os.path.join(HERE, "mxjax_net-0000.params"),
    )
    y = blk(mx.nd.array(io["x"])).asnumpy()
    sym, args, auxs = mx.model.load_checkpoint(os.path.join(HERE, "mxjax_net"), 0)
    np.savez_compressed(
        os.path.join(HERE, "mxjax_net_mxnet.npz"),
        y=y,
        arguments=np.array(sym.list_arguments()),
        aux=np.array(sym.list_auxiliary_states()),
    )
    print("mxjax export loaded by MXNet; max |diff| =", np.abs(y - io["y"]).max())


if __name__ == "__main__":
    what = sys.argv[1:] or ["module", "ops", "models", "roundtrip"]
    if "roundtrip" in what:
        roundtrip()
    if "module" in what:
        module_mnist()
    if "ops" in what:
        ops_graph()
    if "models" in what:
        exported("lenet", lenet(), (2, 1, 20, 20))
        exported("resnet", SmallResNet(), (2, 3, 8, 8))


def rnn():
    """MXNet's fused RNN operator (symbol), forward with state outputs."""
    out = {}
    for mode, bidir in (("lstm", True), ("gru", False), ("rnn_tanh", False)):
        data = mx.sym.var("data")
        s = mx.sym.RNN(
            data,
            state_size=3,
            num_layers=2,
            mode=mode,
            bidirectional=bidir,
            state_outputs=True,
            name="rnn",
        )
        exe = s.simple_bind(mx.cpu(), data=(4, 2, 5), grad_req="null")
        for k, a in exe.arg_dict.items():
            a[:] = RNG.uniform(-0.5, 0.5, a.shape)
            out[f"{mode}/{k}"] = a.asnumpy()
        for i, o in enumerate(exe.forward(is_train=False)):
            out[f"{mode}/out{i}"] = o.asnumpy()
    np.savez_compressed(os.path.join(HERE, "rnn.npz"), **out)


if __name__ == "__main__" and "rnn" in sys.argv[1:]:
    rnn()
