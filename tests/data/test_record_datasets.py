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
