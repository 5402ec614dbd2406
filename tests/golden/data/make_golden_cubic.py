"""Bicubic resize (interp=2) and mx.image goldens from real MXNet 1.9.1 (OpenCV underneath).

Run with the MXNet venv from this folder: /work/mxnet-venv/bin/python make_golden_cubic.py
Reads the test image of transforms_golden.npz; writes resize_cubic.npz.
"""

import mxnet as mx
import numpy as np

img = np.load("transforms_golden.npz")["img"]
out = {}
for name, dt in (("u8", "uint8"), ("f32", "float32")):
    a = mx.nd.array(img, dtype=dt)
    out[f"cubic_{name}_down"] = mx.image.imresize(a, 7, 5, 2).asnumpy()
    out[f"cubic_{name}_up"] = mx.image.imresize(a, 17, 13, 2).asnumpy()
a = mx.nd.array(img, dtype="uint8")
out["resize_short_4"] = mx.image.resize_short(a, 4).asnumpy()
out["fixed_crop"] = mx.image.fixed_crop(a, 1, 2, 5, 4, size=(3, 3)).asnumpy()
out["color_normalize"] = mx.image.color_normalize(
    a.astype("float32"), mx.nd.array([10.0, 20.0, 30.0]), mx.nd.array([2.0, 3.0, 4.0])
).asnumpy()
np.savez_compressed("resize_cubic.npz", **out)
print(sorted(out), img.shape)
