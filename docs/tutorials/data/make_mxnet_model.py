"""Trains the small MXNet model that the fine-tuning tutorial loads (run with MXNet 1.9.1).

Run with a Python where ``mxnet==1.9.1`` imports (not collected by pytest; mxjax never
needs MXNet)::

    /work/mxnet-venv/bin/python docs/tutorials/data/make_mxnet_model.py

It trains a small CNN with MXNet Gluon for 2 epochs on the first 3,000 images of the
MNIST subset embedded in mxjax (``mxjax/_datasets/mnist-5k``) and writes, next to this
file, what an MXNet user has on disk:

* ``mnist_cnn.params`` — ``net.save_parameters`` (Gluon 1.x structural names);
* ``mnist_cnn-symbol.json`` and ``mnist_cnn-0000.params`` — ``net.export`` after
  ``hybridize`` (MXNet's graph and ``arg:``/``aux:`` names);
* ``mnist_cnn_accuracy.txt`` — MXNet's accuracy on the 1,000 test images.
"""

import gzip
import os

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon
from mxnet.gluon import nn

HERE = os.path.dirname(os.path.abspath(__file__))
MNIST = os.path.join(HERE, "..", "..", "..", "mxjax", "_datasets", "mnist-5k")


def read_idx(name):
    with gzip.open(os.path.join(MNIST, name)) as f:
        raw = f.read()
    ndim = raw[3]
    shape = np.frombuffer(raw[4 : 4 + 4 * ndim], ">u4").astype(int)
    return np.frombuffer(raw[4 + 4 * ndim :], np.uint8).reshape(shape)


def build():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(8, kernel_size=5, activation="relu"))
        net.add(nn.MaxPool2D(pool_size=2, strides=2))
        net.add(nn.Conv2D(16, kernel_size=5, activation="relu"))
        net.add(nn.MaxPool2D(pool_size=2, strides=2))
        net.add(nn.Flatten())
        net.add(nn.Dense(10))
    return net


def main():
    mx.random.seed(0)
    np.random.seed(0)
    x = read_idx("train-images-idx3-ubyte.gz")[:3000].astype(np.float32)[:, None] / 255
    y = read_idx("train-labels-idx1-ubyte.gz")[:3000].astype(np.float32)
    xt = read_idx("t10k-images-idx3-ubyte.gz").astype(np.float32)[:, None] / 255
    yt = read_idx("t10k-labels-idx1-ubyte.gz").astype(np.float32)
    net = build()
    net.initialize(mx.init.Xavier())
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 2e-3})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=50, shuffle=True)
    for _ in range(2):
        for xb, yb in loader:
            with autograd.record():
                loss = loss_fn(net(xb), yb)
            loss.backward()
            trainer.step(xb.shape[0])
    acc = float((net(mx.nd.array(xt)).argmax(axis=1).asnumpy() == yt).mean())
    net.save_parameters(os.path.join(HERE, "mnist_cnn.params"))
    net.export(os.path.join(HERE, "mnist_cnn"), epoch=0)
    with open(os.path.join(HERE, "mnist_cnn_accuracy.txt"), "w") as f:
        f.write(f"{acc:.4f}\n")
    print(f"MXNet {mx.__version__}: test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
