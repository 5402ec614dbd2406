"""A Fashion-MNIST CNN: ``nn.Sequential`` with Conv2D/MaxPool2D/Flatten/Dense and the Gluon loop.

Reads Fashion-MNIST from ``~/.mxjax/datasets/fashionmnist`` (or ``--root``).
Without those files (this repository ships none) it says so and trains on the
embedded MNIST subset, which has the same format.

    python examples/fashion_mnist_cnn.py --epochs 2
"""

import argparse

import mxjax as mx
from mxjax import autograd, gluon
from mxjax.gluon import nn


def load(train, root):
    try:
        return (
            gluon.data.vision.FashionMNIST(root=root, train=train)
            if root
            else gluon.data.vision.FashionMNIST(train=train)
        )
    except (FileNotFoundError, OSError, RuntimeError) as e:
        print(
            f"Fashion-MNIST not available ({type(e).__name__}); using the embedded MNIST subset instead."
        )
        return gluon.data.vision.MNIST(train=train, embedded=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--root", default=None)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)

    mx.random.seed(1)
    to_tensor = gluon.data.vision.transforms.ToTensor()
    train = gluon.data.DataLoader(
        load(True, args.root).transform_first(to_tensor), batch_size=args.batch_size, shuffle=True
    )
    test = gluon.data.DataLoader(load(False, args.root).transform_first(to_tensor), batch_size=256)

    net = nn.HybridSequential()
    net.add(
        nn.Conv2D(channels=16, kernel_size=3, activation="relu"),
        nn.MaxPool2D(pool_size=2),
        nn.Conv2D(channels=32, kernel_size=3, activation="relu"),
        nn.MaxPool2D(pool_size=2),
        nn.Flatten(),
        nn.Dense(64, activation="relu"),
        nn.Dense(10),
    )
    net.initialize(mx.init.Xavier())
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.003})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    losses = []
    for epoch in range(args.epochs):
        for i, (x, y) in enumerate(train):
            if args.limit is not None and i >= args.limit:
                break
            with autograd.record():
                loss = loss_fn(net(x), y)
            loss.backward()
            trainer.step(x.shape[0])
            losses.append(loss.mean().asscalar())
        print(f"epoch {epoch}: mean loss {sum(losses[-20:]) / len(losses[-20:]):.4f}")
    acc = mx.metric.Accuracy()
    for x, y in test:
        acc.update(y, net(x))
    print(f"test accuracy: {acc.get()[1]:.4f}")
    return {
        "first_loss": losses[0],
        "last_loss": sum(losses[-10:]) / len(losses[-10:]),
        "test_accuracy": acc.get()[1],
    }


if __name__ == "__main__":
    main()
