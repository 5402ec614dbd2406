"""Gluon-style loops from the seed scripts, unchanged, on the embedded subset (offline)."""

import numpy as np
import pytest

from mxjax._src.data import download as dl


@pytest.fixture
def offline_home(tmp_path, monkeypatch):
    monkeypatch.setenv("MXJAX_HOME", str(tmp_path))
    monkeypatch.setenv("MXJAX_OFFLINE", "1")

    def no_network(url, timeout=None):
        raise AssertionError("tests must not touch the network")

    monkeypatch.setattr(dl, "_urlopen", no_network)


def test_gluon_mnist_loop_runs_on_embedded_subset(offline_home, capsys):
    from mxjax import nd
    from mxjax.gluon import data as gdata
    from mxjax.gluon.data.vision import transforms

    train = gdata.vision.MNIST(
        train=True, transform=lambda data, label: (data.astype(np.float32) / 255, label)
    )
    assert "embedded MNIST subset" in capsys.readouterr().out  # announced, not silent
    assert len(train) == 4000
    loader = gdata.DataLoader(train, batch_size=256, shuffle=True, last_batch="discard")
    seen = 0
    for data, label in loader:
        assert isinstance(data, nd.NDArray) and data.shape == (256, 28, 28, 1)
        seen += label.shape[0]
    assert seen == 15 * 256
    test = gdata.vision.MNIST(train=False).transform_first(transforms.ToTensor())
    x, y = next(iter(gdata.DataLoader(test, batch_size=8)))
    assert x.shape == (8, 1, 28, 28)


def test_strict_mnist_errors_offline(offline_home):
    from mxjax.data import DatasetNotFoundError
    from mxjax.data.vision import MNIST

    with pytest.raises(DatasetNotFoundError, match="MXJAX_OFFLINE"):
        MNIST(train=True)


def test_gluon_array_dataset_loop():
    from mxjax import nd
    from mxjax.gluon import data as gdata

    X = np.random.RandomState(0).rand(100, 5).astype(np.float32)
    y = np.arange(100) % 3
    loader = gdata.DataLoader(gdata.ArrayDataset(X, y), batch_size=32, shuffle=True)
    got = [(d.asnumpy(), lab.asnumpy()) for d, lab in loader]
    assert [len(g[1]) for g in got] == [32, 32, 32, 4]
    assert isinstance(nd.array(got[0][0]), nd.NDArray)
    order = np.concatenate([g[1] for g in got])
    rows = np.concatenate([g[0] for g in got])
    idx = [int(np.where((X == r).all(1))[0][0]) for r in rows]
    np.testing.assert_array_equal(order, y[idx])
    assert sorted(idx) == list(range(100))


def test_contrib_interval_sampler_matches_mxnet():
    from mxjax.gluon.contrib.data import IntervalSampler, sampler

    # MXNet 1.9.1: list(IntervalSampler(13, 3)) and with rollover=False.
    assert list(IntervalSampler(13, 3)) == [0, 3, 6, 9, 12, 1, 4, 7, 10, 2, 5, 8, 11]
    assert list(sampler.IntervalSampler(13, 3, rollover=False)) == [0, 3, 6, 9, 12]
    assert len(IntervalSampler(13, 3)) == 13
