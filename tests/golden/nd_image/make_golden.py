"""Goldens from real MXNet 1.9.1 for ``mx.nd.image``'s deterministic operators.

Run with the MXNet venv from this folder: /work/mxnet-venv/bin/python make_golden.py
"""

import mxnet as mx
import numpy as np

rs = np.random.RandomState(0)
img = rs.randint(0, 256, (5, 7, 3)).astype("uint8")
batch = rs.randint(0, 256, (2, 5, 7, 3)).astype("uint8")
imgf = rs.uniform(0, 255, (5, 7, 3)).astype("float32")
out = {"img": img, "batch": batch, "imgf": imgf}
nd = mx.nd.image
out["to_tensor"] = nd.to_tensor(mx.nd.array(img, dtype="uint8")).asnumpy()
out["to_tensor_batch"] = nd.to_tensor(mx.nd.array(batch, dtype="uint8")).asnumpy()
chw = nd.to_tensor(mx.nd.array(imgf))
out["normalize"] = nd.normalize(chw, mean=(0.1, 0.2, 0.3), std=(0.5, 0.25, 2.0)).asnumpy()
out["normalize_1"] = nd.normalize(chw.expand_dims(0), mean=(0.4,), std=(0.3,)).asnumpy()
out["crop"] = nd.crop(mx.nd.array(img, dtype="uint8"), 2, 1, 4, 3).asnumpy()
out["crop_batch"] = nd.crop(mx.nd.array(batch, dtype="uint8"), 0, 2, 7, 2).asnumpy()
out["flip_lr"] = nd.flip_left_right(mx.nd.array(img, dtype="uint8")).asnumpy()
out["flip_tb"] = nd.flip_top_bottom(mx.nd.array(imgf)).asnumpy()
for interp in (0, 1, 2):
    out[f"resize_u8_{interp}"] = nd.resize(
        mx.nd.array(img, dtype="uint8"), (4, 9), interp=interp
    ).asnumpy()
    out[f"resize_f32_{interp}"] = nd.resize(mx.nd.array(imgf), (11, 3), interp=interp).asnumpy()
out["resize_keep"] = nd.resize(mx.nd.array(imgf), 3, keep_ratio=True).asnumpy()
out["resize_batch"] = nd.resize(mx.nd.array(batch, dtype="uint8"), (3, 3)).asnumpy()
out["lighting_u8"] = nd.adjust_lighting(
    mx.nd.array(img, dtype="uint8"), alpha=(0.1, -0.2, 0.3)
).asnumpy()
out["lighting_f32"] = nd.adjust_lighting(mx.nd.array(imgf), alpha=(0.1, -0.2, 0.3)).asnumpy()
out["brightness"] = nd.random_brightness(mx.nd.array(imgf), 1.5, 1.5).asnumpy()
out["contrast"] = nd.random_contrast(mx.nd.array(imgf), 0.5, 0.5).asnumpy()
out["saturation"] = nd.random_saturation(mx.nd.array(imgf), 0.3, 0.3).asnumpy()
np.savez_compressed("golden.npz", **out)
print(sorted(out))

# INTER_AREA (interp=3): shrinking (integer and fractional), enlarging, and mixed.
area = {}
xa = rs.uniform(0, 255, (6, 9, 3)).astype("float32")
xu = rs.randint(0, 256, (6, 9, 3)).astype("uint8")
area["x"], area["xu"] = xa, xu
for size in [(3, 2), (4, 4), (12, 8), (5, 9), (3, 13)]:
    key = f"{size[0]}x{size[1]}"
    area["f_" + key] = nd.resize(mx.nd.array(xa), size, interp=3).asnumpy()
    area["u_" + key] = nd.resize(mx.nd.array(xu, dtype="uint8"), size, interp=3).asnumpy()
np.savez_compressed("area.npz", **area)
