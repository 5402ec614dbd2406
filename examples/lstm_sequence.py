"""An LSTM sequence model with Gluon: predict the next value of noisy sine waves.

python examples/lstm_sequence.py --epochs 20
"""

import argparse

import numpy as np

import mxjax as mx
from mxjax import autograd, gluon, nd
from mxjax.gluon import nn, rnn


class SeqModel(gluon.HybridBlock):
    def __init__(self, hidden=32, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.lstm = rnn.LSTM(hidden, layout="NTC")
            self.head = nn.Dense(1, flatten=False)

    def hybrid_forward(self, F, x):
        return self.head(self.lstm(x))


def make_data(n, length, rng):
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    freq = rng.uniform(0.5, 1.5, (n, 1))
    t = np.arange(length + 1)[None, :] * 0.3
    s = np.sin(freq * t + phase) + 0.05 * rng.standard_normal((n, length + 1))
    return s[:, :-1, None].astype(np.float32), s[:, 1:, None].astype(np.float32)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    x, y = make_data(256, 20, rng)
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=32, shuffle=True)
    net = SeqModel()
    net.initialize(mx.init.Xavier())
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.01})
    loss_fn = gluon.loss.L2Loss()
    losses = []
    for epoch in range(args.epochs):
        for xb, yb in loader:
            with autograd.record():
                loss = loss_fn(net(xb), yb)
            loss.backward()
            trainer.step(xb.shape[0])
        losses.append(float(loss_fn(net(nd.array(x)), nd.array(y)).mean().asscalar()))
        if epoch % 5 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch}: mse/2 {losses[-1]:.5f}")
    return {"losses": losses}


if __name__ == "__main__":
    main()
