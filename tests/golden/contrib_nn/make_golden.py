"""Goldens from real MXNet 1.9.1: PixelShuffle1D/2D/3D, grouped Conv1D/Conv2DTranspose, ReflectionPad2D.

Run with the MXNet venv from this folder: /work/mxnet-venv/bin/python make_golden.py
"""

import mxnet as mx
import numpy as np
from mxnet.gluon import nn
from mxnet.gluon.contrib import nn as cnn

out = {}
out["ps1"] = cnn.PixelShuffle1D(3)(mx.nd.arange(2 * 6 * 4).reshape((2, 6, 4))).asnumpy()
out["ps2"] = cnn.PixelShuffle2D((2, 3))(mx.nd.arange(12 * 2 * 3).reshape((1, 12, 2, 3))).asnumpy()
out["ps3"] = cnn.PixelShuffle3D((1, 2, 2))(
    mx.nd.arange(8 * 2 * 2 * 3).reshape((1, 8, 2, 2, 3))
).asnumpy()
rs = np.random.RandomState(0)
x1 = rs.uniform(-1, 1, (2, 4, 9)).astype("float32")
c1 = nn.Conv1D(6, 3, strides=2, groups=2, in_channels=4)
c1.initialize()
w1 = rs.uniform(-1, 1, c1.weight.shape).astype("float32")
c1.weight.set_data(mx.nd.array(w1))
out["conv1_x"], out["conv1_w"], out["conv1_y"] = x1, w1, c1(mx.nd.array(x1)).asnumpy()
x2 = rs.uniform(-1, 1, (1, 4, 5, 6)).astype("float32")
d2 = nn.Conv2DTranspose(6, (3, 2), groups=2, in_channels=4)
d2.initialize()
w2 = rs.uniform(-1, 1, d2.weight.shape).astype("float32")
d2.weight.set_data(mx.nd.array(w2))
out["deconv_x"], out["deconv_w"], out["deconv_y"] = x2, w2, d2(mx.nd.array(x2)).asnumpy()
xp = rs.uniform(-1, 1, (1, 2, 4, 5)).astype("float32")
out["pad_x"], out["pad_y"] = xp, nn.ReflectionPad2D(2)(mx.nd.array(xp)).asnumpy()
np.savez_compressed("golden.npz", **out)
print(sorted(out), w1.shape, w2.shape)
