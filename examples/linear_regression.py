"""Linear regression with Gluon: ``nn.Dense(1)``, ``L2Loss`` and SGD on synthetic data.

python examples/linear_regression.py
"""

import argparse

import numpy as np

import mxjax as mx
from mxjax import autograd, gluon, nd


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    true_w, true_b = np.array([2.0, -3.4], np.float32), 4.2
    x = rng.standard_normal((1000, 2)).astype(np.float32)
    y = x @ true_w + true_b + 0.01 * rng.standard_normal(1000).astype(np.float32)
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=10, shuffle=True)

    net = gluon.nn.Dense(1)
    net.initialize(mx.init.Normal(sigma=0.01))
    loss_fn = gluon.loss.L2Loss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.03})
    losses = []
    for epoch in range(args.epochs):
        for xb, yb in loader:
            with autograd.record():
                loss = loss_fn(net(xb), yb)
            loss.backward()
            trainer.step(xb.shape[0])
        losses.append(float(loss_fn(net(nd.array(x)), nd.array(y)).mean().asscalar()))
        print(f"epoch {epoch + 1}, loss {losses[-1]:.6f}")
    w, b = net.weight.data().asnumpy().ravel(), float(net.bias.data().asnumpy()[0])
    print(f"learned w={w}, b={b:.4f} (true w={true_w}, b={true_b})")
    return {"losses": losses, "w": w, "b": b, "true_w": true_w, "true_b": true_b}


if __name__ == "__main__":
    main()
