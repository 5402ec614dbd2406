"""mx.io iterators: MXNet 1.9.1's batching, padding, roll-over and naming rules."""

import numpy as np
import pytest

import mxjax as mx


def _data(n=10):
    return np.arange(n * 2, dtype=np.float32).reshape(n, 2), np.arange(n, dtype=np.float32)


def test_ndarrayiter_pad_discard():
    x, y = _data()
    it = mx.io.NDArrayIter(x, y, batch_size=4)
    batches = list(it)
    assert [b.pad for b in batches] == [0, 0, 2]
    # padding repeats from the start of the data, as MXNet does
    assert batches[-1].label[0].asnumpy().tolist() == [8.0, 9.0, 0.0, 1.0]
    assert it.provide_data[0].shape == (4, 2) and it.provide_label[0].name == "softmax_label"
    it = mx.io.NDArrayIter(x, y, batch_size=4, last_batch_handle="discard")
    assert len(list(it)) == 2
    it.reset()
    assert len(list(it)) == 2
    # a batch larger than the data pads by tiling
    it = mx.io.NDArrayIter(x[:3], y[:3], batch_size=7)
    assert next(it).label[0].asnumpy().tolist() == [0, 1, 2, 0, 1, 2, 0]


def test_ndarrayiter_roll_over():
    x, y = _data()
    it = mx.io.NDArrayIter(x, y, batch_size=4, last_batch_handle="roll_over")
    assert len(list(it)) == 2
    it.reset()
    first = next(it)
    # the 2 leftover examples (8, 9) start the next epoch, then 0, 1
    assert first.label[0].asnumpy().tolist() == [8.0, 9.0, 0.0, 1.0]
    assert first.pad == 2
    assert [b.label[0].asnumpy()[0] for b in it] == [2.0, 6.0]  # as MXNet 1.9.1
    it.reset()
    assert len(list(it)) == 2
    it.hard_reset()
    assert next(it).label[0].asnumpy().tolist() == [0.0, 1.0, 2.0, 3.0]


def test_ndarrayiter_dict_list_shuffle():
    x, y = _data()
    it = mx.io.NDArrayIter({"b": x, "a": x[:, :1]}, {"lab": y}, batch_size=5, shuffle=True)
    assert [d.name for d in it.provide_data] == ["a", "b"]  # sorted, as MXNet
    seen = []
    for b in it:
        a, bb = (d.asnumpy() for d in b.data)
        np.testing.assert_array_equal(a[:, 0], bb[:, 0])  # rows stay aligned
        np.testing.assert_array_equal(bb[:, 0] / 2, b.label[0].asnumpy())
        seen.extend(b.label[0].asnumpy().tolist())
    assert sorted(seen) == list(range(10))
    it = mx.io.NDArrayIter([x, x], batch_size=5)
    assert [d.name for d in it.provide_data] == ["_0_data", "_1_data"]
    with pytest.raises(ValueError, match="fewer than"):
        mx.io.NDArrayIter(x, y[:3])
    longer = mx.io.NDArrayIter(x[:4], y, batch_size=4)  # as MXNet: the first data array counts
    assert [b.label[0].asnumpy().tolist() for b in longer] == [[0.0, 1.0, 2.0, 3.0]]
    with pytest.raises(ValueError, match="last_batch_handle"):
        mx.io.NDArrayIter(x, y, last_batch_handle="drop")


def test_resize_and_prefetching_iter():
    x, y = _data(8)
    it = mx.io.ResizeIter(mx.io.NDArrayIter(x, y, batch_size=4), 5)
    labels = [b.label[0].asnumpy()[0] for b in it]
    assert labels == [0.0, 4.0, 0.0, 4.0, 0.0]
    a = mx.io.NDArrayIter(x, y, batch_size=4, data_name="a", label_name="la")
    b = mx.io.NDArrayIter(x * 2, y, batch_size=4, data_name="b", label_name="lb")
    pf = mx.io.PrefetchingIter([a, b], rename_data=[{"a": "A"}, {"b": "B"}])
    assert [d.name for d in pf.provide_data] == ["A", "B"]
    out = [[d.asnumpy()[0, 0] for d in batch.data] for batch in pf]
    assert out == [[0.0, 0.0], [8.0, 16.0]]
    pf.reset()
    assert len(list(pf)) == 2


def test_csviter_matches_mxnet(tmp_path):
    d, lab = tmp_path / "d.csv", tmp_path / "l.csv"
    d.write_text("1,2,3\n4,5,6\n7,8,9\n10,11,12\n13,14,15\n")
    lab.write_text("0\n1\n2\n3\n4\n")
    it = mx.io.CSVIter(data_csv=str(d), data_shape=(3,), label_csv=str(lab), batch_size=2)
    assert it.provide_label[0].shape == (2,)

    def epoch():
        return [
            (b.data[0].asnumpy()[:, 0].tolist(), b.label[0].asnumpy().tolist(), b.pad) for b in it
        ]

    # printed by MXNet 1.9.1 for the same files
    assert epoch() == [([1, 4], [0, 1], 0), ([7, 10], [2, 3], 0), ([13, 1], [4, 0], 1)]
    it.reset()
    assert epoch() == [([4, 7], [1, 2], 0), ([10, 13], [3, 4], 0)]
    it = mx.io.CSVIter(data_csv=str(d), data_shape=(3,), batch_size=2, round_batch=False)
    assert epoch() == [([1, 4], [0, 0], 0), ([7, 10], [0, 0], 0), ([13, 10], [0, 0], 1)]
    with pytest.raises(ValueError, match="line 1 has 3 values"):
        mx.io.CSVIter(data_csv=str(d), data_shape=(2,), batch_size=2)


def test_mnistiter_matches_mxnet():
    import os

    from mxjax.data import embedded_mnist_root

    r = embedded_mnist_root()
    it = mx.io.MNISTIter(
        image=os.path.join(r, "t10k-images-idx3-ubyte.gz"),
        label=os.path.join(r, "t10k-labels-idx1-ubyte.gz"),
        batch_size=300,
        shuffle=False,
    )
    batches = list(it)
    assert len(batches) == 3  # the last 100 images are dropped, as MXNet does
    b = batches[0]
    assert b.data[0].shape == (300, 1, 28, 28)
    assert float(b.data[0].asnumpy().max()) == 255 / 256  # MXNet scales by 1/256
    assert b.label[0].asnumpy()[:5].tolist() == [6.0, 7.0, 0.0, 5.0, 4.0]
