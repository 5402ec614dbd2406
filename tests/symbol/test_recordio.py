"""mx.recordio and ImageRecordIter against files and batches written by MXNet 1.9.1."""

import os
import shutil

import numpy as np
import pytest

import mxjax as mx

G = os.path.join(os.path.dirname(__file__), "..", "golden", "recordio")


def _payloads():
    d = np.load(os.path.join(G, "plain.npz"))
    return [d[f"p{i}"].tobytes() for i in range(len(d.files))]


def test_reads_mxnet_records_and_writes_identical_bytes(tmp_path):
    payloads = _payloads()
    r = mx.recordio.MXIndexedRecordIO(
        os.path.join(G, "plain.idx"), os.path.join(G, "plain.rec"), "r"
    )
    assert r.keys == list(range(len(payloads)))
    assert [r.read_idx(i) for i in reversed(r.keys)] == payloads[::-1]
    r.reset()
    assert [r.read() for _ in payloads] == payloads and r.read() is None
    w = mx.recordio.MXIndexedRecordIO(str(tmp_path / "p.idx"), str(tmp_path / "p.rec"), "w")
    for i, p in enumerate(payloads):
        w.write_idx(i, p)
    w.close()
    # byte-identical to MXNet's writer, including records split at embedded magic numbers
    for ext in ("rec", "idx"):
        with (
            open(tmp_path / f"p.{ext}", "rb") as a,
            open(os.path.join(G, f"plain.{ext}"), "rb") as b,
        ):
            assert a.read() == b.read()


def test_corrupt_and_truncated_files_name_file_and_offset(tmp_path):
    import pathlib

    data = pathlib.Path(G, "plain.rec").read_bytes()
    bad = tmp_path / "bad.rec"
    bad.write_bytes(data[:8] + b"\0\0\0\0" + data[12:])  # the second record's magic number
    with mx.recordio.MXRecordIO(str(bad), "r") as r:
        assert r.read() == b""
        with pytest.raises(mx.recordio.RecordIOError, match=r"bad.rec.*offset 8.*magic"):
            r.read()
    cut = tmp_path / "cut.rec"
    cut.write_bytes(data[:-5])
    with mx.recordio.MXRecordIO(str(cut), "r") as r:
        with pytest.raises(mx.recordio.RecordIOError, match=r"cut.rec.*truncated record"):
            while r.read() is not None:
                pass
    idx = tmp_path / "x.idx"
    idx.write_text("0\t0\n1\tnotanumber\n")
    with pytest.raises(mx.recordio.RecordIOError, match=r"x.idx.*line 2"):
        mx.recordio.MXIndexedRecordIO(str(idx), os.path.join(G, "plain.rec"), "r")
    with pytest.raises(ValueError, match="flag must be"):
        mx.recordio.MXRecordIO(str(cut), "a")


def test_image_records_from_mxnet():
    r = mx.recordio.MXIndexedRecordIO(os.path.join(G, "img2.idx"), os.path.join(G, "img2.rec"), "r")
    header, img = mx.recordio.unpack_img(r.read_idx(3))
    assert img.shape == (10, 12, 3) and img.dtype == np.uint8
    assert header.flag == 2 and header.label.tolist() == [3.0, 30.0] and header.id == 3
    rec = mx.recordio.pack_img(header, img, img_fmt=".png")
    assert (mx.recordio.unpack_img(rec)[1] == img).all()
    gray = mx.recordio.unpack_img(rec, iscolor=0)[1]
    assert gray.shape == (10, 12)


@pytest.mark.parametrize(
    "cfg, kw",
    [
        (
            "center",
            dict(
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
        ),
        (
            "resize",
            dict(
                path_imgrec="img2.rec",
                data_shape=(3, 6, 6),
                batch_size=3,
                resize=7,
                label_width=2,
                scale=1.0 / 255,
            ),
        ),
    ],
)
def test_image_record_iter_matches_mxnet(cfg, kw, tmp_path):
    golden = np.load(os.path.join(G, "iter.npz"))
    kw = dict(kw)
    kw["path_imgrec"] = os.path.join(G, kw["path_imgrec"])
    it = mx.io.ImageRecordIter(shuffle=False, preprocess_threads=2, **kw)
    batches = list(it)
    n = sum(1 for k in golden.files if k.startswith(f"{cfg}/data"))
    assert len(batches) == n
    for i, b in enumerate(batches):
        # resize: OpenCV's fixed-point bilinear rounds differently by at most one level
        tol = 1.0 / 255 + 1e-6 if cfg == "resize" else 1e-5
        np.testing.assert_allclose(b.data[0].asnumpy(), golden[f"{cfg}/data{i}"], atol=tol)
        np.testing.assert_array_equal(b.label[0].asnumpy(), golden[f"{cfg}/label{i}"])
        assert b.pad == int(golden[f"{cfg}/pad{i}"])
    it.reset()
    # as MXNet, the next epoch starts after the examples that filled the last batch
    first = next(it).label[0].asnumpy().reshape(kw["batch_size"], -1)[0, 0]
    assert first == 1.0
    shuffled = mx.io.ImageRecordIter(shuffle=True, rand_crop=True, rand_mirror=True, seed=3, **kw)
    labels = np.concatenate([b.label[0].asnumpy()[: len(b.label[0]) - b.pad] for b in shuffled])
    assert sorted(labels.reshape(len(labels), -1)[:, 0].tolist()) == [0.0, 1.0, 2.0, 3.0, 4.0]
    shutil.rmtree(tmp_path)
