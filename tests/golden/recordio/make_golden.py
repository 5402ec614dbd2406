"""Generates MXNet 1.9.1 RecordIO goldens (run with the MXNet venv, not collected by pytest)::

    /work/mxnet-venv/bin/python tests/golden/recordio/make_golden.py

Writes next to this file:

* ``plain.rec``/``plain.idx``: records written by ``MXIndexedRecordIO``, some containing
  the RecordIO magic number (MXNet splits those records); ``plain.npz`` holds the payloads.
* ``img.rec``/``img.idx``: 5 PNG image records (``pack_img``, 10x12 BGR, scalar labels) and
  ``img2.rec``/``img2.idx`` with label vectors of width 2.
* ``iter.npz``: the batches MXNet's ``ImageRecordIter`` yields on them with deterministic
  settings (no shuffle, no random crop/mirror): ``<config>/data<i>``, ``label<i>``, ``pad<i>``.
"""

import os
import struct

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.RandomState(0)
MAGIC = struct.pack("<I", 0xCED7230A)


def plain():
    payloads = [
        b"",
        b"a",
        b"abcd",
        b"hello world!!",
        MAGIC,
        b"xy" + MAGIC + b"zz",
        b"abcd" + MAGIC + b"efgh" + MAGIC,
        RNG.bytes(1000),
    ]
    w = mx.recordio.MXIndexedRecordIO(
        os.path.join(HERE, "plain.idx"), os.path.join(HERE, "plain.rec"), "w"
    )
    for i, p in enumerate(payloads):
        w.write_idx(i, p)
    w.close()
    np.savez(
        os.path.join(HERE, "plain.npz"),
        **{f"p{i}": np.frombuffer(p, np.uint8) for i, p in enumerate(payloads)},
    )


def images(name, label_width):
    w = mx.recordio.MXIndexedRecordIO(
        os.path.join(HERE, f"{name}.idx"), os.path.join(HERE, f"{name}.rec"), "w"
    )
    for i in range(5):
        img = RNG.randint(0, 256, (10, 12, 3)).astype(np.uint8)
        label = float(i) if label_width == 1 else [float(i), float(10 * i)]
        w.write_idx(
            i,
            mx.recordio.pack_img(
                mx.recordio.IRHeader(0, label, i, 0), img, quality=3, img_fmt=".png"
            ),
        )
    w.close()


CONFIGS = {
    "center": dict(
        path_imgrec="img.rec",
        data_shape=(3, 8, 8),
        batch_size=2,
        mean_r=10.0,
        mean_g=20.0,
        mean_b=30.0,
        std_r=2.0,
        std_g=3.0,
        std_b=4.0,
    ),
    "resize": dict(
        path_imgrec="img2.rec",
        data_shape=(3, 6, 6),
        batch_size=3,
        resize=7,
        label_width=2,
        scale=1.0 / 255,
    ),
    "noround": dict(path_imgrec="img.rec", data_shape=(3, 10, 12), batch_size=3, round_batch=False),
}


def iterate():
    out = {}
    for cfg, kw in CONFIGS.items():
        kw = dict(kw)
        kw["path_imgrec"] = os.path.join(HERE, kw["path_imgrec"])
        it = mx.io.ImageRecordIter(shuffle=False, preprocess_threads=1, **kw)
        for i, b in enumerate(it):
            out[f"{cfg}/data{i}"] = b.data[0].asnumpy()
            out[f"{cfg}/label{i}"] = b.label[0].asnumpy()
            out[f"{cfg}/pad{i}"] = np.array(b.pad)
    np.savez_compressed(os.path.join(HERE, "iter.npz"), **out)


if __name__ == "__main__":
    plain()
    images("img", 1)
    images("img2", 2)
    iterate()
