"""Goldens from real MXNet 1.9.1 for ``mx.image``'s augmenters and geometry functions.

Only deterministic settings (zero jitter, probability 1, full-area crops), so the values
do not depend on MXNet's random streams.
Run with the MXNet venv from this folder: /work/mxnet-venv/bin/python make_golden.py
"""

import mxnet as mx
import numpy as np

rs = np.random.RandomState(0)
img = rs.randint(0, 256, (6, 8, 3)).astype("uint8")
imgf = img.astype("float32")
out = {"img": img}
nd = mx.nd.array(img, dtype="uint8")
ndf = mx.nd.array(imgf)
im = mx.image
out["force_resize"] = im.ForceResizeAug((5, 4), interp=1)(nd).asnumpy()
out["center_crop"] = im.CenterCropAug((4, 4), interp=1)(nd).asnumpy()
out["resize_short"] = im.ResizeAug(3, interp=1)(nd).asnumpy()
out["size_crop"] = im.RandomSizedCropAug((4, 3), (1.0, 1.0), (8 / 6, 8 / 6), interp=1)(nd).asnumpy()
out["normalize"] = im.ColorNormalizeAug(mx.nd.array([120, 110, 100]), mx.nd.array([50, 60, 70]))(
    ndf.copy()
).asnumpy()
out["hue0"] = im.HueJitterAug(0.0)(ndf.copy()).asnumpy()
out["contrast0"] = im.ContrastJitterAug(0.0)(ndf.copy()).asnumpy()
out["saturation0"] = im.SaturationJitterAug(0.0)(ndf.copy()).asnumpy()
out["gray"] = im.RandomGrayAug(1.0)(ndf.copy()).asnumpy()
out["flip"] = im.HorizontalFlipAug(1.0)(ndf.copy()).asnumpy()
out["lighting0"] = im.LightingAug(0.0, np.array([55.46, 4.794, 1.148]), np.eye(3))(
    ndf.copy()
).asnumpy()
for t in range(5):
    out[f"border{t}"] = im.copyMakeBorder(ndf, 2, 1, 3, 2, type=t).asnumpy()
out["border_values"] = im.copyMakeBorder(ndf, 1, 1, 1, 1, type=0, values=(1.0, 2.0, 3.0)).asnumpy()
chw = mx.nd.array(imgf.transpose(2, 0, 1) / 255)
out["rot30"] = im.imrotate(chw, 30).asnumpy()
out["rot30_in"] = im.imrotate(chw, 30, zoom_in=True).asnumpy()
out["rot_batch"] = im.imrotate(
    mx.nd.stack(chw, chw), mx.nd.array([15, -40]), zoom_out=True
).asnumpy()
out["augs"] = np.array(
    [
        str(a.dumps())
        for a in im.CreateAugmenter(
            (3, 4, 4),
            resize=5,
            rand_crop=True,
            rand_resize=True,
            rand_mirror=True,
            mean=True,
            std=True,
            brightness=0.1,
            contrast=0.2,
            saturation=0.3,
            hue=0.1,
            pca_noise=0.1,
            rand_gray=0.2,
        )
    ]
)
np.savez_compressed("golden.npz", **out)
print(sorted(out))
