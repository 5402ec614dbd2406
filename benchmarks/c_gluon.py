"""mxjax Gluon facade contenders: the MXNet idiom, hybridized or not.

``net(x)`` under ``autograd.record()``, ``loss.backward()``, ``trainer.step(batch)``.
"""

from __future__ import annotations

from workloads import LR, LSTM


def _net(mx, model):
    nn = mx.gluon.nn
    net = nn.HybridSequential()
    if model == "mlp":
        net.add(nn.Dense(256, activation="relu"), nn.Dense(256, activation="relu"), nn.Dense(10))
    elif model == "cnn":
        net.add(
            nn.Conv2D(32, 3, activation="relu"),
            nn.MaxPool2D(2, 2),
            nn.Conv2D(64, 3, activation="relu"),
            nn.MaxPool2D(2, 2),
            nn.Flatten(),
            nn.Dense(128, activation="relu"),
            nn.Dense(10),
        )
    elif model == "resnet18":
        net = _resnet18(mx)
    elif model == "lstm":
        net = _lstm_lm(mx)
    else:
        raise ValueError(model)
    return net


def _resnet18(mx):
    nn = mx.gluon.nn

    class Basic(mx.gluon.HybridBlock):
        def __init__(self, c, s, down):
            super().__init__()
            self.body = nn.HybridSequential()
            self.body.add(
                nn.Conv2D(c, 3, s, 1, use_bias=False),
                nn.BatchNorm(),
                nn.Activation("relu"),
                nn.Conv2D(c, 3, 1, 1, use_bias=False),
                nn.BatchNorm(),
            )
            self.ds = None
            if down:
                self.ds = nn.HybridSequential()
                self.ds.add(nn.Conv2D(c, 1, s, use_bias=False), nn.BatchNorm())
            self.act = nn.Activation("relu")

        def hybrid_forward(self, F, x):
            r = x if self.ds is None else self.ds(x)
            return self.act(self.body(x) + r)

    net = nn.HybridSequential()
    net.add(nn.Conv2D(64, 3, 1, 1, use_bias=False), nn.BatchNorm(), nn.Activation("relu"))
    c_in = 64
    for c, s in [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)]:
        net.add(Basic(c, s, s != 1 or c_in != c))
        c_in = c
    net.add(nn.GlobalAvgPool2D(), nn.Flatten(), nn.Dense(10))
    return net


def _lstm_lm(mx):
    nn, rnn = mx.gluon.nn, mx.gluon.rnn

    class LM(mx.gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(LSTM["vocab"], LSTM["embed"])
            self.lstm = rnn.LSTM(LSTM["hidden"], layout="NTC")
            self.decoder = nn.Dense(LSTM["vocab"], flatten=False)

        def hybrid_forward(self, F, tokens):
            return self.decoder(self.lstm(self.embed(tokens)))

    return LM()


def build_loop(mx, w, x, y, hybridize):
    """The Gluon training loop; ``step()`` returns the loss (an NDArray) to wait on."""
    gluon, autograd, nd = mx.gluon, mx.autograd, mx.nd
    net = _net(mx, w.model)
    net.initialize(mx.init.Xavier())
    if hybridize:
        net.hybridize()
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": LR})
    data, label = nd.array(x), nd.array(y)
    batch = x.shape[0]

    def step():
        with autograd.record():
            loss = loss_fn(net(data), label)
        loss.backward()
        trainer.step(batch)
        return loss

    return {"step": step}


def _mx():
    import mxjax as mx

    return mx


def build_hybrid(w, x, y):
    return build_loop(_mx(), w, x, y, hybridize=True)


def build_plain(w, x, y):
    return build_loop(_mx(), w, x, y, hybridize=False)


def _symbol(mx, model):
    sym = mx.sym
    x = sym.var("data")
    if model == "mlp":
        for i in range(2):
            x = sym.Activation(sym.FullyConnected(x, num_hidden=256, name=f"fc{i}"), "relu")
    elif model == "cnn":
        for i, c in enumerate((32, 64)):
            x = sym.Convolution(x, kernel=(3, 3), num_filter=c, name=f"conv{i}")
            x = sym.Pooling(
                sym.Activation(x, "relu"), kernel=(2, 2), stride=(2, 2), pool_type="max"
            )
        x = sym.Activation(sym.FullyConnected(sym.Flatten(x), num_hidden=128, name="fc0"), "relu")
    else:
        raise ValueError(f"no symbolic definition of {model!r}")
    return sym.SoftmaxOutput(sym.FullyConnected(x, num_hidden=10, name="out"), name="softmax")


def build_module(mx, w, x, y):
    """The symbolic idiom: ``Module`` bound to the batch, ``forward_backward`` + ``update``."""
    mod = mx.mod.Module(_symbol(mx, w.model), context=mx.cpu())
    mod.bind(data_shapes=[("data", x.shape)], label_shapes=[("softmax_label", y.shape)])
    mod.init_params(mx.init.Xavier())
    mod.init_optimizer(optimizer="adam", optimizer_params={"learning_rate": LR})
    batch = mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)])

    def step():
        mod.forward_backward(batch)
        mod.update()
        return mod.get_outputs()[0]

    return {"step": step}
