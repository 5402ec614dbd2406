"""Binary logistic regression with Gluon: ``nn.Dense(1)`` and ``SigmoidBinaryCrossEntropyLoss``.

python examples/logistic_regression.py
"""

import argparse

import numpy as np

import mxjax as mx
from mxjax import autograd, gluon, nd


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    x = rng.standard_normal((800, 2)).astype(np.float32)
    y = (x[:, 0] + 2 * x[:, 1] > 0.5).astype(np.float32)
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=32, shuffle=True)

    net = gluon.nn.Dense(1)
    net.initialize(mx.init.Normal(sigma=0.1))
    loss_fn = gluon.loss.SigmoidBinaryCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    losses = []
    for _ in range(args.epochs):
        total = 0.0
        for xb, yb in loader:
            with autograd.record():
                loss = loss_fn(net(xb), yb)
            loss.backward()
            trainer.step(xb.shape[0])
            total += float(loss.sum().asscalar())
        losses.append(total / len(x))
    prob = nd.sigmoid(net(nd.array(x))).asnumpy().ravel()
    acc = float(np.mean((prob > 0.5) == y))
    print(f"final loss {losses[-1]:.4f}, training accuracy {acc:.4f}")
    return {"losses": losses, "accuracy": acc}


if __name__ == "__main__":
    main()
