"""Data parallelism two ways: the Gluon multi-context loop and ``fit(devices=...)``.

The Gluon loop normalizes with ``SyncBatchNorm``: batch statistics over every
context, as one device with the whole batch would compute them.

On a CPU-only machine, simulate devices first::

    XLA_FLAGS=--xla_force_host_platform_device_count=4 python examples/multi_device.py
"""

import argparse

import jax
import numpy as np

import mxjax as mx
from mxjax import autograd, data, gluon
from mxjax.gluon import nn
from mxjax.gluon.contrib.nn import SyncBatchNorm


def gluon_loop(ctx, x, y, epochs):
    net = nn.HybridSequential()
    net.add(nn.Dense(64), SyncBatchNorm(num_devices=len(ctx)), nn.Activation("relu"), nn.Dense(10))
    net.initialize(mx.init.Xavier(), ctx=ctx)
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 5e-3}, kvstore="device")
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    loader = gluon.data.DataLoader(
        gluon.data.ArrayDataset(x, y), batch_size=64 * len(ctx), shuffle=True
    )
    for epoch in range(epochs):
        total = 0.0
        for xb, yb in loader:
            xs = gluon.utils.split_and_load(xb, ctx)
            ys = gluon.utils.split_and_load(yb, ctx)
            with autograd.record():
                losses = [loss_fn(net(a), b) for a, b in zip(xs, ys)]
            for loss in losses:
                loss.backward()
            trainer.step(xb.shape[0])
            total += sum(float(loss.sum().asscalar()) for loss in losses)
        print(f"[gluon, {len(ctx)} contexts] epoch {epoch}: loss {total / len(x):.4f}")
    return total / len(x)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args(argv)
    n = len(jax.devices())
    ctx = (
        [mx.cpu(i) for i in range(n)]
        if jax.default_backend() == "cpu"
        else [mx.gpu(i) for i in range(n)]
    )
    print(f"{n} device(s): {ctx}")
    x, y = data.embedded_mnist(True)
    x = x.reshape(len(x), -1).astype(np.float32) / 255
    gluon_loss = gluon_loop(ctx, x, y.astype(np.float32), args.epochs)

    net = nn.Sequential()  # the batch is one sharded array: BatchNorm sees all of it
    net.add(nn.Dense(64), nn.BatchNorm(), nn.Activation("relu"), nn.Dense(10))
    net.compile(
        optimizer="adam", loss="softmax_cross_entropy", metrics=["accuracy"], learning_rate=5e-3
    )
    history = net.fit(x, y, epochs=args.epochs, batch_size=64 * n, devices=n)
    return {"gluon_loss": gluon_loss, "fit_history": history.history, "devices": n}


if __name__ == "__main__":
    main()
