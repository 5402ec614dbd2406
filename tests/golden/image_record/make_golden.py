"""An image RecordIO file written by real MXNet 1.9.1, and what its ImageRecordDataset reads.

Run with the MXNet venv from this folder: /work/mxnet-venv/bin/python make_golden.py
"""

import mxnet as mx
import numpy as np

rs = np.random.RandomState(0)
w = mx.recordio.MXIndexedRecordIO("images.idx", "images.rec", "w")
for i in range(3):
    img = rs.randint(0, 256, (4, 5 + i, 3)).astype("uint8")  # BGR, OpenCV's order
    label = float(i) if i < 2 else np.array([1.5, 2.5], np.float32)
    header = mx.recordio.IRHeader(0, label, i, 0)
    w.write_idx(i, mx.recordio.pack_img(header, img, img_fmt=".png"))
w.close()
out = {}
for flag in (0, 1):
    ds = mx.gluon.data.vision.ImageRecordDataset("images.rec", flag=flag)
    for i in range(len(ds)):
        x, y = ds[i]
        out[f"x{flag}_{i}"] = x.asnumpy()
        out[f"y{flag}_{i}"] = np.asarray(y)
np.savez_compressed("expected.npz", **out)
print(sorted(out), out["x1_0"].shape, out["x0_0"].shape, out["y1_2"])

# mx.image.ImageIter over the same file: batches and the three last-batch policies.
it = mx.image.ImageIter(
    2, (3, 4, 4), label_width=2, path_imgrec="images.rec", path_imgidx="images.idx"
)
iter_out = {}
for b, batch in enumerate(it):
    iter_out[f"iter_data{b}"] = batch.data[0].asnumpy()
    iter_out[f"iter_label{b}"] = batch.label[0].asnumpy()
    iter_out[f"iter_pad{b}"] = np.array(batch.pad)
for policy in ("pad", "discard", "roll_over"):
    it = mx.image.ImageIter(
        2,
        (3, 4, 4),
        label_width=2,
        path_imgrec="images.rec",
        path_imgidx="images.idx",
        last_batch_handle=policy,
    )
    pads = []
    for _ in range(3):
        pads.append([b.pad for b in it])
        it.reset()
    iter_out[f"pads_{policy}"] = np.array(str(pads))
np.savez_compressed("iter_expected.npz", **iter_out)
print({k: v for k, v in iter_out.items() if k.startswith(("pads", "iter_pad", "iter_label"))})
