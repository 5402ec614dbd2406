"""Generates MXNet 1.9.1 goldens for convolution and pooling layers.

Run with the MXNet venv (not collected by pytest)::

    /tmp/mxnet/bin/python tests/golden/conv/make_golden.py

Writes ``conv.npz`` and ``pool.npz`` next to this file. For every config ``name`` it
stores ``name/x`` (input), ``name/weight``/``name/bias`` (conv only), ``name/y``
(output), ``name/dy`` (a random cotangent) and the gradients ``name/dx``,
``name/dweight`` of ``sum(y * dy)``.
"""

import os

import mxnet as mx
import numpy as np
from mxnet import autograd
from mxnet.gluon import nn

HERE = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.RandomState(0)

# name -> (class, kwargs, input shape); kwargs are Gluon's.
CONV = {
    "conv1d": (
        nn.Conv1D,
        dict(channels=4, kernel_size=3, strides=2, padding=1, dilation=2),
        (2, 3, 11),
    ),
    "conv2d": (
        nn.Conv2D,
        dict(
            channels=6,
            kernel_size=(3, 2),
            strides=(2, 1),
            padding=(1, 0),
            dilation=(1, 2),
            groups=2,
            activation="relu",
        ),
        (2, 4, 9, 8),
    ),
    "conv2d_nobias": (nn.Conv2D, dict(channels=3, kernel_size=1, use_bias=False), (2, 5, 4, 3)),
    "conv3d": (
        nn.Conv3D,
        dict(channels=3, kernel_size=2, strides=(1, 2, 1), padding=1),
        (1, 2, 5, 6, 4),
    ),
    "conv1dT": (
        nn.Conv1DTranspose,
        dict(channels=3, kernel_size=3, strides=2, padding=1, output_padding=1),
        (2, 4, 5),
    ),
    "conv2dT": (
        nn.Conv2DTranspose,
        dict(
            channels=4,
            kernel_size=(3, 4),
            strides=(2, 3),
            padding=(1, 2),
            output_padding=(1, 0),
            dilation=(2, 1),
            groups=2,
            in_channels=4,
        ),
        (2, 4, 5, 4),
    ),
    "conv2dT_big_pad": (
        nn.Conv2DTranspose,
        dict(channels=2, kernel_size=2, strides=3, padding=2, use_bias=False),
        (1, 3, 4, 4),
    ),
    "conv3dT": (
        nn.Conv3DTranspose,
        dict(channels=2, kernel_size=3, strides=2, padding=1, activation="tanh"),
        (1, 3, 3, 4, 3),
    ),
}

POOL = {
    "max2d_ceil_pad": (
        nn.MaxPool2D,
        dict(pool_size=3, strides=2, padding=1, ceil_mode=True),
        (2, 3, 8, 8),
    ),
    "max2d_floor": (nn.MaxPool2D, dict(pool_size=3, strides=2, padding=1), (2, 3, 8, 8)),
    "max2d_default": (nn.MaxPool2D, dict(), (2, 3, 7, 6)),
    "avg2d_ceil_pad_cip": (
        nn.AvgPool2D,
        dict(pool_size=3, strides=2, padding=1, ceil_mode=True),
        (2, 3, 8, 8),
    ),
    "avg2d_ceil_pad_nocip": (
        nn.AvgPool2D,
        dict(pool_size=3, strides=2, padding=1, ceil_mode=True, count_include_pad=False),
        (2, 3, 8, 8),
    ),
    "avg2d_rect": (
        nn.AvgPool2D,
        dict(pool_size=(3, 2), strides=(2, 2), padding=(1, 1), ceil_mode=True),
        (1, 2, 7, 6),
    ),
    "avg2d_floor_nocip": (
        nn.AvgPool2D,
        dict(pool_size=3, strides=2, padding=1, count_include_pad=False),
        (1, 2, 7, 6),
    ),
    "max1d_ceil": (nn.MaxPool1D, dict(pool_size=2, ceil_mode=True), (2, 3, 7)),
    "avg1d_ceil_nocip": (
        nn.AvgPool1D,
        dict(pool_size=3, strides=2, padding=1, ceil_mode=True, count_include_pad=False),
        (2, 3, 8),
    ),
    "avg1d_ceil_cip": (
        nn.AvgPool1D,
        dict(pool_size=3, strides=2, padding=1, ceil_mode=True),
        (2, 3, 8),
    ),
    "max3d_ceil_pad": (
        nn.MaxPool3D,
        dict(pool_size=2, strides=2, padding=1, ceil_mode=True),
        (1, 2, 5, 4, 5),
    ),
    "avg3d_ceil_cip": (
        nn.AvgPool3D,
        dict(pool_size=(2, 3, 2), strides=(2, 2, 1), padding=(1, 1, 0), ceil_mode=True),
        (1, 2, 5, 6, 4),
    ),
    "avg3d_ceil_nocip": (
        nn.AvgPool3D,
        dict(
            pool_size=(2, 3, 2),
            strides=(2, 2, 1),
            padding=(1, 1, 0),
            ceil_mode=True,
            count_include_pad=False,
        ),
        (1, 2, 5, 6, 4),
    ),
    "gmax1d": (nn.GlobalMaxPool1D, dict(), (2, 3, 5)),
    "gavg1d": (nn.GlobalAvgPool1D, dict(), (2, 3, 5)),
    "gmax2d": (nn.GlobalMaxPool2D, dict(), (2, 3, 4, 5)),
    "gavg2d": (nn.GlobalAvgPool2D, dict(), (2, 3, 4, 5)),
    "gmax3d": (nn.GlobalMaxPool3D, dict(), (1, 2, 3, 4, 2)),
    "gavg3d": (nn.GlobalAvgPool3D, dict(), (1, 2, 3, 4, 2)),
}


def run(table, out_name):
    out = {}
    for name, (cls, kwargs, shape) in table.items():
        block = cls(**kwargs)
        block.initialize(mx.init.Normal(0.5))
        x = mx.nd.array(RNG.standard_normal(shape).astype("float32"))
        block(x)  # infer shapes
        params = block.collect_params()
        for p in params.values():
            p.set_data(mx.nd.array(RNG.standard_normal(p.shape).astype("float32") * 0.5))
        x.attach_grad()
        with autograd.record():
            y = block(x)
            dy = mx.nd.array(RNG.standard_normal(y.shape).astype("float32"))
            loss = (y * dy).sum()
        loss.backward()
        out[f"{name}/x"] = x.asnumpy()
        out[f"{name}/y"] = y.asnumpy()
        out[f"{name}/dy"] = dy.asnumpy()
        out[f"{name}/dx"] = x.grad.asnumpy()
        for pname, p in params.items():
            short = pname.rsplit("_", 1)[-1]
            out[f"{name}/{short}"] = p.data().asnumpy()
            out[f"{name}/d{short}"] = p.grad().asnumpy()
        print(name, shape, "->", y.shape)
    path = os.path.join(HERE, out_name)
    np.savez_compressed(path, **out)
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    run(CONV, "conv.npz")
    run(POOL, "pool.npz")
