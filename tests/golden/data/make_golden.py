"""Generates transforms_golden.npz with real MXNet 1.9.1 (run with /tmp/mxnet/bin/python).

Not collected by pytest. Each key holds MXNet's output for a fixed input and
fixed factors (random_* ops are called with min_factor == max_factor).
"""

import mxnet as mx
import numpy as np

rs = np.random.RandomState(0)
img = rs.randint(0, 256, size=(9, 12, 3)).astype(np.uint8)
imgf = img.astype(np.float32)
gray = rs.randint(0, 256, size=(9, 12, 1)).astype(np.uint8)
out = {"img": img, "gray": gray}
nd = mx.nd
F = nd.image
out["to_tensor"] = F.to_tensor(nd.array(img, dtype="uint8")).asnumpy()
out["to_tensor_batch"] = F.to_tensor(nd.array(np.stack([img, img[::-1]]), dtype="uint8")).asnumpy()
t = F.to_tensor(nd.array(img, dtype="uint8"))
out["normalize"] = F.normalize(t, mean=(0.1, 0.2, 0.3), std=(0.5, 0.4, 0.3)).asnumpy()
for interp in (0, 1):
    for name, x in (("u8", img), ("f32", imgf)):
        a = nd.array(x, dtype=x.dtype)
        out[f"resize_{name}_{interp}"] = F.resize(a, size=(7, 5), interp=interp).asnumpy()
        out[f"resize_up_{name}_{interp}"] = F.resize(a, size=(17, 13), interp=interp).asnumpy()
        out[f"resize_keep_{name}_{interp}"] = F.resize(
            a, size=6, keep_ratio=True, interp=interp
        ).asnumpy()
a = nd.array(img, dtype="uint8")
out["center_crop_6x4"] = mx.image.center_crop(a, (6, 4), interp=1)[0].asnumpy()
out["center_crop_20"] = mx.image.center_crop(a, (20, 20), interp=1)[0].asnumpy()
for name, fn in (
    ("brightness", F.random_brightness),
    ("contrast", F.random_contrast),
    ("saturation", F.random_saturation),
    ("hue", F.random_hue),
):
    for f in (0.6, 1.3):
        for dt, x in (("u8", img), ("f32", imgf)):
            out[f"{name}_{f}_{dt}"] = fn(nd.array(x, dtype=x.dtype), f, f).asnumpy()
out["contrast_gray_0.6"] = F.random_contrast(nd.array(gray, dtype="uint8"), 0.6, 0.6).asnumpy()
for dt, x in (("u8", img), ("f32", imgf)):
    out[f"lighting_{dt}"] = F.adjust_lighting(
        nd.array(x, dtype=x.dtype), alpha=(0.3, -0.2, 0.5)
    ).asnumpy()
out["flip_lr"] = F.flip_left_right(a).asnumpy()
out["flip_tb"] = F.flip_top_bottom(a).asnumpy()
np.savez_compressed("transforms_golden.npz", **out)
print({k: v.shape for k, v in out.items()})
