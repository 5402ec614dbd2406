"""The Gluon imperative loop on MNIST with LeNet, exactly as in MXNet's tutorials.

Only the import changed: ``import mxjax as mx``. Uses the full MNIST files when
they are in ``~/.mxjax/datasets/mnist``; otherwise the embedded 5k subset (announced).

    python examples/gluon_mnist_lenet.py --epochs 3
"""

import argparse
import time

import mxjax as mx
from mxjax import autograd, gluon
from mxjax.gluon import nn


def build_lenet():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(
            nn.Conv2D(channels=20, kernel_size=5, activation="relu"),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Conv2D(channels=50, kernel_size=5, activation="relu"),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Flatten(),
            nn.Dense(128, activation="relu"),
            nn.Dense(10),
        )
    return net


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument(
        "--limit", type=int, default=None, help="use only this many batches per epoch"
    )
    args = parser.parse_args(argv)

    mx.random.seed(0)
    transform = gluon.data.vision.transforms.Compose(
        [
            gluon.data.vision.transforms.ToTensor(),
            gluon.data.vision.transforms.Normalize(0.13, 0.31),
        ]
    )
    train_data = gluon.data.DataLoader(
        gluon.data.vision.MNIST(train=True).transform_first(transform),
        batch_size=args.batch_size,
        shuffle=True,
    )
    test_data = gluon.data.DataLoader(
        gluon.data.vision.MNIST(train=False).transform_first(transform),
        batch_size=256,
        shuffle=False,
    )

    net = build_lenet()
    net.initialize(mx.init.Xavier())
    net.hybridize()
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": args.lr})
    metric = mx.metric.Accuracy()
    first_loss = last_loss = None
    for epoch in range(args.epochs):
        metric.reset()
        tic = time.time()
        for i, (data, label) in enumerate(train_data):
            if args.limit is not None and i >= args.limit:
                break
            with autograd.record():
                output = net(data)
                loss = loss_fn(output, label)
            loss.backward()
            trainer.step(data.shape[0])
            metric.update(label, output)
            last_loss = loss.mean().asscalar()
            first_loss = last_loss if first_loss is None else first_loss
        name, acc = metric.get()
        print(
            f"[Epoch {epoch}] train {name}={acc:.4f} loss={last_loss:.4f} ({time.time() - tic:.1f}s)"
        )
    metric.reset()
    for data, label in test_data:
        metric.update(label, net(data))
    print(f"test accuracy: {metric.get()[1]:.4f}")
    return {"first_loss": first_loss, "last_loss": last_loss, "test_accuracy": metric.get()[1]}


if __name__ == "__main__":
    main()
