"""gluon.utils against NumPy references; download with a monkeypatched network."""

import hashlib
import io

import numpy as np
import pytest

import mxjax as mx
from mxjax._src.gluon import utils as U
from mxjax.gluon import utils


def test_split_data_matches_mxnet():
    # MXNet 1.9.1: the first size % num_slice slices get one more element
    x = np.arange(30, dtype=np.float32).reshape(3, 10)
    parts = utils.split_data(mx.nd.array(x), 3, batch_axis=1, even_split=False)
    ref = [x[:, 0:4], x[:, 4:7], x[:, 7:10]]
    for p, r in zip(parts, ref):
        np.testing.assert_array_equal(p.asnumpy(), r)
    with pytest.raises(ValueError, match="evenly split"):
        utils.split_data(mx.nd.array(x), 3, batch_axis=1)
    more = utils.split_data(mx.nd.array(x), 4, batch_axis=0, even_split=False)
    assert [p.shape for p in more] == [(1, 10), (1, 10), (1, 10), (0, 10)]
    xa = mx.nd.array(x)
    xa.attach_grad()
    with mx.autograd.record():
        a, b = utils.split_data(xa, 2, batch_axis=1)
        y = (a * 2).sum() + b.sum()
    y.backward()  # slices stay on the tape
    np.testing.assert_array_equal(xa.grad.asnumpy()[:, :5], 2.0)
    np.testing.assert_array_equal(xa.grad.asnumpy()[:, 5:], 1.0)


def test_split_and_load():
    x = np.arange(8, dtype=np.float32).reshape(4, 2)
    out = utils.split_and_load(x, [mx.cpu(0)])
    np.testing.assert_array_equal(out[0].asnumpy(), x)


def test_clip_global_norm_matches_numpy():
    rng = np.random.RandomState(0)
    a, b = rng.randn(3, 4).astype(np.float32), rng.randn(5).astype(np.float32)
    arrs = [mx.nd.array(a), mx.nd.array(b)]
    norm = np.sqrt((a**2).sum() + (b**2).sum())
    got = utils.clip_global_norm(arrs, 1.0)
    np.testing.assert_allclose(got, norm, rtol=1e-5)
    np.testing.assert_allclose(arrs[0].asnumpy(), a / norm, rtol=1e-4)
    np.testing.assert_allclose(arrs[1].asnumpy(), b / norm, rtol=1e-4)
    small = [mx.nd.array([0.1])]
    utils.clip_global_norm(small, 1.0)
    np.testing.assert_allclose(small[0].asnumpy(), [0.1], rtol=1e-6)
    with pytest.warns(UserWarning, match="nan or inf"):
        utils.clip_global_norm([mx.nd.array([np.inf])], 1.0)


class _Resp(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def test_download_atomic_retries_and_sha1(tmp_path, monkeypatch):
    payload = b"hello world"
    sha = hashlib.sha1(payload).hexdigest()
    calls = []

    def fake(url, verify_ssl):
        calls.append(url)
        if len(calls) == 1:
            raise OSError("network down")
        return _Resp(payload)

    monkeypatch.setattr(U, "_fetch", fake)
    monkeypatch.setattr(U.time, "sleep", lambda s: None)
    path = utils.download("http://x/f.bin", path=str(tmp_path), sha1_hash=sha)
    with open(path, "rb") as f:
        assert f.read() == payload and len(calls) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.bin"]  # no temp files left
    # existing file with matching hash: no network
    utils.download("http://x/f.bin", path=str(tmp_path), sha1_hash=sha)
    assert len(calls) == 2
    monkeypatch.setattr(U, "_fetch", lambda url, verify_ssl: _Resp(b"corrupt"))
    with pytest.raises(OSError, match="hash does not match"):
        utils.download("http://x/g.bin", path=str(tmp_path / "g.bin"), sha1_hash=sha, retries=2)
    assert not (tmp_path / "g.bin").exists()
    assert utils.check_sha1(path, sha)
