"""RecordFileDataset / ImageRecordDataset on a RecordIO file written by MXNet 1.9.1.

Golden: tests/golden/image_record/make_golden.py.
"""

import os
import pickle

import numpy as np
import pytest

from mxjax.gluon.data import DataLoader, RecordFileDataset, dataset
from mxjax.gluon.data.vision import ImageRecordDataset, datasets

G = os.path.join(os.path.dirname(__file__), "..", "golden", "image_record")
REC = os.path.join(G, "images.rec")
EXP = np.load(os.path.join(G, "expected.npz"))


@pytest.mark.parametrize("flag", [1, 0])
def test_image_record_dataset_reads_what_mxnet_reads(flag):
    ds = ImageRecordDataset(REC, flag=flag)
    assert len(ds) == 3
    for i in range(3):
        x, y = ds[i]
        want = EXP[f"x{flag}_{i}"]
        assert x.dtype == np.uint8 and x.shape == want.shape
        # Colour PNG pixels are exact; grey levels follow Pillow's rounding (documented).
        np.testing.assert_allclose(x.astype(int), want.astype(int), atol=0 if flag else 1)
        np.testing.assert_array_equal(np.asarray(y), EXP[f"y{flag}_{i}"])


def test_record_file_dataset_pickles_by_name_and_loads_in_threads():
    raw = RecordFileDataset(REC)
    assert dataset.RecordFileDataset is RecordFileDataset
    assert datasets.ImageRecordDataset is ImageRecordDataset
    again = pickle.loads(pickle.dumps(raw))
    assert [again[i] for i in range(3)] == [raw[i] for i in range(3)]
    ds = ImageRecordDataset(REC, transform=lambda x, y: (x[:4, :5].astype(np.float32), y))
    ds = ds.take(2)
    loader = DataLoader(ds, batch_size=2, num_workers=2, thread_pool=True)
    ((x, y),) = list(loader)
    np.testing.assert_array_equal(x.asnumpy(), np.stack([EXP["x1_0"], EXP["x1_1"][:, :5]]))
    np.testing.assert_array_equal(y.asnumpy(), [0.0, 1.0])


def test_missing_file_is_reported():
    with pytest.raises(FileNotFoundError, match="make_golden.rec"):
        RecordFileDataset(os.path.join(G, "make_golden.rec"))


ITER = np.load(os.path.join(G, "iter_expected.npz"))


def test_image_iter_batches_match_mxnet():
    import mxjax as mx

    it = mx.image.ImageIter(
        2, (3, 4, 4), label_width=2, path_imgrec=REC, path_imgidx=REC[:-4] + ".idx"
    )
    assert it.provide_data[0].shape == (2, 3, 4, 4) and it.provide_label[0].shape == (2, 2)
    batches = list(it)
    assert len(batches) == 2
    for b, batch in enumerate(batches):
        np.testing.assert_array_equal(batch.data[0].asnumpy(), ITER[f"iter_data{b}"])
        np.testing.assert_array_equal(batch.label[0].asnumpy(), ITER[f"iter_label{b}"])
        assert batch.pad == int(ITER[f"iter_pad{b}"])


@pytest.mark.parametrize("policy", ["pad", "discard", "roll_over"])
def test_image_iter_last_batch_policies_match_mxnet(policy):
    import mxjax as mx

    it = mx.image.ImageIter(
        2, (3, 4, 4), label_width=2, path_imgrec=REC, path_imgidx=REC[:-4] + ".idx",
        last_batch_handle=policy,
    )  # fmt: skip
    pads = []
    for _ in range(3):
        pads.append([b.pad for b in it])
        it.reset()
    assert str(pads) == str(ITER[f"pads_{policy}"])


def test_image_iter_from_an_image_list_file(tmp_path):
    from PIL import Image

    import mxjax as mx

    ds = ImageRecordDataset(REC)
    lines = []
    for i in range(3):  # PNG files with the records' pixels
        Image.fromarray(ds[i][0]).save(tmp_path / f"im{i}.png")
        lines.append(f"{i}\t{i * 2}\tim{i}.png")
    (tmp_path / "list.lst").write_text("\n".join(lines) + "\n")
    it = mx.image.ImageIter(
        3, (3, 4, 4), path_imglist=str(tmp_path / "list.lst"), path_root=str(tmp_path),
        shuffle=True, aug_list=[mx.image.CenterCropAug((4, 4)), mx.image.CastAug()],
    )  # fmt: skip
    (batch,) = list(it)
    labels = batch.label[0].asnumpy()
    assert sorted(labels.tolist()) == [0.0, 2.0, 4.0]
    first = batch.data[0].asnumpy()[list(labels).index(0.0)]
    np.testing.assert_array_equal(first, ITER["iter_data0"][0])
    with pytest.raises(ValueError, match="3 channels"):
        mx.image.ImageIter(1, (1, 4, 4), imglist=[[0, "im0.png"]], path_root=str(tmp_path))
